/**
 * Which of Graph's separately limited services a request path calls. Graph limits each workload on
 * its own (Intune per tenant and app, SharePoint and OneDrive in resource units per app and tenant,
 * Outlook per app and *mailbox*, Teams with limits of its own), so a 429 from one says nothing about
 * the others: the throttle keeps a cooldown, learned rates and in-flight count per workload, and a
 * SharePoint `Retry-After: 60` does not hold the tenant's Intune writes for a minute.
 *
 * - `"intune"`: `/deviceManagement`, `/deviceAppManagement`;
 * - `"sharepoint"`: `/sites`, `/drives`, `/shares`, and a user's or group's `drive`, `drives`, `sites`;
 * - `"teams"`: `/teams`, `/chats`, `/teamwork`, `/appCatalogs`, `/communications`, and a user's `chats`, `joinedTeams`, `teamwork`;
 * - `"outlook:<mailbox>"`: a user's or group's mail, calendar and contacts (`messages`, `mailFolders`,
 *   `events`, `calendar…`, `contacts`, `contactFolders`, `mailboxSettings`, `sendMail`, …), one per
 *   mailbox (the user id or name, lower-cased; for `/me`, the signed-in user);
 * - `""` for everything else (directory, identity, reports, …), one workload.
 */
export type GraphWorkload = string;

/** Outlook's limit of requests in flight per app and mailbox: a preset on a mailbox's key (see `presets`). */
export const MAILBOX_CONCURRENCY = 4;

const MAILBOX_PREFIX = "outlook:";

/** The workload of `/me`'s mailbox while no token names its user (see {@link workloadOf}'s `me`). */
export const ME_MAILBOX: GraphWorkload = `${MAILBOX_PREFIX}me`;

/**
 * Whether a workload is one Outlook mailbox.
 * @param workload - A workload from {@link workloadOf}.
 */
export function isMailbox(workload: GraphWorkload): boolean {
  return workload.startsWith(MAILBOX_PREFIX);
}

const TOP_LEVEL: Readonly<Record<string, string>> = {
  devicemanagement: "intune",
  deviceappmanagement: "intune",
  sites: "sharepoint",
  drives: "sharepoint",
  shares: "sharepoint",
  teams: "teams",
  chats: "teams",
  teamwork: "teams",
  appcatalogs: "teams",
  communications: "teams",
};

/** What follows `/users/{id}`, `/me` or `/groups/{id}`: a workload, or `"outlook"` for the owner's mailbox. */
const OWNED: Readonly<Record<string, string>> = {
  drive: "sharepoint",
  drives: "sharepoint",
  sites: "sharepoint",
  followedsites: "sharepoint",
  chats: "teams",
  joinedteams: "teams",
  teamwork: "teams",
  team: "teams",
  messages: "outlook",
  mailfolders: "outlook",
  events: "outlook",
  calendar: "outlook",
  calendars: "outlook",
  calendargroups: "outlook",
  calendarview: "outlook",
  contacts: "outlook",
  contactfolders: "outlook",
  mailboxsettings: "outlook",
  inferenceclassification: "outlook",
  outlook: "outlook",
  sendmail: "outlook",
  findmeetingtimes: "outlook",
  conversations: "outlook",
  threads: "outlook",
};

/**
 * The workload of a request path (after the version segment), per {@link GraphWorkload}.
 * @param path - The URL path without version, such as `/users/adele@contoso.com/messages`.
 * @param me - Who `/me` is (the token's `oid`), so each signed-in user's mailbox is its own; `"me"` when unknown.
 */
export function workloadOf(path: string, me = "me"): GraphWorkload {
  const segments = path.split("/");
  // segments[0] is "" for an absolute path; a key like `users('id')` or `users(…)/…` keeps its own segment.
  const first = (segments[1] ?? "").toLowerCase();
  const top = TOP_LEVEL[first];
  if (top !== undefined) return top;
  let owner: string;
  let next: string | undefined;
  if (first === "me") {
    owner = me.toLowerCase();
    next = segments[2];
  } else if ((first === "users" || first === "groups") && segments[2] !== undefined && segments[2] !== "") {
    owner = `${first === "groups" ? "group:" : ""}${safeDecode(segments[2]).toLowerCase()}`;
    next = segments[3];
  } else {
    return "";
  }
  const owned = OWNED[(next ?? "").toLowerCase()];
  if (owned === undefined) return "";
  return owned === "outlook" ? `${MAILBOX_PREFIX}${owner}` : owned;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

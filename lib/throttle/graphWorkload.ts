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
 *   mailbox: a digest of the user id or name, lower-cased (for `/me`, the signed-in user's `oid`),
 *   never the address itself (see {@link mailboxWorkload});
 * - `""` for everything else (directory, identity, reports, …), one workload.
 */
export type GraphWorkload = string;

/** Outlook's limit of requests in flight per app and mailbox: a preset on a mailbox's key (see `presets`). */
export const MAILBOX_CONCURRENCY = 4;

/** The workload every Outlook mailbox belongs to, each with a key of its own (see {@link workloadClass}). */
const OUTLOOK: GraphWorkload = "outlook";
const MAILBOX_PREFIX = `${OUTLOOK}:`;

/** The workload of `/me`'s mailbox while no token names its user (see {@link workloadOf}'s `me`). */
export const ME_MAILBOX: GraphWorkload = `${MAILBOX_PREFIX}me`;

/**
 * Whether a workload is one Outlook mailbox.
 * @param workload - A workload from {@link workloadOf}.
 */
export function isMailbox(workload: GraphWorkload): boolean {
  return workload.startsWith(MAILBOX_PREFIX);
}

/**
 * The workload a key belongs to when keys are grouped: `outlook` for every mailbox, the workload
 * itself otherwise (metrics report one point per group, not a time series per mailbox).
 * @param workload - A workload from {@link workloadOf}.
 */
export function workloadClass(workload: GraphWorkload): GraphWorkload {
  return isMailbox(workload) ? OUTLOOK : workload;
}

/**
 * The workload of one mailbox: `outlook:` and 14 hex digits digested from its owner (a user id or
 * name, `group:<id>` for a group's), lower-cased, so the same address in any case is one key, and
 * `/me` with the token's `oid` is the key of `/users/<oid>`. Keys reach events, `stats()`, logs,
 * metric attributes and the shared store, and an address is personal data that no log should
 * hold: the digest names the mailbox there without it. (53 bits: two mailboxes of one tenant and
 * app sharing a key, merely throttled together, is a chance of about one in 10^9 among 10^4 of
 * them. Not a secret: a guessed address can be digested and compared.)
 * @param owner - The mailbox's owner as the path names it.
 */
export function mailboxWorkload(owner: string): GraphWorkload {
  return `${MAILBOX_PREFIX}${digest53(owner.toLowerCase())}`;
}

/**
 * A 53-bit digest of a string (cyrb53, public domain), as 14 hex digits. Synchronous and free of
 * Node built-ins, as the root entry must be (Web Crypto's digests are asynchronous); two
 * multiplications per character, on the paths of mailbox requests only.
 */
function digest53(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, "0");
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
    owner = me;
    next = segments[2];
  } else if ((first === "users" || first === "groups") && segments[2] !== undefined && segments[2] !== "") {
    owner = `${first === "groups" ? "group:" : ""}${safeDecode(segments[2])}`;
    next = segments[3];
  } else {
    return "";
  }
  const owned = OWNED[(next ?? "").toLowerCase()];
  if (owned === undefined) return "";
  if (owned !== OUTLOOK) return owned;
  // `/me` with no user to name it: one key for every token that names none.
  return first === "me" && me === "me" ? ME_MAILBOX : mailboxWorkload(owner);
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

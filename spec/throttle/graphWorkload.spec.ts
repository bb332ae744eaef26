import { expect } from "chai";
import { mailboxWorkload, workloadClass, workloadOf } from "../../lib/throttle/graphWorkload.js";

describe("workloadOf", () => {
  it("names the workload Graph limits on its own, from the path after the version", () => {
    const cases: readonly (readonly [string, string])[] = [
      ["/deviceManagement/softwareUpdateStatusSummary", "intune"],
      ["/DEVICEAPPMANAGEMENT/mobileApps", "intune"],
      ["/sites/root/lists", "sharepoint"],
      ["/drives/b!x/items/1", "sharepoint"],
      ["/shares/u!abc/driveItem", "sharepoint"],
      ["/me/drive/root/children", "sharepoint"],
      ["/users/42/drives", "sharepoint"],
      ["/groups/g1/sites/root", "sharepoint"],
      ["/teams/t1/channels", "teams"],
      ["/chats/c1/messages", "teams"],
      ["/users/42/joinedTeams", "teams"],
      ["/groups/g1/team", "teams"],
      ["/users/Adele@Contoso.com/messages", mailboxWorkload("adele@contoso.com")],
      ["/users/adele%40contoso.com/mailFolders/inbox/messages", mailboxWorkload("adele@contoso.com")],
      ["/users/42/calendarView", mailboxWorkload("42")],
      ["/users/42/sendMail", mailboxWorkload("42")],
      ["/groups/g1/conversations", mailboxWorkload("group:g1")],
      ["/me/events", "outlook:me"],
      ["/users/42", ""],
      ["/users/42/memberOf", ""],
      ["/users", ""],
      ["/groups", ""],
      ["/me", ""],
      ["/applications", ""],
      ["/$batch", ""],
      ["/", ""],
      ["", ""],
    ];
    for (const [path, workload] of cases) expect(workloadOf(path), path).to.equal(workload);
  });

  it("names /me's mailbox by the user it is given, as /users/<that id> is named, and keeps a segment it cannot decode", () => {
    expect(workloadOf("/me/messages", "0000-AB")).to.equal(mailboxWorkload("0000-ab"));
    expect(workloadOf("/me/messages", "0000-AB")).to.equal(workloadOf("/users/0000-ab/events"));
    expect(workloadOf("/me/drive", "0000-AB")).to.equal("sharepoint");
    expect(workloadOf("/users/%E0%A4%A/messages")).to.equal(mailboxWorkload("%e0%a4%a"));
  });

  it("names a mailbox by a digest, never by its address: the same for any case or encoding, one per mailbox, and stable across versions", () => {
    const workload = workloadOf("/users/Adele.Vance@Contoso.com/messages");
    expect(workload).to.match(/^outlook:[0-9a-f]{14}$/);
    expect(workload.toLowerCase()).not.to.contain("adele");
    expect(workload).to.equal(workloadOf("/users/adele.vance%40contoso.com/mailFolders/inbox"));
    // Processes of a fleet name a mailbox's state in the shared store by it, whatever their version.
    expect(mailboxWorkload("adele@contoso.com")).to.equal("outlook:08a33dffaf6e34");
    expect(mailboxWorkload("group:g1")).to.equal("outlook:09c3ab1a53a7fe");
    const owners = Array.from({ length: 20_000 }, (_, i) => `user${i}@contoso.com`);
    expect(new Set(owners.map(mailboxWorkload)).size).to.equal(owners.length);
    expect(mailboxWorkload("42")).not.to.equal(mailboxWorkload("group:42"));
  });

  it("groups every mailbox's key under outlook, and leaves the other workloads as they are", () => {
    expect(workloadClass(workloadOf("/users/adele@contoso.com/messages"))).to.equal("outlook");
    expect(workloadClass(workloadOf("/me/events"))).to.equal("outlook");
    for (const workload of ["intune", "sharepoint", "teams", ""]) expect(workloadClass(workload)).to.equal(workload);
  });
});

import { expect } from "chai";
import { workloadOf } from "../../lib/throttle/graphWorkload.js";

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
      ["/users/Adele@Contoso.com/messages", "outlook:adele@contoso.com"],
      ["/users/adele%40contoso.com/mailFolders/inbox/messages", "outlook:adele@contoso.com"],
      ["/users/42/calendarView", "outlook:42"],
      ["/users/42/sendMail", "outlook:42"],
      ["/groups/g1/conversations", "outlook:group:g1"],
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

  it("names /me's mailbox by the user it is given, and keeps a segment it cannot decode", () => {
    expect(workloadOf("/me/messages", "0000-AB")).to.equal("outlook:0000-ab");
    expect(workloadOf("/me/drive", "0000-AB")).to.equal("sharepoint");
    expect(workloadOf("/users/%E0%A4%A/messages")).to.equal("outlook:%e0%a4%a");
  });
});

import { expect } from "chai";
import { checkAccessToken } from "../../lib/auth/checkAccessToken.js";

describe("auth/checkAccessToken", () => {
  it("accepts JWTs and other visible-ASCII tokens", () => {
    expect(checkAccessToken("eyJ0eXAi.eyJ0aWQi.c2ln")).to.equal(undefined);
    expect(checkAccessToken("opaque~token+with/base64==")).to.equal(undefined);
  });

  it("names the problem, never the value", () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [undefined, "not-a-string", /returned undefined instead of an access token string/],
      [null, "not-a-string", /returned null/],
      [42, "not-a-string", /returned number/],
      ["", "empty", /returned no access token/],
      ["   ", "empty", /returned no access token/],
      ["secret\nvalue", "invalid-characters", /contains a line break/],
      ["secret\0value", "invalid-characters", /contains a control character \(U\+0000\)/],
      ["secret value", "invalid-characters", /contains whitespace/],
      ["secrét", "invalid-characters", /contains a non-ASCII character/],
    ];
    for (const [token, problem, message] of cases) {
      const found = checkAccessToken(token);
      expect(found?.problem, String(token)).to.equal(problem);
      expect(found?.message, String(token)).to.match(message).and.not.contain("secret");
    }
  });
});

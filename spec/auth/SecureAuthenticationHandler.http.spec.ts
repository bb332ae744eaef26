import { expect } from "chai";
import type { FetchOptions } from "@microsoft/microsoft-graph-client";
import type { Agent } from "undici";
import { createGraphClient } from "../../lib/client/createGraphClient.js";
import { AuthenticationError } from "../../lib/errors/AuthenticationError.js";
import { GraphNetworkError } from "../../lib/errors/GraphNetworkError.js";
import { startRecordingServer, trustingDispatcher, type RecordingServer } from "./support/recordingServer.js";

describe("auth/SecureAuthenticationHandler over real HTTP: broken tokens", () => {
  let graph: RecordingServer;
  let dispatcher: Agent;
  before(async () => {
    [graph, dispatcher] = await Promise.all([startRecordingServer("https"), trustingDispatcher()]);
  });
  after(async () => {
    await graph.close();
    await dispatcher.close();
  });

  for (const [label, token] of [
    ["a line break", "eyJ0eXAiOiJKV1Qi.eyJ0aWQi.secretsig\nX"],
    ["a NUL", "eyJ0eXAiOiJKV1Qi.eyJ0aWQi.secretsig\0X"],
  ] as const) {
    it(`a token with ${label} is an AuthenticationError, not a network failure, and nothing is sent`, async () => {
      graph.requests.length = 0;
      const client = createGraphClient({
        authProvider: { getAccessToken: async () => token },
        baseUrl: `${graph.origin}/`,
        customHosts: ["127.0.0.1"],
        fetchOptions: { dispatcher } as unknown as FetchOptions,
      });
      const error = await client.softwareUpdateStatusSummary().update({ displayName: "x" }).then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(AuthenticationError).and.not.instanceOf(GraphNetworkError);
      expect(error).to.include({ problem: "invalid-characters", statusCode: -1 });
      expect((error as Error).message).to.not.match(/secretsig|eyJ/);
      expect(graph.requests).to.have.length(0);
    });
  }
});

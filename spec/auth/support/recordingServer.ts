import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { Agent } from "undici";
import { emulatorCertificate } from "../../../lib/testing/certificate.js";

/** One request a server received. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** What a server answers. */
export interface ScriptedAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** A local server that records every request and answers with `answer`. */
export interface RecordingServer {
  /** `protocol://host:port` (no trailing slash). */
  readonly origin: string;
  /** `host:port`, for `customHosts`. */
  readonly hostPort: string;
  readonly requests: RecordedRequest[];
  /** Decides each answer; replace it per test. */
  answer: (request: RecordedRequest) => ScriptedAnswer;
  close(): Promise<void>;
}

/** The entity a server answers a GET with. */
export const ENTITY = { id: "summary", displayName: "from the origin", compliantDeviceCount: 1 };

/** Answers GET with the entity and PATCH with 204. */
export const graphLike = (request: RecordedRequest): ScriptedAnswer =>
  request.method === "GET" ? { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(ENTITY) } : { status: 204 };

/**
 * Starts a recording server on `host` (any 127.x address) over `protocol`; HTTPS uses the
 * emulator's certificate (valid for 127.0.0.1 only), trusted through {@link trustingDispatcher}.
 */
export async function startRecordingServer(protocol: "http" | "https", host = "127.0.0.1"): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const state: { answer: (request: RecordedRequest) => ScriptedAnswer } = { answer: graphLike };
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const recorded: RecordedRequest = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      requests.push(recorded);
      const answer = state.answer(recorded);
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    });
  };
  let server: Server;
  if (protocol === "https") {
    const { key, cert } = await emulatorCertificate();
    server = createHttpsServer({ key, cert }, handle);
  } else {
    server = createHttpServer(handle);
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `${protocol}://${host}:${port}`,
    hostPort: `${host}:${port}`,
    requests,
    get answer() {
      return state.answer;
    },
    set answer(fn) {
      state.answer = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An undici dispatcher that trusts the emulator certificate (for `fetchOptions`). */
export async function trustingDispatcher(): Promise<Agent> {
  const { cert } = await emulatorCertificate();
  return new Agent({ connect: { ca: cert } });
}

import { spawn, type ChildProcess } from "node:child_process";
import { createServer, Socket } from "node:net";

/** A `redis-server` child of the test, on its own port (the shared 6379 is never touched). */
export interface RedisServerProcess {
  readonly port: number;
  readonly url: string;
  /** Kills the server (SIGKILL) and resolves when it has exited. */
  kill(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open but nothing answers. */
  pause(): void;
  /** Unfreezes it (SIGCONT). */
  resume(): void;
}

/** Every server started and not yet exited, so none outlives the test run even if a start hangs. */
const running = new Set<ChildProcess>();
process.once("exit", () => killAllRedisServers());

/** Kills (SIGKILL) every server this helper started; synchronous, safe in any hook. */
export function killAllRedisServers(): void {
  for (const child of running) {
    child.kill("SIGCONT");
    child.kill("SIGKILL");
  }
}

/** Finds a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/**
 * Starts `redis-server` without persistence on `port` and resolves once it answers `PING`.
 * @param port - The port to listen on.
 */
export async function startRedisServer(port: number): Promise<RedisServerProcess> {
  const child: ChildProcess = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: "ignore",
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  // A server left behind by a hung test must not keep mocha alive; the exit hook above kills it.
  child.unref();
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", (error) => {
      running.delete(child);
      spawnError = error;
      resolve();
    });
  });
  const deadline = performance.now() + 5000;
  while (!(await answersPing(port))) {
    if (spawnError !== undefined) {
      throw new Error(`could not run redis-server (${spawnError.message}); install it: apt-get install redis-server`, { cause: spawnError });
    }
    if (performance.now() > deadline || child.exitCode !== null) {
      child.kill("SIGKILL");
      throw new Error(`redis-server did not start on port ${port}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async kill() {
      if (spawnError === undefined && child.exitCode === null && child.signalCode === null) {
        child.kill("SIGCONT");
        child.kill("SIGKILL");
      }
      await exited;
    },
    pause: () => void child.kill("SIGSTOP"),
    resume: () => void child.kill("SIGCONT"),
  };
}

/** Sends a raw `PING` and waits briefly for `+PONG`. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(200, () => done(false));
    socket.once("error", () => done(false));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
    socket.connect(port, "127.0.0.1", () => socket.write("PING\r\n"));
  });
}

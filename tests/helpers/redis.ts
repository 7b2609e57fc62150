import { spawn } from "node:child_process";
import net from "node:net";
import { freePort } from "./free-port";

export type RedisHandle = { host: "127.0.0.1"; port: number; pid: number; stop: () => Promise<void>; log: () => string };

export const REDIS_SERVER = process.env.REDIS_SERVER_PATH || "/usr/bin/redis-server";

/** Answers once Redis replies +PONG on host:port. */
function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.setTimeout(500);
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (d) => {
      socket.destroy();
      resolve(d.toString().startsWith("+PONG"));
    });
    socket.on("error", () => resolve(false));
    socket.on("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * A throw-away redis-server on 127.0.0.1 and a free port, nothing persisted (no RDB, no AOF), as the broker cluster's
 * adapter; stop() ends it by its pid.
 */
export async function startRedis(): Promise<RedisHandle> {
  const port = await freePort();
  const child = spawn(REDIS_SERVER, ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no", "--dir", "/tmp"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 10_000;
  while (!(await pong(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server did not start on 127.0.0.1:${port}:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { host: "127.0.0.1", port, pid: child.pid!, stop, log: () => output };
}

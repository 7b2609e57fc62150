import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { Broker } from "./harness";

/** What the subscriber process reports for a channel: distinct signals received, and when the last one arrived. */
export type SubscriberReport = { channel: string; received: number; lastAt: number };

export type SubscriberProcess = {
  /** The process's pid (for its CPU use). */
  pid: number;
  /** Resolves with the report once `count` distinct signals arrived on `channel`, or with what arrived by `ms`. */
  expect(channel: string, count: number, ms?: number): Promise<SubscriberReport>;
  /** Asks the process to exit and resolves when it has. */
  stop(): Promise<void>;
};

/**
 * A pusher-js subscriber in a process of its own (lib/subscriber-process.mjs), so that receiving does not share the
 * publisher's event loop; resolves once it is subscribed to every channel.
 */
export async function startSubscriberProcess(broker: Broker, channels: string[]): Promise<SubscriberProcess> {
  const { app, port } = broker.soketi;
  const child: ChildProcess = fork(path.join(import.meta.dirname, "subscriber-process.mjs"), [
    JSON.stringify({ key: app.key, appId: app.id, secret: app.secret, port, channels }),
  ]);
  const reports = new Map<string, (r: SubscriberReport) => void>();
  child.on("message", (msg: SubscriberReport | { ready: true }) => {
    if ("channel" in msg) reports.get(msg.channel)?.(msg);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("subscriber process did not subscribe within 20s")), 20_000);
    child.on("message", (msg: { ready?: true }) => {
      if (msg.ready) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    pid: child.pid ?? -1,
    expect(channel, count, ms = 60_000) {
      child.send({ expect: channel, count });
      return new Promise<SubscriberReport>((resolve) => {
        const timer = setTimeout(() => child.send({ report: channel }), ms);
        reports.set(channel, (r) => {
          clearTimeout(timer);
          resolve(r);
        });
      });
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.send({ exit: true });
      await exited;
    },
  };
}

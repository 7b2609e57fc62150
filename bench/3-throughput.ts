/**
 * 3. Publish throughput from one server process: distinct signals per second delivered to a subscribed pusher-js
 * client, from the first publish to the last delivery, and nothing may be lost. Baselines: awaited triggers one
 * after another (an action awaiting its trigger, one at a time), and every trigger at once (unbounded concurrency).
 * Project: many concurrent requests each publishing one signal (the worst case for request batching); their after()
 * work goes through the process-wide sender, which packs whatever waits into triggerBatch calls.
 */
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { resourceChannel } from "@/lib/realtime/channels";
import { publishInvalidate } from "@/lib/realtime/publish.server";
import { publishMetricsSnapshot, resetPublishMetrics } from "@/lib/realtime/publish-metrics.server";
import { INVALIDATE_EVENT } from "@/lib/realtime/signal";
import { beginRequest, endRequest, startBroker, yieldToLoop, type Broker } from "./lib/harness";
import { report } from "./lib/report";
import { round } from "./lib/stats";

const AWAITED = 2_000;
const UNBOUNDED = 5_000;
const PROJECT = 20_000;
/** Requests started per turn of the event loop by the load generator. */
const REQUESTS_PER_TURN = 200;

let broker: Broker | undefined;
let subscriber: ChildProcess | undefined;
afterAll(async () => {
  if (subscriber && subscriber.exitCode === null) {
    const exited = new Promise((resolve) => subscriber!.once("exit", resolve));
    subscriber.send({ exit: true });
    await exited;
  }
  await broker?.stop();
});

const signal = (id: number) => ({ scope: "reactions", ids: { resource_id: id, resource_type: "COMMENT" } }) as const;
const epochNow = () => performance.timeOrigin + performance.now();

type Report = { channel: string; received: number; lastAt: number };

/** Starts the subscriber process and resolves once it is subscribed to every channel. */
async function startSubscriber(b: Broker, channels: string[]) {
  const { app, port } = b.soketi;
  const child = fork(path.join(import.meta.dirname, "lib/subscriber-process.mjs"), [
    JSON.stringify({ key: app.key, appId: app.id, secret: app.secret, port, channels }),
  ]);
  subscriber = child;
  const reports = new Map<string, (r: Report) => void>();
  child.on("message", (msg: Report | { ready: true }) => {
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
  /** Resolves with the time the last of `count` distinct signals arrived on `channel`, or how many did. */
  return (channel: string, count: number, ms = 60_000) => {
    child.send({ expect: channel, count });
    return new Promise<Report>((resolve) => {
      const timer = setTimeout(() => child.send({ report: channel }), ms);
      reports.set(channel, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  };
}

it("publish throughput, signals delivered per second", async () => {
  broker = await startBroker();
  const channels = [4, 5, 6].map((id) => resourceChannel("ARTICLE", id));
  const expectOn = await startSubscriber(broker, channels);

  // Baseline 1: an awaited trigger per signal, one after another.
  let arrived = expectOn(channels[0], AWAITED);
  let t0 = epochNow();
  for (let i = 1; i <= AWAITED; i++) await broker.naive.trigger(channels[0], INVALIDATE_EVENT, signal(i));
  const awaited = await arrived;
  const awaitedRate = AWAITED / ((awaited.lastAt - t0) / 1000);

  // Baseline 2: every trigger at once.
  arrived = expectOn(channels[1], UNBOUNDED);
  t0 = epochNow();
  await Promise.all(Array.from({ length: UNBOUNDED }, (_, i) => broker!.naive.trigger(channels[1], INVALIDATE_EVENT, signal(i + 1))));
  const unbounded = await arrived;
  const unboundedRate = UNBOUNDED / ((unbounded.lastAt - t0) / 1000);

  // Project: PROJECT requests, one signal each, arriving as fast as one process can run them.
  resetPublishMetrics();
  arrived = expectOn(channels[2], PROJECT);
  t0 = epochNow();
  const flushes: Promise<void>[] = [];
  for (let i = 1; i <= PROJECT; i++) {
    beginRequest();
    publishInvalidate(channels[2], signal(i));
    if (i % REQUESTS_PER_TURN === 0) {
      flushes.push(endRequest());
      await yieldToLoop();
    }
  }
  flushes.push(endRequest());
  const project = await arrived;
  await Promise.all(flushes);
  const projectRate = PROJECT / ((project.lastAt - t0) / 1000);
  const metrics = publishMetricsSnapshot();
  expect(metrics.publishes.failed).toBe(0);

  report(
    "3-throughput",
    `3. Publish throughput from one process (signals/s delivered to a subscriber in another process, all of them)`,
    { awaited: AWAITED, unbounded: UNBOUNDED, project: PROJECT, requests_per_turn: REQUESTS_PER_TURN },
    [
      {
        figure: "throughput vs awaited",
        unit: "signals/s",
        baseline: Math.round(awaitedRate),
        project: Math.round(projectRate),
        better: "higher",
        target: ">= 10x awaited, none lost",
        met: projectRate >= awaitedRate * 10 && project.received === PROJECT,
      },
      {
        figure: "throughput vs unbounded",
        unit: "signals/s",
        baseline: Math.round(unboundedRate),
        project: Math.round(projectRate),
        better: "higher",
        target: "(info)",
        met: true,
      },
    ],
    [
      `delivered: awaited ${awaited.received}/${AWAITED}, unbounded ${unbounded.received}/${UNBOUNDED}, project ${project.received}/${PROJECT}`,
      `project broker calls: ${metrics.calls.total} for ${metrics.publishes.sent} signals (${round(metrics.publishes.sent / metrics.calls.total, 2)} per call), failed ${metrics.publishes.failed}`,
    ],
  );
});

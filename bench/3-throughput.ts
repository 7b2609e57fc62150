/**
 * 3. Publish throughput from one server process: distinct signals per second delivered to a subscribed pusher-js
 * client, from the first publish to the last delivery, and nothing may be lost. Baselines: awaited triggers one
 * after another (an action awaiting its trigger, one at a time), and every trigger at once (unbounded concurrency).
 * Project: many concurrent server actions each publishing one signal (the worst case for per-action batching), each
 * in its own collectSignals scope; their sends (each once its action's current work is over) go through the
 * process-wide sender, which packs whatever waits into triggerBatch calls. A realtime server of its own
 * (createRealtimeServer), so that its counters are this bench's.
 *
 * Each phase also reports the CPU of the three processes (this one, which publishes; Soketi; the subscriber) and the
 * machine's idle time: the publish path is CPU-bound here, and the notes say whose CPU bounds it.
 */
import { afterAll, expect, it } from "vitest";
import { INVALIDATE_EVENT } from "@/lib/realtime";
import { resourceChannel } from "@/backend/realtime/channels";
import { reactionSignal } from "@/backend/realtime/signals";
import { beginRequest, endRequest, inAction, projectServer, startBroker, yieldToLoop, type Broker } from "./lib/harness";
import { benchIds } from "./lib/ids";
import { report } from "./lib/report";
import { startSubscriberProcess, type SubscriberProcess } from "./lib/subscriber";
import { round } from "./lib/stats";
import { cpuMeter, cpuSecondsOfTree, cpuShares, machineSeconds, ownCpuSeconds } from "./lib/cpu";

const AWAITED = 2_000;
const UNBOUNDED = 5_000;
const PROJECT = 20_000;
/** Requests started per turn of the event loop by the load generator. */
const REQUESTS_PER_TURN = 200;

let broker: Broker | undefined;
let subscriber: SubscriberProcess | undefined;
afterAll(async () => {
  await subscriber?.stop();
  await broker?.stop();
});

/** One reaction per comment on the article's channel, as the app publishes it; made before anything is timed. */
const publications = (article: string, count: number) =>
  benchIds(`comment-of-${article}`, count).map((comment) =>
    reactionSignal({ resource_type: "COMMENT", resource_id: comment }, { resource_type: "ARTICLE", resource_id: article }),
  );
const epochNow = () => performance.timeOrigin + performance.now();

it("publish throughput, signals delivered per second", async () => {
  broker = await startBroker();
  const articles = benchIds("article", 3, 4);
  const channels = articles.map((id) => resourceChannel("ARTICLE", id));
  const awaitedPubs = publications(articles[0], AWAITED);
  const unboundedPubs = publications(articles[1], UNBOUNDED);
  const projectPubs = publications(articles[2], PROJECT);
  const server = projectServer(broker);
  subscriber = await startSubscriberProcess(broker, channels);
  const expectOn = subscriber.expect;
  const soketiPid = broker.soketi.pid;
  const subscriberPid = subscriber.pid;
  const meter = cpuMeter({
    publisher: ownCpuSeconds,
    soketi: () => cpuSecondsOfTree(soketiPid),
    subscriber: () => cpuSecondsOfTree(subscriberPid),
    "machine idle": () => machineSeconds("idle"),
  });

  // Baseline 1: an awaited trigger per signal, one after another.
  let arrived = expectOn(channels[0], AWAITED);
  let cpu0 = meter.read();
  let t0 = epochNow();
  for (const { signal } of awaitedPubs) await broker.naive.trigger(channels[0], INVALIDATE_EVENT, signal);
  const awaited = await arrived;
  const awaitedRate = AWAITED / ((awaited.lastAt - t0) / 1000);
  const awaitedCpu = cpuShares([{ durationS: (epochNow() - t0) / 1000, cpu: meter.since(cpu0) }]);

  // Baseline 2: every trigger at once.
  arrived = expectOn(channels[1], UNBOUNDED);
  t0 = epochNow();
  await Promise.all(unboundedPubs.map(({ signal }) => broker!.naive.trigger(channels[1], INVALIDATE_EVENT, signal)));
  const unbounded = await arrived;
  const unboundedRate = UNBOUNDED / ((unbounded.lastAt - t0) / 1000);

  // Project: PROJECT actions, one signal each, arriving as fast as one process can run them. The actions of a turn
  // return (each queues its send for when that work is over, and one after() holding it); then their sends start.
  arrived = expectOn(channels[2], PROJECT);
  cpu0 = meter.read();
  t0 = epochNow();
  const flushes: Promise<void>[] = [];
  let turn: Promise<void>[] = [];
  for (let i = 0; i < PROJECT; i++) {
    beginRequest();
    const publication = projectPubs[i];
    turn.push(inAction(() => server.publishInvalidate(publication), server.collectSignals));
    if ((i + 1) % REQUESTS_PER_TURN === 0 || i === PROJECT - 1) {
      await Promise.all(turn);
      turn = [];
      flushes.push(endRequest());
      await yieldToLoop();
    }
  }
  const project = await arrived;
  const projectCpu = cpuShares([{ durationS: (epochNow() - t0) / 1000, cpu: meter.since(cpu0) }]);
  await Promise.all(flushes);
  const projectRate = PROJECT / ((project.lastAt - t0) / 1000);
  const metrics = await server.health();
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
      `CPU (200% is both cores), awaited: ${awaitedCpu}; project: ${projectCpu}`,
    ],
  );
});

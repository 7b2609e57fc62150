/**
 * 6. Cluster delivery: what a second Soketi node (on a Redis adapter, scripts/cluster-config.mjs) costs a signal.
 *
 * Fan-out: one signal to 1,000 pusher-js clients. Baseline: the 1,000 on one standalone node, the signal published
 * through it. Project: 500 on node A and 500 on node B of a cluster, the signal published through node A (so half of
 * the clients get it through Redis). Rounds alternate between the two in the same run. Every client runs in this
 * process, so their handling is serialized; the figure is the time from the publish call to each client's receipt.
 *
 * Loss: 10,000 signals published through node B's HTTP API (batches of 10, a few calls in flight) to one channel,
 * with one subscriber on node B (same node: the baseline) and one on node A (cross-node), each in its own process
 * (a consumer starved by the load generator would lose signals the broker delivered). Distinct signals received.
 */
import { afterAll, it } from "vitest";
import type Pusher from "pusher-js";
import { INVALIDATE_EVENT } from "@/lib/realtime";
import { startSoketi, startSoketiCluster, type SoketiCluster, type SoketiHandle } from "../tests/helpers/soketi";
import { brokerOn, connectClient, sleep, subscribe, type Broker } from "./lib/harness";
import { report } from "./lib/report";
import { startSubscriberProcess, type SubscriberProcess } from "./lib/subscriber";
import { percentile, round, summarize } from "./lib/stats";

const CLIENTS = 1000;
const ROUNDS = 8;
const CONNECT_CONCURRENCY = 50;
const GAP_MS = 300;
const LOSS_SIGNALS = 10_000;
const BATCH = 10; // config/soketi.json's maxEventBatchSize
const CALLS_IN_FLIGHT = 8;
const FAN_CHANNEL = "bench-cluster-fan-out";
const LOSS_CHANNEL = "bench-cluster-loss";

let single: SoketiHandle | undefined;
let cluster: SoketiCluster | undefined;
const clients: Pusher[] = [];
const subscribers: SubscriberProcess[] = [];
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await Promise.all(subscribers.map((s) => s.stop()));
  await single?.stop();
  await cluster?.stop();
});

/** `count` clients on `broker`, each subscribed to FAN_CHANNEL and stamping its receipt into the current round. */
async function connectAll(broker: Broker, count: number, received: (at: number) => void) {
  for (let i = 0; i < count; i += CONNECT_CONCURRENCY) {
    await Promise.all(
      Array.from({ length: Math.min(CONNECT_CONCURRENCY, count - i) }, async () => {
        const pusher = await connectClient(broker);
        clients.push(pusher);
        await subscribe(pusher, FAN_CHANNEL);
        pusher.channel(FAN_CHANNEL).bind(INVALIDATE_EVENT, () => received(performance.now()));
      }),
    );
  }
}

it("cluster delivery: fan-out across two nodes and cross-node loss", async () => {
  single = await startSoketi();
  cluster = await startSoketiCluster(2);
  const one = brokerOn(single);
  const [a, b] = cluster.nodes.map(brokerOn);

  let current: { t0: number; samples: number[]; done: () => void } | null = null;
  const received = (at: number) => {
    if (!current) return;
    current.samples.push(at - current.t0);
    if (current.samples.length === CLIENTS) current.done();
  };
  const connectStarted = performance.now();
  await connectAll(one, CLIENTS, received);
  await connectAll(a, CLIENTS / 2, received);
  await connectAll(b, CLIENTS / 2, received);
  const connectMs = performance.now() - connectStarted;
  await sleep(1_000);

  const signal = { scope: "bench", ids: { resource_id: "fan-out" } };
  /** One publish; the per-client delays, and how many clients had it within 10 s. */
  const runRound = async (through: Broker) => {
    const finished = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 10_000);
      current = { t0: 0, samples: [], done: () => (clearTimeout(timer), resolve()) };
    });
    current!.t0 = performance.now();
    await through.naive.trigger(FAN_CHANNEL, INVALIDATE_EVENT, signal);
    await finished;
    const samples = current!.samples;
    current = null;
    return samples;
  };
  const oneNode: number[][] = [];
  const twoNodes: number[][] = [];
  for (let r = -1; r < ROUNDS; r++) {
    const s = await runRound(one);
    await sleep(GAP_MS);
    const c = await runRound(a);
    await sleep(GAP_MS);
    if (r >= 0) {
      oneNode.push(s);
      twoNodes.push(c);
    }
  }
  const delivered = (rounds: number[][]) => rounds.reduce((n, samples) => n + samples.length, 0);
  const allDone = (rounds: number[][]) => round(percentile(rounds.map((samples) => Math.max(...samples)), 50));
  const s = summarize(oneNode.flat());
  const c = summarize(twoNodes.flat());

  // Loss: one subscriber per node, 10,000 signals through node B.
  const sameNode = await startSubscriberProcess(b, [LOSS_CHANNEL]);
  const crossNode = await startSubscriberProcess(a, [LOSS_CHANNEL]);
  subscribers.push(sameNode, crossNode);
  // All arrived, or what did within a minute of the first publish (10,000 go out in about 2 s here).
  const arrived = [sameNode, crossNode].map((s) => s.expect(LOSS_CHANNEL, LOSS_SIGNALS, 60_000));
  const lossStarted = performance.now();
  let next = 0;
  let refused = 0;
  await Promise.all(
    Array.from({ length: CALLS_IN_FLIGHT }, async () => {
      while (next < LOSS_SIGNALS) {
        const from = next;
        next += BATCH;
        const batch = Array.from({ length: Math.min(BATCH, LOSS_SIGNALS - from) }, (_, i) => ({
          channel: LOSS_CHANNEL,
          name: INVALIDATE_EVENT,
          data: JSON.stringify({ scope: "bench", ids: { resource_id: String(from + i) } }),
        }));
        const res = await b.naive.triggerBatch(batch).catch(() => null);
        if (!res || res.status !== 200) refused += batch.length;
      }
    }),
  );
  const publishMs = performance.now() - lossStarted;
  const [gotSame, gotCross] = (await Promise.all(arrived)).map((r) => r.received);

  report(
    "7-cluster",
    `6. Cluster delivery: one signal to ${CLIENTS} clients on one node vs split over two nodes (${ROUNDS} rounds); ${LOSS_SIGNALS} signals across nodes`,
    { clients: CLIENTS, rounds: ROUNDS, loss_signals: LOSS_SIGNALS, batch: BATCH, calls_in_flight: CALLS_IN_FLIGHT },
    [
      { figure: "fan-out per-client p50", unit: "ms", baseline: s.p50, project: c.p50, better: "lower", target: "(info)", met: true },
      { figure: "fan-out per-client p99", unit: "ms", baseline: s.p99, project: c.p99, better: "lower", target: "(info)", met: true },
      { figure: "fan-out all clients, median round", unit: "ms", baseline: allDone(oneNode), project: allDone(twoNodes), better: "lower", target: "(info)", met: true },
      {
        figure: "fan-out deliveries",
        unit: "",
        baseline: delivered(oneNode),
        project: delivered(twoNodes),
        better: "higher",
        target: `= ${CLIENTS * ROUNDS}`,
        met: delivered(twoNodes) === CLIENTS * ROUNDS,
      },
      {
        figure: `signals received of ${LOSS_SIGNALS} (same node / across nodes)`,
        unit: "",
        baseline: gotSame,
        project: gotCross,
        better: "higher",
        target: `= ${LOSS_SIGNALS - refused}`,
        met: gotCross === LOSS_SIGNALS - refused,
      },
    ],
    [
      `baseline: ${CLIENTS} clients on one standalone Soketi, published through it; project: ${CLIENTS / 2} on node A + ${CLIENTS / 2} on node B (Redis adapter), published through node A`,
      `${CLIENTS * 2} clients connected and subscribed in ${Math.round(connectMs)} ms; all clients share this process (and its two cores) with Soketi and Redis`,
      `loss run: ${LOSS_SIGNALS} signals published through node B in ${Math.round(publishMs)} ms (${refused} refused by the broker); one subscriber process on node B, one on node A`,
    ],
  );
});

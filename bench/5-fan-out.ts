/**
 * 5. Fan-out: one signal to 1,000 pusher-js clients on one public channel, and how long until each has started its
 * refetch. The same 1,000 connections are subscribed to two channels, one per variant (naive handler on one,
 * project dispatch + invalidator on the other), and rounds alternate, so both run on identical connections and load.
 * Project rounds are spaced well beyond the coalescer's minimum gap, so each is the first signal of its burst. All 1,000
 * clients run in this one process, so their handling is serialized: the figures include 1,000 x the per-message
 * client cost, which separate browsers would pay in parallel. Project path: a server action (collectSignals, as
 * runAction wraps every action) that publishes with an ignored receipt, sent at commit.
 */
import { afterAll, it } from "vitest";
import type Pusher from "pusher-js";
import { QueryClient, QueryObserver, type QueryKey } from "@tanstack/react-query";
import { queryKeys } from "@/lib/query-keys";
import { INVALIDATE_EVENT } from "@/lib/realtime";
import { profileChannel } from "@/backend/realtime/channels";
import { publishInvalidate } from "@/backend/realtime/server";
import type { AppPublication } from "@/backend/realtime/scopes";
import { beginRequest, bindNaive, bindProject, connectClient, endRequest, inAction, projectInvalidator, sleep, startBroker, subscribe, type Broker } from "./lib/harness";
import { benchId } from "./lib/ids";
import { report } from "./lib/report";
import { percentile, round, summarize } from "./lib/stats";

const CLIENTS = 1000;
const ROUNDS = 16;
const CONNECT_CONCURRENCY = 50;
/**
 * Between rounds. A project round must find every client's key idle (its previous refetch settled and the
 * coalescer's 100 ms gap over; with 1,000 clients in one process those starts spread over about 100 ms), or its
 * signal becomes a queued refetch, by design, and measures the gap instead of the fan-out. 16 rounds: one round's
 * 1,000 samples share that round's luck on a shared 2-core machine, so more rounds steady the pooled p50.
 */
const GAP_MS = 500;

let broker: Broker | undefined;
const clients: Pusher[] = [];
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await broker?.stop();
});

/** One active query per client and variant; each fetch start is stamped into the current round. */
function observe(queryClient: QueryClient, key: QueryKey, stamp: () => void) {
  let first = true;
  const observer = new QueryObserver(queryClient, {
    queryKey: key,
    queryFn: async () => {
      if (first) first = false;
      else stamp();
      return 1;
    },
    retry: false,
    staleTime: 0,
  });
  return new Promise<void>((resolve) => {
    observer.subscribe((r) => {
      if (r.status === "success") resolve();
    });
  });
}

it("fan-out of one signal to 1,000 clients", async () => {
  broker = await startBroker();
  const naiveUser = benchId("user", 1);
  const projectUser = benchId("user", 2);
  const naiveChannel = profileChannel(naiveUser);
  const projectChannel = profileChannel(projectUser);
  const naiveKey = queryKeys.userArticleFeed(naiveUser);
  const projectKey = queryKeys.userArticleFeed(projectUser);
  // The profile's article feed changed (one of the publications of an article write, articleChangeSignals).
  const feedSignal = (user_id: string): AppPublication => ({ channels: [profileChannel(user_id)], signal: { scope: "user-article-feed", ids: { user_id } } });
  const naiveSignal = feedSignal(naiveUser).signal;
  const projectPublication = feedSignal(projectUser);
  const invalidator = projectInvalidator();

  let current: { t0: number; samples: number[]; expected: number; done: () => void } | null = null;
  const stamp = () => {
    if (!current) return;
    current.samples.push(performance.now() - current.t0);
    if (current.samples.length === current.expected) current.done();
  };

  const connectStarted = performance.now();
  for (let i = 0; i < CLIENTS; i += CONNECT_CONCURRENCY) {
    await Promise.all(
      Array.from({ length: Math.min(CONNECT_CONCURRENCY, CLIENTS - i) }, async () => {
        const pusher = await connectClient(broker!);
        clients.push(pusher);
        await Promise.all([subscribe(pusher, naiveChannel), subscribe(pusher, projectChannel)]);
        const naive = new QueryClient();
        const project = new QueryClient();
        await observe(naive, naiveKey, stamp);
        await observe(project, projectKey, stamp);
        bindNaive(pusher, naiveChannel, naive, () => naiveKey);
        bindProject(pusher, projectChannel, invalidator.create(project));
      }),
    );
  }
  const connectMs = performance.now() - connectStarted;
  await sleep(1_000);

  const runRound = async (publish: () => Promise<unknown>) => {
    const finished = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${current?.samples.length}/${CLIENTS} clients refetched`)), 30_000);
      current = { t0: 0, samples: [], expected: CLIENTS, done: () => (clearTimeout(timer), resolve()) };
    });
    current!.t0 = performance.now();
    await publish();
    await finished;
    const samples = current!.samples;
    current = null;
    return samples;
  };

  const naive: number[][] = [];
  const project: number[][] = [];
  // One unrecorded round each first: the first broadcast on a channel warms Soketi's and the clients' paths.
  for (let r = -1; r < ROUNDS; r++) {
    const n = await runRound(() => broker!.naive.trigger(naiveChannel, INVALIDATE_EVENT, naiveSignal));
    await sleep(GAP_MS);
    beginRequest();
    const p = await runRound(async () => {
      await inAction(() => publishInvalidate(projectPublication));
      await endRequest();
    });
    await sleep(GAP_MS);
    if (r >= 0) {
      naive.push(n);
      project.push(p);
    }
  }

  // The client side alone: one message handed to every client's bound handlers at once (pusher-js's own dispatch,
  // no socket), so the per-message cost that the rounds above pay 1,000 times over is seen without delivery noise.
  const HANDLING_ROUNDS = 10;
  const handling = { naive: [] as number[], project: [] as number[] };
  for (let r = 0; r < HANDLING_ROUNDS; r++) {
    for (const [variant, channel, data] of [
      ["naive", naiveChannel, naiveSignal],
      ["project", projectChannel, projectPublication.signal],
    ] as const) {
      const t0 = performance.now();
      for (const client of clients) client.channel(channel).emit(INVALIDATE_EVENT, data);
      handling[variant].push(performance.now() - t0);
      await sleep(GAP_MS);
    }
  }

  const pooled = (rounds: number[][]) => summarize(rounds.flat());
  const allDone = (rounds: number[][]) => rounds.map((samples) => Math.max(...samples));
  const n = pooled(naive);
  const p = pooled(project);
  const nAll = allDone(naive);
  const pAll = allDone(project);
  report(
    "5-fan-out",
    `5. Fan-out: one signal to ${CLIENTS} pusher-js clients on one channel, time until each refetch starts (${ROUNDS} rounds)`,
    { clients: CLIENTS, rounds: ROUNDS, invalidator: invalidator.name },
    [
      { figure: "per-client p50", unit: "ms", baseline: n.p50, project: p.p50, better: "lower", target: "<= 1.1x baseline", met: p.p50 <= n.p50 * 1.1 },
      { figure: "per-client p99", unit: "ms", baseline: n.p99, project: p.p99, better: "lower", target: "<= 1.1x baseline", met: p.p99 <= n.p99 * 1.1 },
      {
        figure: "all clients, median round",
        unit: "ms",
        baseline: round(percentile(nAll, 50)),
        project: round(percentile(pAll, 50)),
        better: "lower",
        target: "(info)",
        met: true,
      },
    ],
    [
      `client invalidator: ${invalidator.name}`,
      `${CLIENTS} clients connected and subscribed in ${Math.round(connectMs)} ms; the clients share this process (and its two cores) with the publisher and Soketi`,
      `client handling alone, one message to all ${CLIENTS} clients' handlers at once (p50 of ${HANDLING_ROUNDS}): naive ${summarize(handling.naive).p50} ms, project ${summarize(handling.project).p50} ms (parse, scope keys, coalescer, then the same invalidateQueries)`,
    ],
  );
});

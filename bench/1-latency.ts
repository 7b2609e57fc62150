/**
 * 1. End-to-end signal latency: from the publish call on the server to the start of the refetch it causes in a
 * subscribed client (pusher-js over a real Soketi), one signal at a time, each the first of its burst (a fresh key),
 * which is the case the layer must not slow down. Naive and project rounds alternate, so drift hits both alike.
 * Project path: a server action (collectSignals, as runAction wraps every action) that publishes with an ignored
 * receipt, sent once the action's current work is over (process.nextTick) while the action returns (its after() only
 * holds the send).
 *
 * Each round is also cut into stages (p50 of each, in the notes), which is where the project's extra time goes:
 * the action scope (collectSignals entered -> the action body runs), publishInvalidate itself (checks, outbox),
 * from there to the broker call's HTTP request starting (the action's return, the send's start, the sender, and the
 * Pusher SDK building the call: signing, node-fetch; for the naive path the SDK alone), the wire (request start ->
 * the message at the client: a TCP connection, since Soketi closes every HTTP API connection after its answer,
 * Soketi, the WebSocket), and the client (message -> refetch start). The request start is Node's
 * `http.client.request.start` diagnostics channel.
 */
import { subscribe as onDiagnostic } from "node:diagnostics_channel";
import { afterAll, it } from "vitest";
import type Pusher from "pusher-js";
import { queryKeys } from "@/lib/query-keys";
import { INVALIDATE_EVENT } from "@/lib/realtime";
import { resourceChannel } from "@/backend/realtime/channels";
import { publishInvalidate, realtime } from "@/backend/realtime/server";
import { reactionSignal } from "@/backend/realtime/signals";
import { QueryProbe, bindNaive, bindProject, beginRequest, connectClient, endRequest, inAction, projectInvalidator, startBroker, subscribe, type Broker } from "./lib/harness";
import { benchId, benchIds } from "./lib/ids";
import { report } from "./lib/report";
import { summarize } from "./lib/stats";

const SIGNALS = 1000;
const WARMUP = 100;

let broker: Broker | undefined;
const clients: Pusher[] = [];
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await broker?.stop();
});

it("end-to-end latency, publish -> client invalidation", async () => {
  broker = await startBroker();
  const naiveArticle = benchId("article", 1);
  const projectArticle = benchId("article", 2);
  const naiveChannel = resourceChannel("ARTICLE", naiveArticle);
  const projectChannel = resourceChannel("ARTICLE", projectArticle);
  // One fresh comment per round (index 1 .. WARMUP + SIGNALS), made before anything is timed.
  const comments = benchIds("comment", WARMUP + SIGNALS + 1);
  const naive = new QueryProbe();
  const project = new QueryProbe();
  const invalidator = projectInvalidator();
  const naiveClient = await connectClient(broker);
  const projectClient = await connectClient(broker);
  clients.push(naiveClient, projectClient);
  await subscribe(naiveClient, naiveChannel);
  await subscribe(projectClient, projectChannel);
  // Bound first, so it runs before the variant's handler: splits the latency into delivery and client handling.
  let receivedAt = 0;
  // The first HTTP request a round starts is its broker call (nothing else in this process speaks HTTP meanwhile).
  let requestAt = 0;
  onDiagnostic("http.client.request.start", () => {
    if (requestAt === 0) requestAt = performance.now();
  });
  for (const [client, channel] of [[naiveClient, naiveChannel], [projectClient, projectChannel]] as const) {
    client.channel(channel).bind(INVALIDATE_EVENT, () => (receivedAt = performance.now()));
  }
  bindNaive(naiveClient, naiveChannel, naive.client, (data) => {
    const { ids } = data as { ids: { resource_id: string; resource_type: "COMMENT" } };
    return queryKeys.reaction(ids.resource_id, ids.resource_type);
  });
  bindProject(projectClient, projectChannel, invalidator.create(project.client));

  // A reaction on a comment of the article, on the article's channel (what the app publishes for one).
  const publication = (article: string, i: number) =>
    reactionSignal({ resource_type: "COMMENT", resource_id: comments[i] }, { resource_type: "ARTICLE", resource_id: article });
  const naiveRound = async (i: number) => {
    const key = queryKeys.reaction(comments[i], "COMMENT");
    const { signal } = publication(naiveArticle, i);
    const stop = await naive.observe(key);
    const fetched = naive.nextFetch(key);
    requestAt = 0;
    const t0 = performance.now();
    await broker!.naive.trigger(naiveChannel, INVALIDATE_EVENT, signal);
    const at = await fetched;
    stop();
    const stages = { scope: 0, publish: 0, toRequest: requestAt - t0, wire: receivedAt - requestAt, client: at - receivedAt };
    return { total: at - t0, delivery: receivedAt - t0, client: at - receivedAt, stages };
  };
  const projectRound = async (i: number) => {
    const key = queryKeys.reaction(comments[i], "COMMENT");
    const pub = publication(projectArticle, i);
    const stop = await project.observe(key);
    const fetched = project.nextFetch(key);
    beginRequest();
    let bodyAt = 0;
    let publishedAt = 0;
    requestAt = 0;
    const t0 = performance.now();
    await inAction(() => {
      bodyAt = performance.now();
      publishInvalidate(pub);
      publishedAt = performance.now();
    });
    const flushed = endRequest();
    const at = await fetched;
    await flushed;
    stop();
    const stages = {
      scope: bodyAt - t0,
      publish: publishedAt - bodyAt,
      toRequest: requestAt - publishedAt,
      wire: receivedAt - requestAt,
      client: at - receivedAt,
    };
    return { total: at - t0, delivery: receivedAt - t0, client: at - receivedAt, stages };
  };

  type Sample = Awaited<ReturnType<typeof naiveRound>>;
  const naiveRuns: Sample[] = [];
  const projectRuns: Sample[] = [];
  for (let i = 1; i <= WARMUP + SIGNALS; i++) {
    // Alternate who goes first, so neither always runs on a loop the other just warmed or disturbed.
    let a: Sample, b: Sample;
    if (i % 2) {
      a = await naiveRound(i);
      b = await projectRound(i);
    } else {
      b = await projectRound(i);
      a = await naiveRound(i);
    }
    if (i > WARMUP) {
      naiveRuns.push(a);
      projectRuns.push(b);
    }
  }

  const n = summarize(naiveRuns.map((r) => r.total));
  const p = summarize(projectRuns.map((r) => r.total));
  const part = (runs: Sample[], k: "delivery" | "client") => summarize(runs.map((r) => r[k])).p50;
  const metrics = await realtime.health();
  const stagesOf = (runs: Sample[]) =>
    (["scope", "publish", "toRequest", "wire", "client"] as const).map((k) => `${k} ${summarize(runs.map((r) => r.stages[k])).p50}`).join(", ");
  report(
    "1-latency",
    `1. End-to-end latency, publish -> client refetch start (${SIGNALS} signals each, after ${WARMUP} warm-up)`,
    { signals: SIGNALS, warmup: WARMUP, invalidator: invalidator.name },
    [
      { figure: "latency p50", unit: "ms", baseline: n.p50, project: p.p50, better: "lower", target: "<= 1.1x baseline", met: p.p50 <= n.p50 * 1.1 },
      { figure: "latency p99", unit: "ms", baseline: n.p99, project: p.p99, better: "lower", target: "<= 1.1x baseline", met: p.p99 <= n.p99 * 1.1 },
      { figure: "latency mean", unit: "ms", baseline: n.mean, project: p.mean, better: "lower", target: "(info)", met: true },
      {
        figure: "  of which publish -> message at client, p50",
        unit: "ms",
        baseline: part(naiveRuns, "delivery"),
        project: part(projectRuns, "delivery"),
        better: "lower",
        target: "(info)",
        met: true,
      },
      {
        figure: "  of which message -> refetch start, p50",
        unit: "ms",
        baseline: part(naiveRuns, "client"),
        project: part(projectRuns, "client"),
        better: "lower",
        target: "(info)",
        met: true,
      },
    ],
    [
      `client invalidator: ${invalidator.name}`,
      "project path: publishInvalidate (ignored receipt) in a server action's collectSignals scope, sent at commit (once the action's current work is over), not after the response; timed from entering the action scope",
      `stages, p50 ms (scope: action scope entered -> body; publish: publishInvalidate; toRequest: -> broker HTTP request start; wire: -> message at client; client: -> refetch start): naive ${stagesOf(naiveRuns)}; project ${stagesOf(projectRuns)}`,
      `project publishes failed: ${metrics.publishes.failed}`,
    ],
  );
});

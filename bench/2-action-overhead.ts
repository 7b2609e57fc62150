/**
 * 2. Server action overhead: the time publishing adds to an action's response. Naive: the action awaits
 * pusher.trigger before it returns. Project: publishInvalidate validates, joins the request's batch and returns;
 * the send runs in after(), once the response is out (run here after the timed section, like Next does).
 */
import { afterAll, it } from "vitest";
import { resourceChannel } from "@/lib/realtime/channels";
import { publishInvalidate } from "@/lib/realtime/publish.server";
import { publishMetricsSnapshot } from "@/lib/realtime/publish-metrics.server";
import { INVALIDATE_EVENT } from "@/lib/realtime/signal";
import { beginRequest, endRequest, startBroker, type Broker } from "./lib/harness";
import { report } from "./lib/report";
import { summarize } from "./lib/stats";

const ACTIONS = 2000;
const WARMUP = 200;

let broker: Broker | undefined;
afterAll(async () => {
  await broker?.stop();
});

it("server action overhead of publishing", async () => {
  broker = await startBroker();
  const channel = resourceChannel("ARTICLE", 3);
  const signal = (id: number) => ({ scope: "reactions", ids: { resource_id: id, resource_type: "COMMENT" } }) as const;
  const naiveMs: number[] = [];
  const projectMs: number[] = [];
  for (let i = 1; i <= WARMUP + ACTIONS; i++) {
    let t0 = performance.now();
    await broker.naive.trigger(channel, INVALIDATE_EVENT, signal(i));
    const naive = performance.now() - t0;

    beginRequest();
    t0 = performance.now();
    publishInvalidate(channel, signal(i));
    // Let the microtasks it queued run too (joining the request's batch), as they would before the action returns.
    await null;
    const project = performance.now() - t0;
    await endRequest();

    if (i > WARMUP) {
      naiveMs.push(naive);
      projectMs.push(project);
    }
  }
  const n = summarize(naiveMs);
  const p = summarize(projectMs);
  report(
    "2-action-overhead",
    `2. Server action overhead of publishing one signal (${ACTIONS} actions each)`,
    { actions: ACTIONS, warmup: WARMUP },
    [
      { figure: "overhead p50", unit: "ms", baseline: n.p50, project: p.p50, better: "lower", target: "<= 0.1 ms", met: p.p50 <= 0.1 },
      { figure: "overhead p99", unit: "ms", baseline: n.p99, project: p.p99, better: "lower", target: "(info)", met: true },
      { figure: "overhead mean", unit: "ms", baseline: n.mean, project: p.mean, better: "lower", target: "(info)", met: true },
    ],
    [
      "baseline: awaited pusher.trigger in the action; project: publishInvalidate (send deferred to after())",
      `project publishes sent after the responses: ${publishMetricsSnapshot().publishes.sent}, failed: ${publishMetricsSnapshot().publishes.failed}`,
    ],
  );
});

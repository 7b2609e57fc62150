/**
 * 2. Server action overhead: the time publishing adds to an action's response. Naive: the action awaits
 * pusher.trigger before it returns. Project: the action's collectSignals scope (as runAction wraps every action),
 * in which publishInvalidate validates and joins the action's outbox with an ignored receipt; the send starts once
 * the current work is over (process.nextTick), after the action returned (outside the timed section), and one after() holds it past the
 * response. The scope carries the headers() hop and that after().
 */
import { afterAll, it } from "vitest";
import { INVALIDATE_EVENT } from "@/lib/realtime";
import { resourceChannel } from "@/backend/realtime/channels";
import { collectSignals, publishInvalidate, realtime } from "@/backend/realtime/server";
import { reactionSignal } from "@/backend/realtime/signals";
import { beginRequest, endRequest, startBroker, type Broker } from "./lib/harness";
import { benchId, benchIds } from "./lib/ids";
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
  const article = benchId("article", 3);
  const channel = resourceChannel("ARTICLE", article);
  // Made before anything is timed: one reaction on a fresh comment per action, as the app publishes it.
  const publications = benchIds("comment", WARMUP + ACTIONS + 1).map((comment) =>
    reactionSignal({ resource_type: "COMMENT", resource_id: comment }, { resource_type: "ARTICLE", resource_id: article }),
  );
  const naiveMs: number[] = [];
  const projectMs: number[] = [];
  const withinPublish: number[] = [];
  for (let i = 1; i <= WARMUP + ACTIONS; i++) {
    const publication = publications[i];
    let t0 = performance.now();
    await broker.naive.trigger(channel, INVALIDATE_EVENT, publication.signal);
    const naive = performance.now() - t0;

    beginRequest();
    let publishMs = 0;
    t0 = performance.now();
    // Everything the layer adds to an action that publishes once: the scope, the publish, the after() it queues.
    await collectSignals(async () => {
      const p0 = performance.now();
      publishInvalidate(publication);
      publishMs = performance.now() - p0;
    });
    const project = performance.now() - t0;
    await endRequest();

    if (i > WARMUP) {
      naiveMs.push(naive);
      projectMs.push(project);
      withinPublish.push(publishMs);
    }
  }
  const n = summarize(naiveMs);
  const p = summarize(projectMs);
  const metrics = await realtime.health();
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
      "baseline: awaited pusher.trigger in the action; project: the action's collectSignals scope with one publishInvalidate (ignored receipt; the send starts once the action's current work is over)",
      `of which the publishInvalidate call alone: p50 ${summarize(withinPublish).p50} ms, p99 ${summarize(withinPublish).p99} ms`,
      `project publishes sent: ${metrics.publishes.sent}, failed: ${metrics.publishes.failed}`,
    ],
  );
});

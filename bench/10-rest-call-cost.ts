/**
 * 10. What one publish call to the broker costs the publishing process: the Pusher SDK's triggerBatch (node-fetch,
 * as a first implementation sends it, and as this project's publisher did) against the library's REST client
 * (Broker.rest, src/lib/realtime/server/broker.ts: the same signed request on node:http), each sending the same
 * 10-event batches to a real Soketi, CALLS calls with IN_FLIGHT at a time (the sender's MAX_IN_FLIGHT), alternating
 * rounds. Figures: the process's CPU per call (user + system, process.cpuUsage) and calls per second. Every answer
 * must be Soketi's success body. Soketi closes each HTTP API connection after its answer, so every call of either
 * client opens a TCP connection. The app's limit of 25,000 backend events per second (config/soketi.json) is raised
 * for this Soketi alone: 32 calls in flight send more, and Soketi answers 200 with an error to what is over it.
 */
import { afterAll, expect, it } from "vitest";
import { INVALIDATE_EVENT } from "@/lib/realtime";
import { createBroker, isSuccessBody, type BatchEvent } from "@/lib/realtime/server/broker";
import { MAX_IN_FLIGHT } from "@/lib/realtime/server/sender";
import { resourceChannel } from "@/backend/realtime/channels";
import { benchId, benchIds } from "./lib/ids";
import { readFileSync } from "node:fs";
import path from "node:path";
import { brokerOn, type Broker } from "./lib/harness";
import { randomApp, startSoketi } from "../tests/helpers/soketi";
import { report } from "./lib/report";
import { summarize } from "./lib/stats";

const CALLS = 2000;
const ROUNDS = 3; // per client, alternating, after one warm-up round each

let broker: Broker | undefined;
afterAll(async () => {
  await broker?.stop();
});

it("CPU per broker call: the SDK's triggerBatch against the library's REST client", async () => {
  const apps = JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../config/soketi.json"), "utf8"))["appManager.array.apps"] as Array<Record<string, unknown>>;
  const app = randomApp();
  broker = brokerOn(await startSoketi({ "appManager.array.apps": apps.map((a) => ({ ...a, ...app, maxBackendEventsPerSecond: 10_000_000 })) }));
  const channel = resourceChannel("ARTICLE", benchId("article", 10));
  const events: BatchEvent[] = benchIds("comment-of-rest", 10).map((id) => ({
    channel,
    name: INVALIDATE_EVENT,
    data: JSON.stringify({ scope: "reactions", ids: { resource_id: id, resource_type: "COMMENT" } }),
  }));
  const sdk = broker.naive;
  const { rest } = createBroker(broker.config);
  const clients = {
    sdk: async () => (await sdk.triggerBatch(events.map((e) => ({ ...e })))).text(),
    library: async () => (await rest.triggerBatch(events)).text(),
  };

  const round = async (send: () => Promise<string>) => {
    let next = 0;
    let refused = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: MAX_IN_FLIGHT }, async () => {
        while (next++ < CALLS) if (!isSuccessBody(await send())) refused++;
      }),
    );
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    expect(refused).toBe(0);
    return { cpuMsPerCall: (cpu.user + cpu.system) / 1000 / CALLS, callsPerSecond: CALLS / (ms / 1000) };
  };

  const runs = { sdk: [] as Awaited<ReturnType<typeof round>>[], library: [] as Awaited<ReturnType<typeof round>>[] };
  for (let r = -1; r < ROUNDS; r++) {
    for (const name of r % 2 ? (["sdk", "library"] as const) : (["library", "sdk"] as const)) {
      const result = await round(clients[name]);
      if (r >= 0) runs[name].push(result);
    }
  }
  const p50 = (name: keyof typeof runs, k: "cpuMsPerCall" | "callsPerSecond") => summarize(runs[name].map((x) => x[k])).p50;
  report(
    "10-rest-call-cost",
    `10. One publish call (a 10-event triggerBatch) to Soketi: the SDK against the library's REST client (${CALLS} calls, ${MAX_IN_FLIGHT} in flight, p50 of ${ROUNDS} rounds)`,
    { calls: CALLS, in_flight: MAX_IN_FLIGHT, rounds: ROUNDS },
    [
      { figure: "publisher CPU per call", unit: "ms", baseline: p50("sdk", "cpuMsPerCall"), project: p50("library", "cpuMsPerCall"), better: "lower", target: "(info)", met: true },
      { figure: "calls per second", unit: "/s", baseline: Math.round(p50("sdk", "callsPerSecond")), project: Math.round(p50("library", "callsPerSecond")), better: "higher", target: "(info)", met: true },
    ],
    ["baseline: the Pusher SDK's triggerBatch (node-fetch); project: Broker.rest.triggerBatch (node:http, the same signing); both over a new TCP connection per call (Soketi closes each)"],
  );
});

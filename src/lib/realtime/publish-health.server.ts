import "server-only";
import { getBroker, type Broker } from "./broker.server";
import { describeBrokerError } from "./broker-call.server";
import { publishMetricsSnapshot, type PublishMetricsSnapshot } from "./publish-metrics.server";
import { senderFor } from "./publish-sender.server";

export type BrokerProbe = { reachable: boolean; latency_ms: number | null; error?: string };

export type RealtimeHealth = {
  configured: boolean;
  timeout_ms: number | null;
  broker: BrokerProbe;
  queue: { in_flight: number; queued: number };
} & PublishMetricsSnapshot;

// A health endpoint polled by many monitors must not become load on the broker: one probe per second at most.
const PROBE_TTL_MS = 1_000;
const PROBE_MAX_MS = 2_000;
const probes = new WeakMap<Broker, { at: number; result: Promise<BrokerProbe> }>();

/** `{"channels": {...}}`; Soketi also answers 200 with `{"error": ...}` when it refuses. */
function answersChannels(text: string): boolean {
  try {
    const body: unknown = JSON.parse(text);
    return !!body && typeof body === "object" && "channels" in body && !("error" in body);
  } catch {
    return false;
  }
}

/** A signed, read-only call every Pusher-protocol broker serves; it also proves the credentials are accepted. */
async function probe(broker: Broker): Promise<BrokerProbe> {
  const limit = Math.min(broker.timeoutMs, PROBE_MAX_MS);
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const attempt = broker.pusher.get({ path: "/channels" }).then(async (res) => {
    const text = await res.text();
    if (!answersChannels(text)) throw new Error(`HTTP ${res.status} ${text.slice(0, 200)}`);
  });
  try {
    await Promise.race([
      attempt,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${limit}ms`)), limit))),
    ]);
    return { reachable: true, latency_ms: Math.round((performance.now() - started) * 100) / 100 };
  } catch (err) {
    attempt.catch(() => {});
    return { reachable: false, latency_ms: null, error: describeBrokerError(err, limit) };
  } finally {
    clearTimeout(timer);
  }
}

function probeCached(broker: Broker): Promise<BrokerProbe> {
  const now = performance.now();
  const last = probes.get(broker);
  if (last && now - last.at < PROBE_TTL_MS) return last.result;
  const result = probe(broker);
  probes.set(broker, { at: now, result });
  return result;
}

/** Whether publishing works, and how it went so far in this process. No secrets. */
export async function realtimeHealth(): Promise<RealtimeHealth> {
  const broker = getBroker();
  const metrics = publishMetricsSnapshot();
  if (!broker) {
    return {
      configured: false,
      timeout_ms: null,
      broker: { reachable: false, latency_ms: null },
      queue: { in_flight: 0, queued: 0 },
      ...metrics,
    };
  }
  return {
    configured: true,
    timeout_ms: broker.timeoutMs,
    broker: await probeCached(broker),
    queue: senderFor(broker).stats,
    ...metrics,
  };
}

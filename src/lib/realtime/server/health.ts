import "server-only";
import { describeBrokerError, withDeadline, type Broker } from "./broker";

/**
 * Observability of the publish path, per server process: counters and recent latencies of broker calls, and a
 * cached probe of the broker. One signal to one channel is one "delivery"; a broker call carries one or more.
 */
const LATENCY_WINDOW = 1024;

export class PublishMetrics {
  private requestedCount = 0;
  private duplicateCount = 0;
  private sent = 0;
  private failedCount = 0;
  private calls = 0;
  private failedCalls = 0;
  private readonly latencies = new Float64Array(LATENCY_WINDOW);
  private latencyCount = 0;
  private lastFailure: { at: string; reason: string } | null = null;

  /** Every delivery a publisher asked for, duplicates included. */
  requested(deliveries: number): void {
    this.requestedCount += deliveries;
  }

  duplicates(n: number): void {
    this.duplicateCount += n;
  }

  /** One broker call; `lost`: how many of its deliveries failed for good (the rest of a failed call is retried). */
  call(deliveries: number, ms: number, failure: string | null, lost = deliveries): void {
    this.calls++;
    this.latencies[this.latencyCount++ % LATENCY_WINDOW] = ms;
    if (failure === null) this.sent += deliveries;
    else {
      this.failedCalls++;
      this.failed(lost, failure);
    }
  }

  /** Deliveries that failed, with or without a call of their own (expired while waiting for a connection). */
  failed(deliveries: number, reason: string): void {
    this.failedCount += deliveries;
    this.lastFailure = { at: new Date().toISOString(), reason };
  }

  snapshot(): PublishMetricsSnapshot {
    const samples = this.latencies.slice(0, Math.min(this.latencyCount, LATENCY_WINDOW)).sort();
    return {
      publishes: { requested: this.requestedCount, duplicates_dropped: this.duplicateCount, sent: this.sent, failed: this.failedCount },
      calls: { total: this.calls, failed: this.failedCalls },
      latency_ms: {
        p50: percentile(samples, 50),
        p99: percentile(samples, 99),
        max: samples.length ? round(samples[samples.length - 1]) : null,
        samples: samples.length,
      },
      last_failure: this.lastFailure,
    };
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;

function percentile(sorted: Float64Array, p: number): number | null {
  if (sorted.length === 0) return null;
  return round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);
}

export type PublishMetricsSnapshot = {
  publishes: { requested: number; duplicates_dropped: number; sent: number; failed: number };
  calls: { total: number; failed: number };
  latency_ms: { p50: number | null; p99: number | null; max: number | null; samples: number };
  last_failure: { at: string; reason: string } | null;
};

export type BrokerProbe = { reachable: boolean; latency_ms: number | null; error?: string };

export type RealtimeHealth = {
  /**
   * Whose figures these are. Counters, latencies, the queue and the last failure are this app instance's (its
   * process, since `since`): behind a load balancer each instance answers for itself, and a monitor sums them.
   */
  instance: { host: string; pid: number; since: string };
  configured: boolean;
  timeout_ms: number | null;
  broker: BrokerProbe;
  queue: { in_flight: number; queued: number };
} & PublishMetricsSnapshot;

// A health endpoint polled by many monitors must not become load on the broker: one probe per second at most.
const PROBE_TTL_MS = 1_000;
const PROBE_MAX_MS = 2_000;
const probes = new WeakMap<Broker, { at: number; result: Promise<BrokerProbe> }>();

// One channel's info costs the broker a lookup; the channel list would cost it a walk over every channel.
const PROBE_CHANNEL = "realtime-health-probe";

/** `{"occupied": ...}`; Soketi also answers 200 with `{"error": ...}` when it refuses. */
function answersChannelInfo(text: string): boolean {
  try {
    const body: unknown = JSON.parse(text);
    return !!body && typeof body === "object" && "occupied" in body && !("error" in body);
  } catch {
    return false;
  }
}

/** A signed, read-only call every Pusher-protocol broker serves; it also proves the credentials are accepted. */
async function probe(broker: Broker): Promise<BrokerProbe> {
  const limit = Math.min(broker.timeoutMs, PROBE_MAX_MS);
  const started = performance.now();
  const attempt = broker.pusher.get({ path: `/channels/${PROBE_CHANNEL}` }).then(async (res) => {
    const text = await res.text();
    if (!answersChannelInfo(text)) throw new Error(`HTTP ${res.status} ${text.slice(0, 200)}`);
  });
  try {
    await withDeadline(attempt, limit, () => new Error(`no answer within ${limit}ms`));
    return { reachable: true, latency_ms: round(performance.now() - started) };
  } catch (err) {
    return { reachable: false, latency_ms: null, error: describeBrokerError(err, limit) };
  }
}

export function probeBroker(broker: Broker): Promise<BrokerProbe> {
  const now = performance.now();
  const last = probes.get(broker);
  if (last && now - last.at < PROBE_TTL_MS) return last.result;
  const result = probe(broker);
  probes.set(broker, { at: now, result });
  return result;
}

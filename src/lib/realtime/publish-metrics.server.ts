import "server-only";

/**
 * In-process publish counters for /api/realtime/health. One signal to one channel is one "delivery"; a broker
 * call carries one or more. Latency is kept for the most recent calls only, so memory stays flat.
 */
const LATENCY_WINDOW = 1024;

type Counters = {
  requested: number;
  duplicates: number;
  sent: number;
  failed: number;
  calls: number;
  failedCalls: number;
};

const counters: Counters = { requested: 0, duplicates: 0, sent: 0, failed: 0, calls: 0, failedCalls: 0 };
const latencies = new Float64Array(LATENCY_WINDOW);
let latencyCount = 0;
let lastFailure: { at: string; reason: string } | null = null;

export const publishMetrics = {
  /** Every delivery a publisher asked for, duplicates included. */
  requested(deliveries: number): void {
    counters.requested += deliveries;
  },
  duplicates(n: number): void {
    counters.duplicates += n;
  },
  call(deliveries: number, ms: number, failure: string | null): void {
    counters.calls++;
    latencies[latencyCount++ % LATENCY_WINDOW] = ms;
    if (failure === null) counters.sent += deliveries;
    else {
      counters.failedCalls++;
      recordFailure(deliveries, failure);
    }
  },
  /** Deliveries that failed without a call of their own (expired while waiting for a connection). */
  failed: recordFailure,
};

function recordFailure(deliveries: number, reason: string): void {
  counters.failed += deliveries;
  lastFailure = { at: new Date().toISOString(), reason };
}

function percentile(sorted: Float64Array, p: number): number | null {
  if (sorted.length === 0) return null;
  return round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);
}

const round = (ms: number) => Math.round(ms * 100) / 100;

export type PublishMetricsSnapshot = {
  publishes: { requested: number; duplicates_dropped: number; sent: number; failed: number };
  calls: { total: number; failed: number };
  latency_ms: { p50: number | null; p99: number | null; max: number | null; samples: number };
  last_failure: { at: string; reason: string } | null;
};

export function publishMetricsSnapshot(): PublishMetricsSnapshot {
  const samples = latencies.slice(0, Math.min(latencyCount, LATENCY_WINDOW)).sort();
  return {
    publishes: {
      requested: counters.requested,
      duplicates_dropped: counters.duplicates,
      sent: counters.sent,
      failed: counters.failed,
    },
    calls: { total: counters.calls, failed: counters.failedCalls },
    latency_ms: {
      p50: percentile(samples, 50),
      p99: percentile(samples, 99),
      max: samples.length ? round(samples[samples.length - 1]) : null,
      samples: samples.length,
    },
    last_failure: lastFailure,
  };
}

/** For tests. */
export function resetPublishMetrics(): void {
  for (const key of Object.keys(counters) as Array<keyof Counters>) counters[key] = 0;
  latencyCount = 0;
  lastFailure = null;
}

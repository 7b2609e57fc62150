import type Pusher from "pusher-js";

/**
 * Counts one pusher-js client's WebSocket attempts and notes when it (re)connects. Every transport attempt reports
 * `{cid, state: "connecting"}` to the client's timeline, guarded or not, so both are measured the same way.
 */
export type ReconnectMeter = {
  attempts: () => number;
  /** Time of the last transition to "connected", or null. */
  connectedAt: () => number | null;
  reset: () => void;
};

export function meter(pusher: Pusher): ReconnectMeter {
  let attempts = 0;
  let connectedAt: number | null = null;
  const timeline = pusher.timeline as unknown as { info: (event: Record<string, unknown>) => void };
  const info = timeline.info.bind(timeline);
  timeline.info = (event) => {
    if (event.cid !== undefined && event.state === "connecting") attempts++;
    info(event);
  };
  pusher.connection.bind("connected", () => (connectedAt = Date.now()));
  return {
    attempts: () => attempts,
    connectedAt: () => connectedAt,
    reset: () => {
      attempts = 0;
      connectedAt = null;
    },
  };
}

export type Summary = { min: number; median: number; max: number };

export function summarize(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0], median: sorted[Math.floor(sorted.length / 2)], max: sorted[sorted.length - 1] };
}

/**
 * The most attempts a guarded client can make in `ms`: every wait at its shortest (no jitter), every attempt failing
 * at once. The first attempt after a drop may start at once; each later one waits at least the policy's delay.
 */
export function maxAttemptsWithin(policy: { delayMs(failures: number, random: () => number): number }, ms: number): number {
  let attempts = 1;
  let elapsed = 0;
  for (let failures = 1; ; failures++) {
    elapsed += policy.delayMs(failures, () => 0);
    if (elapsed > ms) return attempts;
    attempts++;
  }
}

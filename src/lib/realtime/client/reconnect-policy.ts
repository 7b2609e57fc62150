/**
 * When to try the broker again. `failures` counts consecutive attempts that did not end in a stable connection;
 * 0 is the first try after a stable connection dropped.
 *
 * Tuned for a broker restart (a few seconds down): waits never exceed FAST_CAP_MS while the outage is short, so a
 * client is back within about that long after the broker accepts again, and about ten tries cover ten seconds
 * down. A longer outage slows down to one try per SLOW_CAP_MS. Every wait is jittered so that thousands of tabs
 * dropped at the same instant do not come back in lockstep.
 */
export type ReconnectPolicy = {
  delayMs(failures: number, random: () => number): number;
  /** An attempt that neither connects nor fails by then (a black-holed network) is abandoned and counted failed. */
  attemptTimeoutMs: number;
  /** A connection that lasted less than this does not reset the failure count when it drops (a flapping broker). */
  stableAfterMs: number;
};

const FIRST_JITTER_MS = 750;
const BASE_MS = 500;
const FAST_CAP_MS = 1600;
const FAST_FAILURES = 12;
const SLOW_CAP_MS = 30_000;

export const RECONNECT_POLICY: ReconnectPolicy = {
  delayMs(failures, random) {
    if (failures <= 0) return random() * FIRST_JITTER_MS;
    const cap = failures <= FAST_FAILURES ? FAST_CAP_MS : Math.min(SLOW_CAP_MS, FAST_CAP_MS * 2 ** (failures - FAST_FAILURES));
    const ceiling = Math.min(cap, BASE_MS * 2 ** (failures - 1));
    // "Equal jitter": at least half the ceiling, so back-off still grows; at most the ceiling, so the bound holds.
    return ceiling / 2 + (random() * ceiling) / 2;
  },
  attemptTimeoutMs: 10_000,
  stableAfterMs: 5_000,
};

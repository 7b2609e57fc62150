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

/**
 * Bounds pusher-js 8's reconnect loop. Left alone it has two failure modes against a restarting broker:
 * - close code 4200 ("reconnect shortly", Soketi's answer during its shutdown grace period) maps to the "retry"
 *   action, which reconnects after 0 ms, again and again: hundreds of attempts per second per tab;
 * - a refused connection inside its default strategy is not reported until that strategy's 15 s timeout expires,
 *   so the tab stays away long after the broker is back.
 *
 * The control point is the connection manager's strategy, the one object every attempt goes through: the
 * manager asks `strategy.connect()` for each attempt and again after each failure. It is replaced with a strategy
 * that makes exactly one attempt on the single WebSocket transport pusher-js itself built (so it reports a refusal
 * at once), after a delay from the ReconnectPolicy. The manager's own states, events, timers and re-subscription
 * stay as they are. Internals touched (pusher-js 8): `connection.strategy` (and its `transports`),
 * `connection.options.getStrategy`, `connection.usingTLS`, and on late installation `runner`,
 * `disconnectInternally()`. If any is missing the guard does nothing and pusher-js behaves as shipped.
 */

type Runner = { abort(): void; forceMinPriority(priority: number): void };
type Handshake = { action?: string; error?: unknown };
type Callback = (error: unknown, handshake?: Handshake) => void;
type Strategy = {
  isSupported(): boolean;
  connect(minPriority: number, callback: Callback): Runner;
  transports?: Record<string, Strategy | undefined>;
};
type ManagerInternals = {
  state?: string;
  strategy?: Strategy;
  usingTLS?: boolean;
  options?: { getStrategy?: (options: { useTLS?: boolean }) => Strategy };
  runner?: Runner | null;
  connection?: unknown;
  disconnectInternally?: () => void;
  connect?: () => void;
};

/** What a guard has seen, for tests and diagnostics. */
export type ReconnectStats = { attempts: number; failures: number };

const guarded = new WeakMap<object, ReconnectStats>();

class AttemptGate {
  readonly stats: ReconnectStats = { attempts: 0, failures: 0 };
  private started = false;
  private upSince: number | null = null;

  constructor(private readonly policy: ReconnectPolicy) {}

  /** How long to wait before the next attempt. */
  nextDelay(): number {
    if (!this.started) {
      this.started = true;
      return 0; // the tab's first connection is not a reconnect
    }
    if (this.upSince !== null) {
      const stable = Date.now() - this.upSince >= this.policy.stableAfterMs;
      this.upSince = null;
      this.stats.failures = stable ? 0 : this.stats.failures + 1;
    }
    return this.policy.delayMs(this.stats.failures, Math.random);
  }

  settled(connected: boolean) {
    if (connected) this.upSince = Date.now();
    else this.stats.failures++;
  }
}

function singleAttemptStrategy(transport: Strategy, gate: AttemptGate, policy: ReconnectPolicy): Strategy {
  return {
    isSupported: () => transport.isSupported(),
    connect(minPriority, callback) {
      let runner: Runner | null = null;
      let deadline: ReturnType<typeof setTimeout> | undefined;
      let done = false;
      const finish = (error: unknown, handshake?: Handshake) => {
        if (done) return;
        done = true;
        clearTimeout(deadline);
        // "error" (an unreadable handshake) leaves pusher-js waiting forever; as a failure it is retried here.
        const connected = !error && handshake?.action === "connected";
        gate.settled(connected);
        if (!error && handshake?.action === "error") callback(handshake.error ?? new Error("handshake error"));
        else callback(error, handshake);
      };
      const attempt = () => {
        gate.stats.attempts++;
        deadline = setTimeout(() => {
          runner?.abort();
          finish(new Error(`no connection within ${policy.attemptTimeoutMs} ms`));
        }, policy.attemptTimeoutMs);
        runner = transport.connect(minPriority, finish);
      };
      const wait = gate.nextDelay();
      const timer = wait > 0 ? setTimeout(attempt, wait) : undefined;
      if (wait <= 0) attempt();
      return {
        abort() {
          done = true;
          clearTimeout(timer);
          clearTimeout(deadline);
          runner?.abort();
        },
        forceMinPriority: (priority) => runner?.forceMinPriority(priority),
      };
    },
  };
}

/**
 * Installs the guard on a pusher-js instance (idempotent) and returns its stats, or null when the instance is not
 * a pusher-js 8 one (a test double). Best installed before the first connect (see GuardedPusher); installed later,
 * an attempt already in flight is restarted through the guard.
 */
export function guardReconnects(pusher: { connection: unknown }, policy: ReconnectPolicy = RECONNECT_POLICY): ReconnectStats | null {
  const manager = pusher.connection as ManagerInternals | null;
  if (!manager || typeof manager !== "object") return null;
  const existing = guarded.get(manager);
  if (existing) return existing;
  const options = manager.options;
  const original = options?.getStrategy;
  if (!options || !original || !manager.strategy) return null;

  const gate = new AttemptGate(policy);
  const wrap = (inner: Strategy, useTLS: boolean): Strategy => {
    const transport = inner.transports?.[useTLS ? "wss" : "ws"];
    return transport?.isSupported() ? singleAttemptStrategy(transport, gate, policy) : inner;
  };
  const first = wrap(manager.strategy, Boolean(manager.usingTLS));
  if (first === manager.strategy) return null; // no WebSocket transport to drive: leave pusher-js as it is
  // Rebuilt strategies (a switch to TLS after close code 4000, switchCluster) go through the guard too.
  options.getStrategy = (o) => wrap(original(o), Boolean(o.useTLS));
  manager.strategy = first;
  guarded.set(manager, gate.stats);

  if (manager.runner && !manager.connection && manager.state === "connecting" && manager.disconnectInternally && manager.connect) {
    manager.disconnectInternally();
    manager.connect();
  }
  return gate.stats;
}

/** Stats of an instance's guard, if it has one. */
export function reconnectStats(pusher: { connection: unknown }): ReconnectStats | null {
  return guarded.get(pusher.connection as object) ?? null;
}

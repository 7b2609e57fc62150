import "server-only";

/**
 * The publish throttle of a scope with `throttleMs` (a site-wide feed, whose signal goes to every visitor, so its
 * rate must not follow the rate of writes). Leading and trailing edge: at most one fire per window, and a request
 * is never dropped, only merged into the next fire, so the last write is always followed by a signal.
 *
 *   idle ──request──▶ fire ──▶ cooling (window)
 *   cooling ──request──▶ cooling + pending
 *   window ends, pending ──▶ fire ──▶ cooling (window)
 *   window ends, nothing pending, no fire in flight ──▶ idle (onIdle)
 *
 * The window itself lives in a ThrottleWindowStore. The default is this process's memory; a host with several app
 * instances supplies a shared one (a database table), and the same rule then holds across all of them: whichever
 * instance finds the window closed fires and opens it, the others mark it pending, and every instance that took part
 * asks the store again when it ends, where exactly one of them wins the trailing fire. This object keeps only what
 * is local: the timer to the window's end, the fire in flight and the count of failed fires.
 *
 * A failed fire counts as pending again (retried once per window, up to MAX_FAILED_FIRES in a row). A fire can
 * outlast its window (a broker timeout longer than the window), so the throttle is idle only once nothing is
 * pending and nothing is in flight. A store that fails (its database unreachable) costs a duplicate, never a lost
 * signal: the throttle then fires on its own. Its clock is the global timer functions, so tests drive it with fake
 * timers.
 */
export type Throttle = {
  request(): void;
  /** Cancels the window timer; a pending request is dropped (process shutdown, tests). */
  dispose(): void;
  /** This process's view: "pending" once it has merged a request into the open window. */
  state(): "idle" | "cooling" | "pending";
};

/**
 * A store's answer: whether the caller fires now, and when to call `windowEnd` (null: no window to watch). A store
 * may answer synchronously (memory) or asynchronously (a database).
 */
export type WindowVerdict = { fire: boolean; waitMs: number | null };
type Answer = WindowVerdict | Promise<WindowVerdict>;

/**
 * Where throttle windows live, keyed by (channel, signal). Every method is one atomic step of the rule:
 *
 * - `request`: no open window → open one of `windowMs` and fire (leading edge); an open window → mark it pending.
 * - `retry` (a failed fire): like request, but never fires at once: a closed window is opened already pending, so
 *   the retry waits its turn.
 * - `windowEnd`: a window still open (clocks differ, or another instance opened a new one) → wait for its end; an
 *   ended window with a pending mark → open the next one and fire (trailing edge); an ended window with nothing
 *   pending → forget it.
 */
export interface ThrottleWindowStore {
  request(key: string, windowMs: number): Answer;
  retry(key: string, windowMs: number): Answer;
  windowEnd(key: string, windowMs: number): Answer;
}

export const MAX_FAILED_FIRES = 3;

/** This process's windows: the default store, and all one instance needs. */
export function memoryWindowStore(): ThrottleWindowStore {
  const windows = new Map<string, { endsAt: number; pending: boolean }>();
  const open = (key: string, windowMs: number, pending: boolean) => {
    windows.set(key, { endsAt: Date.now() + windowMs, pending });
    return { fire: !pending, waitMs: windowMs };
  };
  const mark = (key: string, retry: boolean, windowMs: number): WindowVerdict => {
    const w = windows.get(key);
    const left = w ? w.endsAt - Date.now() : 0;
    if (!w || left <= 0) return open(key, windowMs, retry);
    w.pending = true;
    return { fire: false, waitMs: left };
  };
  return {
    request: (key, windowMs) => mark(key, false, windowMs),
    retry: (key, windowMs) => mark(key, true, windowMs),
    windowEnd(key, windowMs) {
      const w = windows.get(key);
      if (!w) return { fire: false, waitMs: null };
      const left = w.endsAt - Date.now();
      if (left > 0) return { fire: false, waitMs: left };
      if (w.pending) return open(key, windowMs, false);
      windows.delete(key);
      return { fire: false, waitMs: null };
    },
  };
}

export function createThrottle({
  windowMs,
  fire,
  key = "",
  store = memoryWindowStore(),
  onError = () => {},
  onStoreError = onError,
  onIdle = () => {},
}: {
  windowMs: number;
  fire: () => void | Promise<void>;
  /** This throttle's window in `store` (shared stores hold the windows of every throttle of every instance). */
  key?: string;
  store?: ThrottleWindowStore;
  /** A failed fire. */
  onError?: (err: unknown) => void;
  /** A failed store call (the throttle fired on its own). Default: onError. */
  onStoreError?: (err: unknown) => void;
  onIdle?: () => void;
}): Throttle {
  let timer: ReturnType<typeof setTimeout> | null = null;
  /** This process merged a request into the open window: later ones until its end need not ask the store again. */
  let marked = false;
  /** A store call in flight, and what arrived meanwhile: a request, or a failed fire to retry (see `answered`). */
  let asking = false;
  let queued: "request" | "retry" | null = null;
  let failures = 0;
  let inFlight = false;
  let disposed = false;

  const pending = () => marked || queued !== null;
  const idleIfDone = () => {
    if (timer === null && !pending() && !inFlight && !asking) onIdle();
  };

  const watch = (waitMs: number | null) => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (waitMs === null || disposed) return;
    timer = setTimeout(windowEnd, Math.max(0, waitMs));
    // A pending trailing signal must not keep a process (a test run, a script) alive on its own.
    timer.unref?.();
  };

  /** Asks the store; a failing store is logged and the throttle fires on its own (a duplicate beats a lost signal). */
  const ask = (kind: keyof ThrottleWindowStore) => {
    asking = true;
    const fallback: WindowVerdict = { fire: true, waitMs: null };
    let answer: Answer;
    try {
      answer = store[kind](key, windowMs);
    } catch (err) {
      answered(kind, fallback, err);
      return;
    }
    if (answer instanceof Promise) answer.then((v) => answered(kind, v), (err: unknown) => answered(kind, fallback, err));
    else answered(kind, answer);
  };

  /**
   * Acts on the store's answer. A request that arrived while the store was asked is covered by a fire that follows
   * the answer (the fire is later than its write); otherwise it asks in turn.
   */
  function answered(kind: keyof ThrottleWindowStore, verdict: WindowVerdict, storeError?: unknown) {
    asking = false;
    if (storeError !== undefined) onStoreError(storeError);
    if (disposed) return;
    const late = queued;
    queued = null;
    watch(verdict.waitMs);
    // Not firing on a request or a retry means merged into the open window: pending there until it ends.
    marked = !verdict.fire && kind !== "windowEnd" && verdict.waitMs !== null;
    if (verdict.fire) run();
    else if (late === "retry") ask("retry");
    else if (late === "request" && !marked) ask("request");
    idleIfDone();
  }

  const run = () => {
    let result: void | Promise<void>;
    try {
      result = fire();
    } catch (err) {
      failed(err);
      return;
    }
    if (!result) {
      failures = 0;
      return;
    }
    inFlight = true;
    result.then(
      () => {
        inFlight = false;
        failures = 0;
        idleIfDone();
      },
      (err: unknown) => {
        inFlight = false;
        failed(err);
      },
    );
  };

  const failed = (err: unknown) => {
    onError(err);
    failures++;
    if (failures >= MAX_FAILED_FIRES || disposed) {
      failures = 0;
      idleIfDone();
      return;
    }
    // Pending again: in the window still open, or in a new one opened for it, so the retry still waits its turn.
    if (asking) queued = "retry";
    else ask("retry");
  };

  function windowEnd() {
    timer = null;
    if (asking) return; // the answer on its way sets the next timer
    marked = false;
    ask("windowEnd");
  }

  function request() {
    if (disposed || marked) return;
    if (asking) {
      queued ??= "request";
      return;
    }
    ask("request");
  }

  return {
    request,
    dispose() {
      disposed = true;
      marked = false;
      queued = null;
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
    state: () => (timer === null && !asking ? "idle" : pending() ? "pending" : "cooling"),
  };
}

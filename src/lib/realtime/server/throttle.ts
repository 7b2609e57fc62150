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
 * A failed fire counts as pending again (retried once per window, up to MAX_FAILED_FIRES in a row). A fire can
 * outlast its window (a broker timeout longer than the window), so the throttle is idle only once nothing is
 * pending and nothing is in flight. Its clock is the global timer functions, so tests drive it with fake timers.
 */
export type Throttle = {
  request(): void;
  /** Cancels the window timer; a pending request is dropped (process shutdown, tests). */
  dispose(): void;
  state(): "idle" | "cooling" | "pending";
};

export const MAX_FAILED_FIRES = 3;

export function createThrottle({
  windowMs,
  fire,
  onError = () => {},
  onIdle = () => {},
}: {
  windowMs: number;
  fire: () => void | Promise<void>;
  onError?: (err: unknown) => void;
  onIdle?: () => void;
}): Throttle {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let pending = false;
  let failures = 0;
  let inFlight = false;
  let disposed = false;

  const idleIfDone = () => {
    if (timer === null && !pending && !inFlight) onIdle();
  };

  const openWindow = () => {
    timer = setTimeout(windowEnd, windowMs);
    // A pending trailing signal must not keep a process (a test run, a script) alive on its own.
    timer.unref?.();
  };

  const run = () => {
    pending = false;
    openWindow();
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
    pending = true;
    // A slow failure may land after its window closed; open one so the retry still waits its turn.
    if (timer === null) openWindow();
  };

  function windowEnd() {
    timer = null;
    if (pending && !disposed) run();
    else idleIfDone();
  }

  return {
    request() {
      if (disposed) return;
      if (timer === null) run();
      else pending = true;
    },
    dispose() {
      disposed = true;
      pending = false;
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
    state: () => (timer === null ? "idle" : pending ? "pending" : "cooling"),
  };
}

import "server-only";
import { articleFeedChannel } from "@/lib/realtime/channels";
import { publishInvalidateNow } from "@/lib/realtime/publish.server";

/**
 * The home feed's signal goes to every visitor of the site, so its rate must not follow the rate of article
 * writes. A throttle with a leading and a trailing edge: at most one fire per window, and a request is never
 * dropped, only merged into the next fire (so the last write is always followed by a signal).
 *
 *   idle ──request──▶ fire ──▶ cooling (window)
 *   cooling ──request──▶ cooling + pending
 *   window ends, pending ──▶ fire ──▶ cooling (window)
 *   window ends, nothing pending ──▶ idle
 *
 * A failed fire counts as pending again (retried once per window, up to MAX_FAILED_FIRES in a row).
 */
export type ThrottleClock = {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

export type Throttle = {
  request(): void;
  /** Cancels the window timer; a pending request is dropped (process shutdown, tests). */
  dispose(): void;
  state(): "idle" | "cooling" | "pending";
};

export const MAX_FAILED_FIRES = 3;

const systemClock: ThrottleClock = {
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, ms);
    // A pending trailing signal must not keep a process (a test run, a script) alive on its own.
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export function createThrottle({
  windowMs,
  fire,
  clock = systemClock,
  onError = () => {},
}: {
  windowMs: number;
  fire: () => void | Promise<void>;
  clock?: ThrottleClock;
  onError?: (err: unknown) => void;
}): Throttle {
  let timer: unknown = null;
  let pending = false;
  let failures = 0;
  let disposed = false;

  const run = () => {
    pending = false;
    timer = clock.setTimeout(windowEnd, windowMs);
    let result: void | Promise<void>;
    try {
      result = fire();
    } catch (err) {
      failed(err);
      return;
    }
    if (result) result.then(() => (failures = 0), failed);
    else failures = 0;
  };

  const failed = (err: unknown) => {
    onError(err);
    failures++;
    if (failures >= MAX_FAILED_FIRES || disposed) {
      failures = 0;
      return;
    }
    pending = true;
    // A slow failure may land after its window closed; open one so the retry still waits its turn.
    if (timer === null) timer = clock.setTimeout(windowEnd, windowMs);
  };

  function windowEnd() {
    timer = null;
    if (pending && !disposed) run();
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
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
    },
    state: () => (timer === null ? "idle" : pending ? "pending" : "cooling"),
  };
}

/** A few seconds: a new article shows up as a pill quickly, and a burst of writes costs one signal per window. */
export const HOME_FEED_WINDOW_MS = 5_000;

export function publishHomeFeedSignal(): Promise<void> {
  return publishInvalidateNow(articleFeedChannel(), { scope: "article-feed" });
}

// One throttle per server process: on globalThis, so every bundle that imports this module shares it.
const SLOT = Symbol.for("techdiary.realtime.homeFeedThrottle");
type Slot = { [SLOT]?: Throttle };

export function homeFeedThrottle(): Throttle {
  const slot = globalThis as Slot;
  slot[SLOT] ??= createThrottle({
    windowMs: HOME_FEED_WINDOW_MS,
    fire: publishHomeFeedSignal,
    onError: (err) => console.error(err instanceof Error ? err.message : `[realtime] home feed signal failed: ${String(err)}`),
  });
  return slot[SLOT];
}

/** Tests swap in their own window or clock; null restores the default on next use. */
export function replaceHomeFeedThrottle(next: Throttle | null): void {
  const slot = globalThis as Slot;
  slot[SLOT]?.dispose();
  slot[SLOT] = next ?? undefined;
}

/** Asks for one `{ scope: "article-feed" }` on `feed.articles`, merged with every other request of its window. */
export function requestHomeFeedSignal(): void {
  homeFeedThrottle().request();
}

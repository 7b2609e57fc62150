/**
 * Gap detection: the tab tracks the version of every channel it holds (docs/realtime.md, "Versions and gaps").
 * Every write moves its channels' versions in its own transaction, and each signal carries its channel's new
 * version, so a signal that skips one means a signal was lost: the tab resyncs that channel's scopes at once.
 *
 * Two numbers per channel:
 *   latest  the highest version known to exist: from the subscription's baseline, a version check, or a signal;
 *   heard   the highest version a signal announced (and the tab refetched for).
 *
 * A signal at or below `heard` is a duplicate or arrived late (a later one already refetched after it): ignored.
 * A signal above `latest + 1` skipped a version: applied, and the channel is resynced. A baseline or a check above
 * `latest` means writes the tab never heard of: resync. A baseline never counts as heard, so a signal whose write
 * committed just before the baseline was read is still applied (its page data may predate it).
 *
 * Signals published by several app instances can arrive out of order: a later version arriving first looks like
 * a gap and costs one extra resync; the earlier one then arrives below `heard` and is ignored, because the resync
 * started after both writes committed. So disorder costs at most one extra resync, and never a missed write.
 *
 * A throttled scope's signal stands for every version its window skipped (the publisher sends the newest one), so a
 * jump on it is no gap: the caller says so with `coalesced` (defineScopes makes sure such a channel carries only
 * throttled scopes).
 */

/** What became of a versioned signal. */
export type VersionVerdict = "next" | "gap" | "stale";

export interface VersionTracker {
  /** A signal with version `v` arrived on `channel`. */
  observe(channel: string, v: number, coalesced?: boolean): VersionVerdict;
  /** The channel's current version from the server (subscription baseline or version check): true means a gap. */
  baseline(channel: string, version: number): boolean;
  /** The highest version known for the channel, if any. */
  latest(channel: string): number | undefined;
  /** The channel was left: its next subscription starts from a new baseline. */
  forget(channel: string): void;
}

type State = { latest?: number; heard?: number };

export function createVersionTracker(): VersionTracker {
  const channels = new Map<string, State>();
  const state = (channel: string) => {
    let s = channels.get(channel);
    if (!s) channels.set(channel, (s = {}));
    return s;
  };
  return {
    observe(channel, v, coalesced = false) {
      const s = state(channel);
      if (s.heard !== undefined && v <= s.heard) return "stale";
      const gap = !coalesced && s.latest !== undefined && v > s.latest + 1;
      s.heard = v;
      if (s.latest === undefined || v > s.latest) s.latest = v;
      return gap ? "gap" : "next";
    },
    baseline(channel, version) {
      const s = state(channel);
      if (s.latest === undefined) {
        s.latest = version;
        return false;
      }
      if (version <= s.latest) return false;
      s.latest = version;
      return true;
    },
    latest: (channel) => channels.get(channel)?.latest,
    forget: (channel) => void channels.delete(channel),
  };
}

/** How often a connected tab checks its channels' versions, besides on focus and when it becomes visible. */
export const VERSION_CHECK_INTERVAL_MS = 60_000;

/** What the versions endpoint answers: a version per readable channel asked for; others are left out. */
export type ChannelVersions = Record<string, number>;

/** Asks the versions endpoint (createRealtimeVersionsHandler) about some channels; throws on any failure. */
export async function fetchChannelVersions(endpoint: string, channels: readonly string[]): Promise<ChannelVersions> {
  const body = new URLSearchParams();
  for (const channel of channels) body.append("channel", channel);
  const response = await fetch(endpoint, {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body,
  });
  if (!response.ok) throw new Error(`${endpoint} answered ${response.status}`);
  const data = (await response.json()) as { versions?: unknown };
  const versions: ChannelVersions = {};
  if (data.versions && typeof data.versions === "object") {
    for (const channel of channels) {
      const v = (data.versions as Record<string, unknown>)[channel];
      if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) versions[channel] = v;
    }
  }
  return versions;
}

export type VersionChecks = {
  /** Checks these channels (default: all) soon; calls in the same turn share one request. */
  checkSoon(channels?: readonly string[]): void;
  stop(): void;
};

/**
 * The catch for the last lost signal, which no later signal reveals: while connected, every `intervalMs` and
 * whenever the tab gains focus or becomes visible, one batched request for every channel the tab holds.
 * `intervalMs` 0 turns the periodic check off (focus and visibility still check).
 */
export function startVersionChecks({
  channels,
  isConnected,
  fetchVersions,
  onVersions,
  intervalMs = VERSION_CHECK_INTERVAL_MS,
}: {
  channels: () => readonly string[];
  isConnected: () => boolean;
  fetchVersions: (channels: readonly string[]) => Promise<ChannelVersions>;
  onVersions: (versions: ChannelVersions) => void;
  intervalMs?: number;
}): VersionChecks {
  let stopped = false;
  let pending: Set<string> | "all" | null = null;

  const run = () => {
    const wanted = pending === "all" ? channels() : [...(pending ?? [])];
    pending = null;
    const held = new Set(channels());
    const asked = wanted.filter((c) => held.has(c));
    if (stopped || asked.length === 0 || !isConnected()) return;
    fetchVersions(asked).then(
      (versions) => {
        if (!stopped) onVersions(versions);
      },
      () => {}, // the next check asks again; signals keep flowing meanwhile
    );
  };
  const checkSoon = (some?: readonly string[]) => {
    if (stopped) return;
    const first = pending === null;
    if (!some) pending = "all";
    else if (pending !== "all") {
      const set = pending instanceof Set ? pending : new Set<string>();
      for (const c of some) set.add(c);
      pending = set;
    }
    if (first && pending !== null) queueMicrotask(run);
  };

  const timer = intervalMs > 0 ? setInterval(() => checkSoon(), intervalMs) : undefined;
  const onFocus = () => checkSoon();
  const onVisibility = () => {
    if (document.visibilityState === "visible") checkSoon();
  };
  const hasWindow = typeof window !== "undefined";
  if (hasWindow) {
    window.addEventListener("focus", onFocus);
    document.addEventListener("visibilitychange", onVisibility);
  }
  return {
    checkSoon,
    stop() {
      stopped = true;
      clearInterval(timer);
      if (hasWindow) {
        window.removeEventListener("focus", onFocus);
        document.removeEventListener("visibilitychange", onVisibility);
      }
    },
  };
}

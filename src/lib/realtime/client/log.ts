import type { QueryKey } from "@tanstack/react-query";
import type { RealtimeStatus } from "./connection";

/**
 * A development aid: a small observable record of what the tab's realtime client did (signals and their fate,
 * resyncs, connection changes), for an inspector to show. The provider writes to it only when the host hands it
 * one (`<RealtimeProvider log={...}>`), so a build without an inspector records nothing and pays nothing: no entry
 * is built, no ignore reason is worked out, nobody re-renders.
 */

/**
 * What became of a signal. applied: at least one of its keys started a refetch at once. coalesced: every key was
 * merged into a refetch already pending or in flight (the invalidator's decision, invalidator.ts). ignored: it
 * touched nothing, `reason` says why.
 */
export type SignalFate = "applied" | "coalesced" | "ignored";

/**
 * Why the tab refreshed a channel's scopes without a signal. gap: a signal skipped a version, or the subscription's
 * baseline showed writes the tab never heard of; version-check: the periodic (or focus) check found the channel
 * ahead. Both repair a lost signal (client/versions.ts).
 */
export type ResyncCause = "reconnect" | "poll" | "manual" | "gap" | "version-check";

type EntryBase = {
  /** Increasing per log; a stable React key. */
  seq: number;
  /** Date.now() when it was recorded. */
  at: number;
};

export type RealtimeSignalEntry = EntryBase & {
  kind: "signal";
  channel: string;
  /** Absent when the data was not a signal at all. */
  scope?: string;
  ids?: Record<string, unknown>;
  /** The query keys it invalidated (none when ignored). */
  keys: readonly QueryKey[];
  fate: SignalFate;
  /** How many of `keys` were merged into a refetch already pending or in flight. */
  coalescedKeys: number;
  /** Why an ignored signal was ignored. */
  reason?: string;
  /** The channel version the signal carried, if any. */
  version?: number;
};

export type RealtimeResyncEntry = EntryBase & {
  kind: "resync";
  channel: string;
  cause: ResyncCause;
  keys: readonly QueryKey[];
};

export type RealtimeStatusEntry = EntryBase & {
  kind: "status";
  status: RealtimeStatus;
  socketId: string | null;
};

export type RealtimeLogEntry = RealtimeSignalEntry | RealtimeResyncEntry | RealtimeStatusEntry;

/** An entry as handed to record(): the log stamps `seq` and `at`. */
export type RealtimeLogInput =
  | Omit<RealtimeSignalEntry, "seq" | "at">
  | Omit<RealtimeResyncEntry, "seq" | "at">
  | Omit<RealtimeStatusEntry, "seq" | "at">;

export interface RealtimeLog {
  readonly capacity: number;
  record(entry: RealtimeLogInput): void;
  /** Newest first, at most `capacity`; the same array until the next record() or clear() (useSyncExternalStore). */
  entries(): readonly RealtimeLogEntry[];
  subscribe(listener: () => void): () => void;
  clear(): void;
}

export const REALTIME_LOG_CAPACITY = 100;

/** A bounded ring buffer: once full, each new entry overwrites the oldest. Create it once (module level). */
export function createRealtimeLog({ capacity = REALTIME_LOG_CAPACITY, now = Date.now }: { capacity?: number; now?: () => number } = {}): RealtimeLog {
  const ring: RealtimeLogEntry[] = [];
  let next = 0; // where the next entry goes once the ring is full
  let seq = 0;
  let snapshot: readonly RealtimeLogEntry[] | null = [];
  const listeners = new Set<() => void>();
  const changed = () => {
    snapshot = null;
    for (const listener of [...listeners]) listener();
  };

  return {
    capacity,
    record(input) {
      const entry = { ...input, seq: ++seq, at: now() } as RealtimeLogEntry;
      if (ring.length < capacity) ring.push(entry);
      else {
        ring[next] = entry;
        next = (next + 1) % capacity;
      }
      changed();
    },
    entries() {
      if (!snapshot) {
        // Oldest is at `next` once the ring wrapped, else at 0; reversed for newest first.
        const ordered = ring.length < capacity ? ring.slice() : [...ring.slice(next), ...ring.slice(0, next)];
        snapshot = ordered.reverse();
      }
      return snapshot;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    clear() {
      ring.length = 0;
      next = 0;
      changed();
    },
  };
}

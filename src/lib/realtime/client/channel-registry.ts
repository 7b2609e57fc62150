/**
 * Ref-counted channel subscriptions: any number of components may join a channel and share one broker
 * subscription; it is released only when the last one leaves. Release waits a microtask, so a leave followed at
 * once by a join (React StrictMode's double effects, one page swapped for another in one commit) keeps the
 * subscription instead of unsubscribing and resubscribing.
 */
export type Subscribe = (channel: string) => () => void;

type Entry = { count: number; release: () => void; releaseQueued: boolean };

export type ChannelRegistry = {
  join(channel: string): () => void;
  /** Channels with at least one member. */
  names(): string[];
  count(channel: string): number;
  /** Releases every subscription now, and refuses later joins. */
  close(): void;
};

const noop = () => {};

export function createChannelRegistry(subscribe: Subscribe): ChannelRegistry {
  const entries = new Map<string, Entry>();
  let closed = false;

  const releaseIfUnused = (name: string, entry: Entry) => {
    entry.releaseQueued = false;
    if (entry.count > 0 || entries.get(name) !== entry) return;
    entries.delete(name);
    entry.release();
  };

  return {
    join(name) {
      if (closed) return noop;
      let entry = entries.get(name);
      if (!entry) {
        entry = { count: 0, release: subscribe(name), releaseQueued: false };
        entries.set(name, entry);
      }
      entry.count++;
      const joined = entry;
      let left = false;
      return () => {
        if (left || entries.get(name) !== joined) return;
        left = true;
        joined.count--;
        if (joined.count === 0 && !joined.releaseQueued) {
          joined.releaseQueued = true;
          queueMicrotask(() => releaseIfUnused(name, joined));
        }
      };
    },
    names: () => [...entries].filter(([, e]) => e.count > 0).map(([name]) => name),
    count: (name) => entries.get(name)?.count ?? 0,
    close() {
      closed = true;
      const all = [...entries.values()];
      entries.clear();
      for (const entry of all) entry.release();
    },
  };
}

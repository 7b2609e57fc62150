import { describe, expect, it } from "vitest";
import { act, screen, waitFor } from "@testing-library/react";
import { useQuery } from "@tanstack/react-query";
import { queryKeys } from "@/lib/query-keys";
import { INVALIDATE_EVENT } from "@/lib/realtime";
import { resourceChannel } from "@/backend/realtime/channels";
import { commentThreadSignal } from "@/backend/realtime/signals";
import { useResourceChannel } from "@/components/providers/RealtimeProvider";
import { uuid } from "../../helpers/uuids";
import { newQueryClient, renderApp } from "../support/app";
import { FAKE_CONFIG, createFakePusher } from "../support/fake-pusher";

/**
 * TanStack v5 does not restart a query's fetch in flight when the query has no data yet: an invalidation during a
 * page's first load, or during a fetch someone else started, joins that fetch, whose answer may have been computed
 * before the write the signal announces. The provider's default (coalescing) invalidator must still end on the
 * write: at least one fetch starts after the signal, and never two at once.
 */
const ARTICLE = uuid("article:signal-during-fetch");
const CHANNEL = resourceChannel("ARTICLE", ARTICLE);
const KEY = queryKeys.comments(ARTICLE, "ARTICLE");
const SIGNAL = commentThreadSignal({ resource_type: "ARTICLE", resource_id: ARTICLE }).signal;

/** A server whose reads take a snapshot when they start and answer when the test lets them. */
function slowServer() {
  let value = "old";
  const reads: Array<{ snapshot: string; release: () => void }> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const read = () => {
    const snapshot = value;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    return new Promise<string>((resolve) =>
      reads.push({
        snapshot,
        release: () => {
          inFlight--;
          resolve(snapshot);
        },
      }),
    );
  };
  return {
    read,
    reads,
    write: (next: string) => void (value = next),
    maxInFlight: () => maxInFlight,
    /** Answers every read started so far, then the ones they cause, until none is pending. */
    async drain() {
      for (let released = 0; ; ) {
        await act(async () => {
          await new Promise((r) => setTimeout(r, 20));
        });
        const pending = reads.slice(released);
        if (pending.length === 0) return;
        released = reads.length;
        await act(async () => pending.forEach((r) => r.release()));
      }
    },
  };
}

function Comments({ read }: { read: () => Promise<string> }) {
  useResourceChannel("ARTICLE", ARTICLE);
  const { data } = useQuery({ queryKey: KEY, queryFn: read, staleTime: Infinity, retry: false });
  return <p data-testid="comments">{data ?? "loading"}</p>;
}

/** The provider's default (coalescing) invalidator; only pusher-js is replaced. */
function setup(server: ReturnType<typeof slowServer>, queryClient = newQueryClient()) {
  const fake = createFakePusher();
  renderApp(<Comments read={server.read} />, { config: FAKE_CONFIG, createPusher: fake.factory, queryClient });
  const signal = () => act(() => fake.emit(CHANNEL, INVALIDATE_EVENT, SIGNAL));
  return { fake, signal };
}

describe("a signal while a fetch of its key is in flight", () => {
  it("during the page's first load: the first read answers with the old value, and the page still ends on the new one", async () => {
    const server = slowServer();
    const { signal } = setup(server);
    await waitFor(() => expect(server.reads).toHaveLength(1)); // the first load is in flight, no data yet
    server.write("new");
    await signal();
    await server.drain();
    expect(server.reads[0].snapshot).toBe("old"); // the joined first read was computed before the write
    expect(screen.getByTestId("comments").textContent).toBe("new");
    expect(server.reads).toHaveLength(2); // exactly one more read, started after the signal
    expect(server.maxInFlight()).toBe(1);
  });

  it("during a fetch someone else started before the page mounted (a prefetch of a query without data)", async () => {
    const server = slowServer();
    const queryClient = newQueryClient();
    // No observer yet: someone else prefetches; then the page mounts and joins it.
    void queryClient.prefetchQuery({ queryKey: KEY, queryFn: server.read });
    const { fake, signal } = setup(server, queryClient);
    await waitFor(() => expect(fake.subscribed()).toContain(CHANNEL));
    server.write("new");
    await signal();
    await server.drain();
    expect(screen.getByTestId("comments").textContent).toBe("new");
    expect(server.maxInFlight()).toBe(1);
  });

  it("a burst during the first load still costs one read after the first, and never two at once", async () => {
    const server = slowServer();
    const { signal } = setup(server);
    await waitFor(() => expect(server.reads).toHaveLength(1));
    for (let i = 1; i <= 20; i++) {
      server.write(`v${i}`);
      await signal();
    }
    await server.drain();
    expect(screen.getByTestId("comments").textContent).toBe("v20");
    expect(server.reads.length).toBeLessThanOrEqual(3); // the first load, plus at most one run and one trailing
    expect(server.maxInFlight()).toBe(1);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { act, cleanup, render, screen, waitFor } from "@testing-library/react";
import { QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query";
import { queryKeys } from "@/lib/query-keys";
import { resourceChannel } from "@/lib/realtime/channels";
import { RealtimeProvider, useResourceChannel } from "@/lib/realtime/client";
import { INVALIDATE_EVENT } from "@/lib/realtime/signal";
import { FAKE_CONFIG, createFakePusher } from "./fake-pusher";

/**
 * TanStack v5 does not restart a query's fetch in flight when the query has no data yet: an invalidation during a
 * page's first load, or during a fetch someone else started, joins that fetch, whose answer may have been computed
 * before the write the signal announces. The provider's default (coalescing) invalidator must still end on the
 * write: at least one fetch starts after the signal, and never two at once.
 */
const ARTICLE = 7;
const KEY = queryKeys.comments(ARTICLE, "ARTICLE");
const SIGNAL = { scope: "comments", ids: { resource_id: ARTICLE, resource_type: "ARTICLE" } };

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

function setup(server: ReturnType<typeof slowServer>) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const fake = createFakePusher();
  render(
    <QueryClientProvider client={queryClient}>
      <RealtimeProvider config={FAKE_CONFIG} userId={null} createPusher={fake.factory}>
        <Comments read={server.read} />
      </RealtimeProvider>
    </QueryClientProvider>,
  );
  const signal = () => act(() => fake.emit(resourceChannel("ARTICLE", ARTICLE), INVALIDATE_EVENT, SIGNAL));
  return { queryClient, signal };
}

afterEach(() => cleanup());

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
    const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const fake = createFakePusher();
    // No observer yet: someone else prefetches; then the page mounts and joins it.
    void queryClient.prefetchQuery({ queryKey: KEY, queryFn: server.read });
    render(
      <QueryClientProvider client={queryClient}>
        <RealtimeProvider config={FAKE_CONFIG} userId={null} createPusher={fake.factory}>
          <Comments read={server.read} />
        </RealtimeProvider>
      </QueryClientProvider>,
    );
    await waitFor(() => expect(fake.subscribed()).toContain(resourceChannel("ARTICLE", ARTICLE)));
    server.write("new");
    await act(() => fake.emit(resourceChannel("ARTICLE", ARTICLE), INVALIDATE_EVENT, SIGNAL));
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

import { StrictMode } from "react";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { render, screen, waitFor } from "@testing-library/react";
import { QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query";
import PusherServer from "pusher";
import PusherJs from "pusher-js";
import { queryKeys } from "@/lib/query-keys";
import { userChannel } from "@/lib/realtime/channels";
import {
  RealtimeProvider,
  useRealtimeStatus,
  useResourceChannel,
  useUserChannel,
  type PusherFactory,
  type RealtimeClientConfig,
} from "@/lib/realtime/client";
import { startSoketi, type SoketiHandle } from "../../helpers/soketi";
import { configFor, serverFor, subscriptionCount, trackingFactory } from "./resilience-harness";

const USER = 42;
let soketi: SoketiHandle;
let server: PusherServer;
let config: RealtimeClientConfig;

beforeAll(async () => {
  soketi = await startSoketi();
  server = serverFor(soketi);
  config = configFor(soketi);
});
afterAll(() => soketi?.stop());

function ArticleWatcher({ id }: { id: number }) {
  useResourceChannel("ARTICLE", id);
  return null;
}

function Probe({ fetches, watchers = 0 }: { fetches: Record<string, number>; watchers?: number }) {
  useUserChannel(); // a second member of the channel the provider already joined
  const status = useRealtimeStatus();
  const counted = (name: string) => async () => {
    fetches[name] = (fetches[name] ?? 0) + 1;
    return fetches[name];
  };
  const notifications = useQuery({ queryKey: queryKeys.myNotifications(), queryFn: counted("notifications") });
  const unread = useQuery({ queryKey: queryKeys.unreadNotificationCount(), queryFn: counted("unread") });
  const gists = useQuery({ queryKey: queryKeys.gists(), queryFn: counted("gists") });
  return (
    <div>
      <span data-testid="status">{status}</span>
      <span data-testid="n">{notifications.data}</span>
      <span data-testid="u">{unread.data}</span>
      <span data-testid="g">{gists.data}</span>
      {Array.from({ length: watchers }, (_, i) => (
        <ArticleWatcher key={i} id={7} />
      ))}
    </div>
  );
}

function renderApp(userId: number | null, factory: PusherFactory, fetches: Record<string, number>) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, retry: false } } });
  const ui = (uid: number | null, watchers = 0) => (
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <RealtimeProvider config={config} userId={uid} createPusher={factory}>
          <Probe fetches={fetches} watchers={watchers} />
        </RealtimeProvider>
      </QueryClientProvider>
    </StrictMode>
  );
  const view = render(ui(userId));
  return {
    ...view,
    queryClient,
    rerenderUser: (uid: number | null) => view.rerender(ui(uid)),
    setWatchers: (n: number) => view.rerender(ui(userId, n)),
  };
}

describe("RealtimeProvider + useUserChannel (jsdom, real Soketi, StrictMode)", () => {
  it("refetches exactly the notification queries on a signal, with one subscription, and disconnects on sign-out", async () => {
    const { factory, created, subscribeFrames } = trackingFactory(server, PusherJs);
    const fetches: Record<string, number> = {};
    const channel = userChannel(USER);
    const app = renderApp(USER, factory, fetches);

    await waitFor(() => expect(screen.getByTestId("status").textContent).toBe("connected"), { timeout: 10_000 });
    await waitFor(async () => expect(await subscriptionCount(server, channel)).toBe(1), { timeout: 5_000 });
    await waitFor(() => expect(screen.getByTestId("g").textContent).toBe("1"));
    // StrictMode mounted everything twice; still one socket and one subscribe.
    expect(created).toHaveLength(1);
    expect(subscribeFrames).toEqual([channel]);

    await server.trigger(channel, "invalidate", { scope: "notifications" });
    await waitFor(() => {
      expect(screen.getByTestId("n").textContent).toBe("2");
      expect(screen.getByTestId("u").textContent).toBe("2");
    });
    expect(fetches.gists).toBe(1);
    expect(app.queryClient.getQueryState(queryKeys.gists())?.isInvalidated).toBe(false);

    // Malformed, unknown, and wrong-channel signals change nothing.
    await server.trigger(channel, "invalidate", { scope: "nope" });
    await server.trigger(channel, "invalidate", "not json {");
    await server.trigger(channel, "invalidate", { scope: "comments" });
    await server.trigger(channel, "invalidate", { scope: "tag-articles", ids: { tag_id: 1 } });
    await server.trigger(channel, "other-event", { scope: "notifications" });
    // A valid signal sent after them proves they were delivered and processed first.
    await server.trigger(channel, "invalidate", { scope: "gists" });
    await waitFor(() => expect(screen.getByTestId("g").textContent).toBe("2"));
    expect(fetches.notifications).toBe(2);
    expect(fetches.unread).toBe(2);

    // Sign-out: the old socket goes away with its private subscription.
    app.rerenderUser(null);
    await waitFor(() => expect(created[0].connection.state).toBe("disconnected"));
    await waitFor(async () => expect(await subscriptionCount(server, channel)).toBe(0), { timeout: 5_000 });
    expect(screen.getByTestId("status").textContent).toBe("disabled");

    app.unmount();
  });

  it("components mounted later under StrictMode share one subscription, released when the last unmounts", async () => {
    const { factory, subscribeFrames } = trackingFactory(server, PusherJs);
    const app = renderApp(USER, factory, {});
    await waitFor(() => expect(screen.getByTestId("status").textContent).toBe("connected"), { timeout: 10_000 });
    const article = "private-resource.ARTICLE.7";

    app.setWatchers(2); // each effect runs, is cleaned up, and runs again
    await waitFor(async () => expect(await subscriptionCount(server, article)).toBe(1), { timeout: 5_000 });
    expect(subscribeFrames.filter((c) => c === article)).toHaveLength(1);

    app.setWatchers(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(await subscriptionCount(server, article)).toBe(1);

    app.setWatchers(0);
    await waitFor(async () => expect(await subscriptionCount(server, article)).toBe(0), { timeout: 5_000 });
    expect(subscribeFrames.filter((c) => c === article)).toHaveLength(1);
    // The user channel was never disturbed by the resource channel's churn.
    expect(await subscriptionCount(server, userChannel(USER))).toBe(1);
    app.unmount();
    await waitFor(async () => expect(await subscriptionCount(server, userChannel(USER))).toBe(0), { timeout: 5_000 });
  });

  it("with a null config runs the disabled implementation and never opens a socket", async () => {
    const { factory, created } = trackingFactory(server, PusherJs);
    const queryClient = new QueryClient();
    render(
      <QueryClientProvider client={queryClient}>
        <RealtimeProvider config={null} userId={USER} createPusher={factory}>
          <Probe fetches={{}} />
        </RealtimeProvider>
      </QueryClientProvider>,
    );
    await waitFor(() => expect(screen.getByTestId("n").textContent).toBe("1"));
    expect(screen.getByTestId("status").textContent).toBe("disabled");
    expect(created).toHaveLength(0);
  });
});

import { describe, expect, it } from "vitest";
import { render, screen, waitFor } from "@testing-library/react";
import { QueryClientProvider, useQuery } from "@tanstack/react-query";
import PusherJs from "pusher-js";
import { queryKeys } from "@/lib/query-keys";
import { useRealtimeChannel, useRealtimeStatus } from "@/lib/realtime/client";
import { resourceChannel, tagChannel, userChannel } from "@/backend/realtime/channels";
import { commentThreadSignal, gistSignals, notificationsSignal } from "@/backend/realtime/signals";
import { RealtimeProvider as AppRealtimeProvider, useResourceChannel } from "@/components/providers/RealtimeProvider";
import { uuid } from "../../helpers/uuids";
import { newQueryClient, renderApp } from "../support/app";
import { BROKER_WAIT, liveBroker, startAuthStandIn } from "../support/broker";

/**
 * The provider's connection and channel registry on the real Soketi with real pusher-js, under StrictMode: one
 * socket per tab, the user channel joined for as long as the provider lives, resource channels ref-counted across
 * components, and everything released on sign-out.
 */
const broker = liveBroker();
const USER = uuid("provider-user");
const ARTICLE = uuid("article:provider");
const USER_CH = userChannel(USER);
const ARTICLE_CH = resourceChannel("ARTICLE", ARTICLE);

function ArticleWatcher() {
  useResourceChannel("ARTICLE", ARTICLE);
  return null;
}

function Probe({ fetches, watchers = 0, member = USER_CH }: { fetches: Record<string, number>; watchers?: number; member?: string | null }) {
  useRealtimeChannel(member); // a second member of the user channel the provider already joined
  const status = useRealtimeStatus();
  const counted = (name: string) => async () => {
    fetches[name] = (fetches[name] ?? 0) + 1;
    return fetches[name];
  };
  const notifications = useQuery({ queryKey: queryKeys.myNotifications(), queryFn: counted("notifications") });
  const unread = useQuery({ queryKey: queryKeys.unreadNotificationCount(), queryFn: counted("unread") });
  const gists = useQuery({ queryKey: queryKeys.gists(), queryFn: counted("gists") });
  const comments = useQuery({ queryKey: queryKeys.comments(ARTICLE, "ARTICLE"), queryFn: counted("comments") });
  return (
    <div>
      <span data-testid="status">{status}</span>
      <span data-testid="n">{notifications.data}</span>
      <span data-testid="u">{unread.data}</span>
      <span data-testid="g">{gists.data}</span>
      <span data-testid="c">{comments.data}</span>
      {Array.from({ length: watchers }, (_, i) => (
        <ArticleWatcher key={i} />
      ))}
    </div>
  );
}

const text = (id: string) => screen.getByTestId(id).textContent;
const connected = () => waitFor(() => expect(text("status")).toBe("connected"), BROKER_WAIT);

describe("RealtimeProvider on a real broker (jsdom, real Soketi, StrictMode)", () => {
  it("refetches exactly the keys of a user-channel signal, over one socket and one subscription, and disconnects on sign-out", async () => {
    const { factory, created, subscribeFrames } = broker.clients(PusherJs);
    const fetches: Record<string, number> = {};
    const app = renderApp(<Probe fetches={fetches} />, { config: broker.config, userId: USER, createPusher: factory, strict: true });

    await connected();
    await broker.subscribedTo(USER_CH);
    await waitFor(() => expect(text("g")).toBe("1"));
    // StrictMode mounted everything twice; still one socket and one subscribe.
    expect(created).toHaveLength(1);
    expect(subscribeFrames).toEqual([USER_CH]);

    await broker.publish(notificationsSignal(USER));
    await waitFor(() => {
      expect(text("n")).toBe("2");
      expect(text("u")).toBe("2");
    });
    expect(fetches.gists).toBe(1);
    expect(app.queryClient.getQueryState(queryKeys.gists())?.isInvalidated).toBe(false);

    // Malformed, unknown, and wrong-channel signals change nothing (the publisher would refuse them: sent raw).
    await broker.trigger(USER_CH, { scope: "nope" });
    await broker.trigger(USER_CH, "not json {");
    await broker.trigger(USER_CH, { scope: "comments" });
    await broker.trigger(USER_CH, { scope: "tag-articles", ids: { tag_id: uuid("tag:provider") } });
    await broker.trigger(USER_CH, { scope: "notifications" }, "other-event");
    // A valid signal sent after them on the same channel proves they were delivered and handled first.
    await broker.publish(gistSignals(USER, null));
    await waitFor(() => expect(text("g")).toBe("2"));
    expect(fetches.notifications).toBe(2);
    expect(fetches.unread).toBe(2);

    // Sign-out: the old socket goes away with its private subscription.
    app.update({ ui: <Probe fetches={fetches} member={null} />, options: { userId: null } });
    await waitFor(() => expect(created[0].connection.state).toBe("disconnected"));
    await broker.subscribedTo(USER_CH, 0);
    expect(text("status")).toBe("disabled");
    app.unmount();
  });

  it("components mounted later under StrictMode share one subscription, kept while any of them stays, released when the last unmounts", async () => {
    const { factory, subscribeFrames } = broker.clients(PusherJs);
    const fetches: Record<string, number> = {};
    const app = renderApp(<Probe fetches={fetches} />, { config: broker.config, userId: USER, createPusher: factory, strict: true });
    await connected();
    await waitFor(() => expect(text("c")).toBe("1"));

    app.update({ ui: <Probe fetches={fetches} watchers={2} /> }); // each effect runs, is cleaned up, and runs again
    await broker.subscribedTo(ARTICLE_CH);
    expect(subscribeFrames.filter((c) => c === ARTICLE_CH)).toHaveLength(1);

    // One of the two leaves: the channel still delivers.
    app.update({ ui: <Probe fetches={fetches} watchers={1} /> });
    await broker.publish(commentThreadSignal({ resource_type: "ARTICLE", resource_id: ARTICLE }));
    await waitFor(() => expect(text("c")).toBe("2"));
    expect(await broker.subscriptionCount(ARTICLE_CH)).toBe(1);

    app.update({ ui: <Probe fetches={fetches} watchers={0} /> });
    await broker.subscribedTo(ARTICLE_CH, 0);
    expect(subscribeFrames.filter((c) => c === ARTICLE_CH)).toHaveLength(1);
    // The user channel was never disturbed by the resource channel's churn.
    expect(await broker.subscriptionCount(USER_CH)).toBe(1);
    app.unmount();
    await broker.subscribedTo(USER_CH, 0);
  });

  it("with a null config runs the disabled implementation and never opens a socket", async () => {
    const { factory, created } = broker.clients(PusherJs);
    renderApp(<Probe fetches={{}} />, { config: null, userId: USER, createPusher: factory });
    await waitFor(() => expect(text("n")).toBe("1"));
    expect(text("status")).toBe("disabled");
    expect(created).toHaveLength(0);
  });
});

describe("the app's RealtimeProvider (src/components/providers/RealtimeProvider.tsx), unmodified", () => {
  it("connects with the production pusher-js class, signs the socket in at config.signinEndpoint before the user's channel at config.authEndpoint, and maps signals with the app's registry", async () => {
    const auth = await startAuthStandIn(broker.server);
    try {
      const queryClient = newQueryClient();
      const fetches: Record<string, number> = {};
      const view = render(
        <QueryClientProvider client={queryClient}>
          <AppRealtimeProvider config={{ ...broker.config, authEndpoint: auth.url, signinEndpoint: auth.signinUrl }} userId={USER}>
            <Probe fetches={fetches} />
          </AppRealtimeProvider>
        </QueryClientProvider>,
      );
      await connected();
      await broker.subscribedTo(USER_CH);
      expect(auth.requests).toEqual([USER_CH]);
      expect(auth.signins).toHaveLength(1);

      await broker.publish(notificationsSignal(USER));
      await waitFor(() => expect(text("n")).toBe("2"));
      // A public channel needs no signature.
      const tag = tagChannel(uuid("tag:provider"));
      function TagWatcher() {
        useRealtimeChannel(tag);
        return null;
      }
      view.rerender(
        <QueryClientProvider client={queryClient}>
          <AppRealtimeProvider config={{ ...broker.config, authEndpoint: auth.url, signinEndpoint: auth.signinUrl }} userId={USER}>
            <Probe fetches={fetches} />
            <TagWatcher />
          </AppRealtimeProvider>
        </QueryClientProvider>,
      );
      await broker.subscribedTo(tag);
      expect(auth.requests).toEqual([USER_CH]);
      view.unmount();
      await broker.subscribedTo(USER_CH, 0);
    } finally {
      await auth.close();
    }
  });
});

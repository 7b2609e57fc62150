import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { ReactNode } from "react";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import PusherServer from "pusher";
import PusherJs from "pusher-js";
import { queryKeys } from "@/lib/query-keys";
import { articleFeedChannel, profileChannel, resourceChannel, tagChannel, userChannel } from "@/lib/realtime/channels";
import { RealtimeProvider, type PusherFactory, type RealtimeClientConfig } from "@/lib/realtime/client";
import { CurrentUserProvider, type CurrentUser } from "@/components/session/CurrentUser";
import { startSoketi, type SoketiHandle } from "../../helpers/soketi";
import { configFor, serverFor, subscriptionCount } from "./resilience-harness";

const actions = vi.hoisted(() => ({
  getGist: vi.fn(),
  gistList: vi.fn(),
  deleteMyGist: vi.fn(),
  articleFeed: vi.fn(),
  tagArticles: vi.fn(),
  userArticleFeed: vi.fn(),
  getUserProfile: vi.fn(),
  updateMyProfile: vi.fn(),
  mySessions: vi.fn(),
  deleteSession: vi.fn(),
  currentSessionStatus: vi.fn(),
  getComments: vi.fn(),
  getResourceReactions: vi.fn(),
}));
const router = vi.hoisted(() => ({ replace: vi.fn(), refresh: vi.fn(), push: vi.fn() }));

vi.mock("next/navigation", () => ({ useRouter: () => router, usePathname: () => "/" }));
vi.mock("@/backend/services/gist.actions", () => ({
  getGist: actions.getGist,
  gistList: actions.gistList,
  deleteMyGist: actions.deleteMyGist,
}));
vi.mock("@/backend/services/article.actions", () => ({
  articleFeed: actions.articleFeed,
  tagArticles: actions.tagArticles,
  userArticleFeed: actions.userArticleFeed,
}));
vi.mock("@/backend/services/user.actions", () => ({
  getUserProfile: actions.getUserProfile,
  updateMyProfile: actions.updateMyProfile,
}));
vi.mock("@/backend/services/session.actions", () => ({
  mySessions: actions.mySessions,
  deleteSession: actions.deleteSession,
  currentSessionStatus: actions.currentSessionStatus,
}));
vi.mock("@/backend/services/comment.action", () => ({
  getComments: actions.getComments,
  createMyComment: vi.fn(),
  updateMyComment: vi.fn(),
  deleteMyComment: vi.fn(),
}));
vi.mock("@/backend/services/reaction.actions", () => ({
  getResourceReactions: actions.getResourceReactions,
  toggleResourceReaction: vi.fn(),
}));

import { GistView } from "@/components/gist/GistView";
import { GistList } from "@/components/gist/GistList";
import { HomeFeed } from "@/components/article/HomeFeed";
import { TagFeed } from "@/components/article/TagFeed";
import { ProfileView } from "@/components/user/ProfileView";
import { SessionList } from "@/components/dashboard/SessionList";
import { ProfileForm } from "@/components/dashboard/ProfileForm";
import { SessionWatcher } from "@/components/session/SessionWatcher";

const alice: CurrentUser = { id: 1, username: "alice", name: "Alice Rahman" };
const bob: CurrentUser = { id: 2, username: "bob", name: "Bob Karim" };
const okResult = <T,>(data: T) => ({ ok: true as const, data });

let soketi: SoketiHandle;
let server: PusherServer;
let config: RealtimeClientConfig;
const created: PusherJs[] = [];
/** Channels pusher-js asked the (stand-in) auth endpoint to sign. */
const signed: string[] = [];

beforeAll(async () => {
  soketi = await startSoketi();
  server = serverFor(soketi);
  config = configFor(soketi);
});
afterAll(async () => {
  for (const p of created) p.disconnect();
  await soketi?.stop();
});
beforeEach(() => {
  vi.clearAllMocks();
  signed.length = 0;
  actions.getComments.mockResolvedValue(okResult([]));
  actions.getResourceReactions.mockResolvedValue(okResult([]));
  // This device's session is valid for whoever renderLive() signed in, unless a test says otherwise.
  actions.currentSessionStatus.mockImplementation(async () => okResult({ user_id: signedIn?.id ?? null, session_id: 10 }));
});
let signedIn: CurrentUser | null = null;

/** Real pusher-js on the real Soketi; only the auth transport is replaced (jsdom has no app server to POST to). */
const factory: PusherFactory = (key, options) => {
  const pusher = new PusherJs(key, {
    ...options,
    channelAuthorization: {
      customHandler: ({ socketId, channelName }, cb) => {
        signed.push(channelName);
        cb(null, server.authorizeChannel(socketId, channelName));
      },
    },
  });
  created.push(pusher);
  return pusher;
};

const subscribedTo = (channel: string, n = 1) =>
  waitFor(async () => expect(await subscriptionCount(server, channel)).toBe(n), { timeout: 10_000 });
const signal = (channel: string, data: unknown) => server.trigger(channel, "invalidate", data);

function renderLive(ui: ReactNode, user: CurrentUser | null) {
  signedIn = user;
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
  const view = render(
    <QueryClientProvider client={queryClient}>
      <CurrentUserProvider user={user}>
        <RealtimeProvider config={config} userId={user?.id ?? null} createPusher={factory}>
          <SessionWatcher />
          {ui}
        </RealtimeProvider>
      </CurrentUserProvider>
    </QueryClientProvider>,
  );
  return { ...view, queryClient };
}

const at = new Date(Date.UTC(2026, 0, 15));
const gist = (over: Record<string, unknown> = {}) => ({
  id: 5,
  title: "debounce.ts",
  description: "",
  is_public: true,
  created_at: at,
  updated_at: at,
  owner: { id: bob.id, username: "bob", name: "Bob Karim" },
  files: [{ id: 1, filename: "debounce.ts", language: "typescript", content: "export {}" }],
  ...over,
});
const article = (id: number, title: string) => ({
  id,
  title,
  handle: `a-${id}`,
  excerpt: "",
  published_at: at,
  author: { id: alice.id, username: "alice", name: "Alice Rahman" },
  tags: [{ id: 3, name: "nextjs" }],
});

describe("gist and gists scopes", () => {
  it("a gist signal refetches that gist only; once it is gone the page says so and leaves the channel", async () => {
    actions.getGist.mockResolvedValueOnce(okResult(gist({ title: "debounce v2" })));
    const app = renderLive(<GistView initialGist={gist()} />, null);
    const channel = resourceChannel("GIST", 5);
    await subscribedTo(channel);
    await waitFor(() => expect(actions.getComments).toHaveBeenCalledTimes(1));

    await signal(channel, { scope: "gist", ids: { id: 5 } });
    await screen.findByRole("heading", { name: "debounce v2" });
    expect(actions.getGist).toHaveBeenCalledTimes(1);
    expect(actions.getComments).toHaveBeenCalledTimes(1);
    // Another gist's signal on this channel is ignored by the page (its key is not on screen).
    await signal(channel, { scope: "gist", ids: { id: 6 } });

    actions.getGist.mockResolvedValue({ ok: false, error: { code: "NOT_FOUND", message: "No such gist." } });
    await signal(channel, { scope: "gist", ids: { id: 5 } });
    await screen.findByText("This gist was deleted or made private.");
    expect(screen.queryByRole("alert")).toBeNull(); // a notice, not an error
    await subscribedTo(channel, 0);
    expect(app.queryClient.getQueryData(queryKeys.gist(5))).toBeNull();
    app.unmount();
  });

  it("the owner's view of a vanished gist says it was deleted", async () => {
    actions.getGist.mockResolvedValue({ ok: false, error: { code: "NOT_FOUND", message: "No such gist." } });
    const app = renderLive(<GistView initialGist={gist()} />, bob);
    await subscribedTo(resourceChannel("GIST", 5));
    await signal(resourceChannel("GIST", 5), { scope: "gist", ids: { id: 5 } });
    await screen.findByText("This gist was deleted.");
    app.unmount();
  });

  it("a gists signal on the user's channel refetches the gist list", async () => {
    const summary = (id: number, title: string) => ({ ...gist({ id, title }), files_count: 1 });
    actions.gistList.mockResolvedValueOnce(okResult([summary(5, "debounce.ts")]));
    actions.gistList.mockResolvedValueOnce(okResult([summary(9, "fresh.ts"), summary(5, "debounce.ts")]));
    const app = renderLive(<GistList />, bob);
    await screen.findByText("debounce.ts");
    await subscribedTo(userChannel(bob.id));
    await signal(userChannel(bob.id), { scope: "gists" });
    await screen.findByText("fresh.ts");
    expect(actions.gistList).toHaveBeenCalledTimes(2);
    app.unmount();
  });
});

describe("public feeds: tag, profile and user card", () => {
  it("tag-articles on tag.{id} refetches that tag's feed; the subscription needed no authorization", async () => {
    actions.tagArticles.mockResolvedValueOnce(okResult([article(1, "Hello, realtime")]));
    actions.tagArticles.mockResolvedValueOnce(okResult([article(2, "Fresh on nextjs"), article(1, "Hello, realtime")]));
    const app = renderLive(<TagFeed tag={{ id: 3, name: "nextjs" }} />, null);
    await screen.findByText("Hello, realtime");
    await subscribedTo(tagChannel(3));
    await signal(tagChannel(3), { scope: "tag-articles", ids: { tag_id: 4 } }); // another tag's key: nothing here
    await signal(tagChannel(3), { scope: "tag-articles", ids: { tag_id: 3 } });
    await screen.findByText("Fresh on nextjs");
    expect(actions.tagArticles).toHaveBeenCalledTimes(2);
    expect(signed).toEqual([]);
    app.unmount();
  });

  it("profile.{id} carries the article feed and the user card", async () => {
    actions.userArticleFeed.mockResolvedValueOnce(okResult([article(1, "Hello, realtime")]));
    actions.userArticleFeed.mockResolvedValueOnce(okResult([article(2, "Second post"), article(1, "Hello, realtime")]));
    actions.getUserProfile.mockResolvedValueOnce(okResult({ id: alice.id, username: "alice", name: "Alice R.", bio: "new bio" }));
    const initial = { id: alice.id, username: "alice", name: "Alice Rahman", bio: "" };
    const app = renderLive(<ProfileView initialProfile={initial} />, null);
    await screen.findByText("Hello, realtime");
    await subscribedTo(profileChannel(alice.id));

    await signal(profileChannel(alice.id), { scope: "user-article-feed", ids: { user_id: alice.id } });
    await screen.findByText("Second post");
    expect(actions.getUserProfile).not.toHaveBeenCalled();

    await signal(profileChannel(alice.id), { scope: "user", ids: { user_id: alice.id } });
    await screen.findByRole("heading", { name: "Alice R." });
    expect(screen.getByText("new bio")).toBeTruthy();
    expect(actions.userArticleFeed).toHaveBeenCalledTimes(2);
    expect(signed).toEqual([]);
    app.unmount();
  });

  it("the settings form takes a profile saved on another device, unless it holds edits of its own", async () => {
    actions.getUserProfile.mockResolvedValueOnce(okResult({ id: alice.id, username: "alice", name: "Alice (phone)", bio: "" }));
    actions.getUserProfile.mockResolvedValueOnce(okResult({ id: alice.id, username: "alice", name: "Alice (tablet)", bio: "" }));
    const app = renderLive(<ProfileForm me={{ id: alice.id, username: "alice", name: "Alice Rahman", bio: "" }} />, alice);
    await subscribedTo(userChannel(alice.id));
    const name = screen.getByLabelText("Name") as HTMLInputElement;

    await signal(userChannel(alice.id), { scope: "user", ids: { user_id: alice.id } });
    await waitFor(() => expect(name.value).toBe("Alice (phone)"));

    fireEvent.change(name, { target: { value: "Typing here" } });
    await signal(userChannel(alice.id), { scope: "user", ids: { user_id: alice.id } });
    await screen.findByText("Your profile was changed on another device.");
    expect(name.value).toBe("Typing here");
    fireEvent.click(screen.getByRole("button", { name: "Load the saved version" }));
    expect(name.value).toBe("Alice (tablet)");
    app.unmount();
  });
});

describe("sessions scope and the SessionWatcher", () => {
  const row = (id: number, current: boolean) => ({
    id,
    device: current ? "Chrome on Linux" : `Phone ${id}`,
    ip: "",
    last_action_at: at,
    created_at: at,
    current,
  });

  it("refreshes the sessions list and re-checks this device's session; a still-valid session stays", async () => {
    actions.mySessions.mockResolvedValueOnce([row(10, true)]);
    actions.mySessions.mockResolvedValueOnce([row(10, true), row(11, false)]);
    const app = renderLive(<SessionList />, alice);
    await screen.findByTestId("session-10");
    await subscribedTo(userChannel(alice.id));
    // The server render already vouched for the session: no request until something happens.
    expect(actions.currentSessionStatus).not.toHaveBeenCalled();

    await signal(userChannel(alice.id), { scope: "sessions", ids: { session_id: 11 } });
    await screen.findByTestId("session-11");
    await waitFor(() => expect(actions.currentSessionStatus).toHaveBeenCalledTimes(1));
    expect(router.replace).not.toHaveBeenCalled();
    expect(created.at(-1)!.connection.state).toBe("connected");
    app.unmount();
  });

  it("a revoked device disconnects, drops its cache and goes to the login page; it hears nothing more", async () => {
    actions.mySessions.mockResolvedValue([row(10, true), row(11, false)]);
    const app = renderLive(<SessionList />, alice);
    await screen.findByTestId("session-11");
    const channel = userChannel(alice.id);
    await subscribedTo(channel);
    const pusher = created.at(-1)!;
    const heard: unknown[] = [];
    pusher.connection.bind("message", (m: { event?: string; channel?: string }) => {
      if (m.event === "invalidate") heard.push(m);
    });

    actions.currentSessionStatus.mockResolvedValue(okResult({ user_id: null, session_id: null }));
    await signal(channel, { scope: "sessions", ids: { session_id: 10 } });
    await waitFor(() => expect(router.replace).toHaveBeenCalledWith("/login"));
    expect(router.refresh).toHaveBeenCalled();
    expect(pusher.connection.state).toBe("disconnected");
    expect(app.queryClient.getQueryCache().getAll()).toEqual([]);
    await subscribedTo(channel, 0);

    const before = heard.length;
    await signal(channel, { scope: "notifications" });
    await new Promise((r) => setTimeout(r, 300));
    expect(heard.length).toBe(before);
    app.unmount();
  });
});

describe("article-feed scope: the home feed's New articles pill", () => {
  it("a signal raises the pill without refetching; clicking refetches once and shows the article", async () => {
    actions.articleFeed.mockResolvedValueOnce(okResult([article(1, "Hello, realtime")]));
    actions.articleFeed.mockResolvedValueOnce(okResult([article(2, "Brand new"), article(1, "Hello, realtime")]));
    const app = renderLive(<HomeFeed />, null);
    await screen.findByText("Hello, realtime");
    await subscribedTo(articleFeedChannel());
    expect(screen.queryByRole("button", { name: "New articles" })).toBeNull();

    await signal(articleFeedChannel(), { scope: "article-feed" });
    const pill = await screen.findByRole("button", { name: "New articles" });
    expect(actions.articleFeed).toHaveBeenCalledTimes(1);
    expect(screen.queryByText("Brand new")).toBeNull();

    window.scrollTo = vi.fn() as never;
    fireEvent.click(pill);
    await screen.findByText("Brand new");
    await waitFor(() => expect(screen.queryByRole("button", { name: "New articles" })).toBeNull());
    expect(actions.articleFeed).toHaveBeenCalledTimes(2);
    expect(signed).toEqual([]); // a public channel

    // The next signal raises it again.
    await signal(articleFeedChannel(), { scope: "article-feed" });
    await screen.findByRole("button", { name: "New articles" });
    expect(actions.articleFeed).toHaveBeenCalledTimes(2);
    app.unmount();
  });

  it("any refetch of the feed (focus, navigation) also clears the pill", async () => {
    actions.articleFeed.mockResolvedValue(okResult([article(1, "Hello, realtime")]));
    const app = renderLive(<HomeFeed />, null);
    await screen.findByText("Hello, realtime");
    await subscribedTo(articleFeedChannel());
    await signal(articleFeedChannel(), { scope: "article-feed" });
    await screen.findByRole("button", { name: "New articles" });
    await app.queryClient.refetchQueries({ queryKey: queryKeys.articleFeed() });
    await waitFor(() => expect(screen.queryByRole("button", { name: "New articles" })).toBeNull());
    app.unmount();
  });
});

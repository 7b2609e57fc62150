import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ReactNode } from "react";
import { act, screen } from "@testing-library/react";
import type { QueryClient } from "@tanstack/react-query";
import { queryKeys } from "@/lib/query-keys";
import { createImmediateInvalidator, POLL_INTERVAL_MS, useRealtimeChannel } from "@/lib/realtime/client";
import { profileChannel, tagChannel } from "@/backend/realtime/channels";
import { useResourceChannel } from "@/components/providers/RealtimeProvider";
import { uuid } from "../../helpers/uuids";
import { FakeBackend, newQueryClient, renderApp, Watchers, type Watched } from "../support/app";
import { createFakePusher, FAKE_CONFIG, type FakePusher } from "../support/fake-pusher";

/**
 * The fallback poll and the resync, driven through the real provider with pusher-js replaced by a fake whose
 * connection state the test moves (a drop, a reconnect and its re-subscriptions). The poll is a timing policy:
 * only setInterval is faked, so its interval passes on the test's word; refetches (a few ms of real time) are
 * awaited. The immediate invalidator keeps the counts exact (coalescing has its own tests).
 */
const USER = uuid("poll-user");
const ARTICLE = uuid("article:poll");
const COMMENT = uuid("comment:poll");
const OTHER_ARTICLE = uuid("article:poll-other");
const TAG = uuid("tag:poll");

const w = (name: string, queryKey: readonly unknown[]): Watched => ({ name, queryKey });
/** What the user channel and the article's channel cover. */
const HELD = [
  w("comments", queryKeys.comments(ARTICLE, "ARTICLE")),
  w("article-reactions", queryKeys.reaction(ARTICLE, "ARTICLE")),
  w("comment-reactions", queryKeys.reaction(COMMENT, "COMMENT")),
  w("article-page", queryKeys.article("alice", "poll")),
  w("notifications", queryKeys.myNotifications()),
  w("bookmark-button", queryKeys.bookmarkStatus(ARTICLE)),
  w("other-bookmark-button", queryKeys.bookmarkStatus(OTHER_ARTICLE)),
  w("my-bookmarks", queryKeys.myBookmarks()),
  w("sessions", queryKeys.mySessions()),
];
const TAG_FEED = w("tag-feed", queryKeys.tagArticles(TAG));
const PROFILE_FEED = w("profile-feed", queryKeys.userArticleFeed(USER));
// Covered by no channel the tab holds.
const UNRELATED = w("unrelated", queryKeys.tagArticles(uuid("tag:poll-unrelated")));

function ArticlePage() {
  useResourceChannel("ARTICLE", ARTICLE);
  return null;
}
function TagAndProfilePages() {
  useRealtimeChannel(tagChannel(TAG));
  useRealtimeChannel(profileChannel(USER));
  return null;
}

let fake: FakePusher;
let backend: FakeBackend;
let queryClient: QueryClient;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
  backend = new FakeBackend({}, 5);
  queryClient = newQueryClient();
});
afterEach(() => vi.useRealTimers());

function renderTab(watched: readonly Watched[], pages = <ArticlePage />) {
  const view = renderApp(
    <>
      <Watchers backend={backend} watched={watched} />
      {pages}
    </>,
    { config: FAKE_CONFIG, userId: USER, createPusher: fake.factory, createInvalidator: createImmediateInvalidator, strict: true, queryClient },
  );
  const rerenderPages = (next: ReactNode) =>
    view.update({
      ui: (
        <>
          <Watchers backend={backend} watched={watched} />
          {next}
        </>
      ),
    });
  return { ...view, rerenderPages };
}

const status = () => screen.getByTestId("tab-status").textContent;
/** Lets refetches that started finish (real time: the backend answers in a few ms). */
const settle = () => act(() => new Promise<void>((r) => setTimeout(r, 20)));
const counts = (watched: readonly Watched[]) => Object.fromEntries(watched.map((x) => [x.name, backend.fetchCount(x.name)]));
const all = (watched: readonly Watched[], n: number) => Object.fromEntries(watched.map((x) => [x.name, n]));
/**
 * Waits for the fetch counts and for every fetch to have answered: an invalidation while a query's first fetch is
 * in flight joins that fetch (TanStack), so a count taken then would not be final. Polls on real timeouts (vi.waitFor
 * would move the faked interval clock along).
 */
async function expectCounts(watched: readonly Watched[], n: number) {
  const check = () => {
    expect(counts(watched)).toEqual(all(watched, n));
    expect(queryClient.isFetching()).toBe(0);
  };
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      return check();
    } catch {
      await settle();
    }
  }
  check();
}
const poll = () => act(() => vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS));

describe("fallback polling while offline", () => {
  beforeEach(() => {
    fake = createFakePusher();
  });

  it("refreshes every query the held channels cover at each interval (comment reactions and every bookmark button included), a channel joined meanwhile too, and stops once connected", async () => {
    const tab = renderTab([...HELD, TAG_FEED, PROFILE_FEED, UNRELATED]);
    await expectCounts([...HELD, TAG_FEED, PROFILE_FEED, UNRELATED], 1);
    expect(status()).toBe("connected");

    act(() => fake.drop());
    expect(status()).toBe("offline");
    await poll();
    await expectCounts(HELD, 2);
    await act(() => vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS - 1));
    await settle();
    expect(counts(HELD)).toEqual(all(HELD, 2)); // not before the interval is over
    await act(() => vi.advanceTimersByTimeAsync(1));
    await expectCounts(HELD, 3);

    // Pages opened while offline: their channels are polled from the next interval on.
    tab.rerenderPages(
      <>
        <ArticlePage />
        <TagAndProfilePages />
      </>,
    );
    await poll();
    await expectCounts(HELD, 4);
    await expectCounts([TAG_FEED, PROFILE_FEED], 2);

    // Back: every channel resyncs once (those joined while offline too), and the poll stops.
    act(() => fake.reconnect());
    expect(status()).toBe("connected");
    await expectCounts(HELD, 5);
    await expectCounts([TAG_FEED, PROFILE_FEED], 3);
    await act(() => vi.advanceTimersByTimeAsync(3 * POLL_INTERVAL_MS));
    await settle();
    expect(counts(HELD)).toEqual(all(HELD, 5));
    expect(counts([TAG_FEED, PROFILE_FEED])).toEqual(all([TAG_FEED, PROFILE_FEED], 3));
    expect(backend.fetchCount(UNRELATED.name)).toBe(1);
  });

  it("refreshes at once when the window regains focus or the network comes back while offline, and not while connected", async () => {
    renderTab([...HELD, UNRELATED]);
    await expectCounts(HELD, 1);
    act(() => fake.drop());
    act(() => void window.dispatchEvent(new Event("focus")));
    await expectCounts(HELD, 2);
    act(() => void window.dispatchEvent(new Event("online")));
    await expectCounts(HELD, 3);

    act(() => fake.reconnect());
    await expectCounts(HELD, 4); // the resync
    act(() => void window.dispatchEvent(new Event("focus")));
    act(() => void window.dispatchEvent(new Event("online")));
    await settle();
    expect(counts(HELD)).toEqual(all(HELD, 4));
    expect(backend.fetchCount(UNRELATED.name)).toBe(1);
  });

  it("a hidden tab skips its polls and refreshes the moment it is shown again", async () => {
    let visibility: DocumentVisibilityState = "visible";
    const spy = vi.spyOn(document, "visibilityState", "get").mockImplementation(() => visibility);
    try {
      renderTab(HELD);
      await expectCounts(HELD, 1);
      act(() => fake.drop());
      await poll();
      await expectCounts(HELD, 2);

      visibility = "hidden";
      await act(() => vi.advanceTimersByTimeAsync(3 * POLL_INTERVAL_MS));
      await settle();
      expect(counts(HELD)).toEqual(all(HELD, 2));
      visibility = "visible";
      act(() => void document.dispatchEvent(new Event("visibilitychange")));
      await expectCounts(HELD, 3);
    } finally {
      spy.mockRestore();
    }
  });
});

describe("resync on the fake connection", () => {
  it("a drop and reconnect resyncs each held channel once; a signal-free reconnect of a channel never dropped does not", async () => {
    fake = createFakePusher();
    renderTab([...HELD, UNRELATED]);
    await expectCounts(HELD, 1);
    act(() => fake.drop());
    act(() => fake.reconnect());
    await expectCounts(HELD, 2);
    // pusher-js may confirm a subscription again without a drop (nothing was missed): no refetch.
    for (const channel of fake.subscribed()) act(() => fake.emit(channel, "pusher:subscription_succeeded", {}));
    await settle();
    expect(counts(HELD)).toEqual(all(HELD, 2));
    expect(backend.fetchCount(UNRELATED.name)).toBe(1);
  });

  // A tab whose FIRST connection fails (the broker is down when the page loads: pusher-js goes "connecting" ->
  // "unavailable", the status "offline") misses every signal until it connects, so its channels resync then too.
  it("a channel joined before a first connection that failed is resynced once the connection comes up", async () => {
    fake = createFakePusher({ state: "connecting" });
    renderTab(HELD);
    await expectCounts(HELD, 1);
    expect(status()).toBe("connecting");
    act(() => fake.setState("unavailable")); // pusher-js gives up its first attempts: offline, signals are missed
    expect(status()).toBe("offline");
    act(() => fake.reconnect());
    expect(status()).toBe("connected");
    // A resync invalidates (and starts refetching) synchronously, as the subscription succeeds.
    const refreshed = HELD.filter(({ queryKey }) => {
      const state = queryClient.getQueryState(queryKey);
      return state?.isInvalidated || state?.fetchStatus === "fetching";
    });
    expect(refreshed.map((x) => x.name)).toEqual(HELD.map((x) => x.name));
    await expectCounts(HELD, 2);
  });
});

import { describe, expect, it } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { queryKeys } from "@/lib/query-keys";
import { COALESCE_POLICY, createImmediateInvalidator, type RealtimeStatus } from "@/lib/realtime/client";
import { resourceChannel, userChannel } from "@/backend/realtime/channels";
import { bookmarkSignal, commentThreadSignal, notificationsSignal, reactionSignal } from "@/backend/realtime/signals";
import { useResourceChannel } from "@/components/providers/RealtimeProvider";
import { ArticleView } from "@/components/article/ArticleView";
import { uuid } from "../../helpers/uuids";
import { FakeBackend, renderApp, Watchers, type Watched } from "../support/app";
import { BROKER_WAIT, liveBroker } from "../support/broker";
import { actions } from "../support/server-actions";
import { alice, articleDetail, bob, ok, reactionCounts, threadComment } from "../support/fixtures";

/**
 * The client's resilience on the real Soketi with real pusher-js (the production GuardedPusher), under StrictMode:
 * a burst of signals is coalesced, and signals lost while the broker was down are made up for, by the fallback poll
 * while offline and by the resync once the connection is back. The poll's timing has its own fake-timer tests
 * (fallback-polling.test.tsx).
 */
const broker = liveBroker();
const USER = uuid("resilience-user");
const ARTICLE = uuid("article:resilience");
const COMMENT = uuid("comment:resilience");
const OTHER_ARTICLE = uuid("article:resilience-other");
const USER_CH = userChannel(USER);
const ARTICLE_CH = resourceChannel("ARTICLE", ARTICLE);
const ROOT = { resource_type: "ARTICLE", resource_id: ARTICLE } as const;

const COMMENTS: Watched = { name: "comments", queryKey: queryKeys.comments(ARTICLE, "ARTICLE") };
const ARTICLE_REACTIONS: Watched = { name: "reactions", queryKey: queryKeys.reaction(ARTICLE, "ARTICLE") };
const COMMENT_REACTIONS: Watched = { name: "comment-reactions", queryKey: queryKeys.reaction(COMMENT, "COMMENT") };
const NOTIFICATIONS: Watched = { name: "notifications", queryKey: queryKeys.myNotifications() };
const UNREAD: Watched = { name: "unread", queryKey: queryKeys.unreadNotificationCount() };
const GISTS: Watched = { name: "gists", queryKey: queryKeys.gists() };
const BOOKMARK_BUTTON: Watched = { name: "bookmark-button", queryKey: queryKeys.bookmarkStatus(ARTICLE) };
// A feed lists several articles, each with its button: all of them, not only the page's article.
const OTHER_BOOKMARK_BUTTON: Watched = { name: "other-bookmark-button", queryKey: queryKeys.bookmarkStatus(OTHER_ARTICLE) };
const MY_BOOKMARKS: Watched = { name: "my-bookmarks", queryKey: queryKeys.myBookmarks() };
// Covered by no channel this tab holds: a resync must leave it alone.
const UNRELATED: Watched = { name: "unrelated", queryKey: queryKeys.tagArticles(uuid("tag:resilience-unrelated")) };
const SUBSCRIBED = [COMMENTS, ARTICLE_REACTIONS, COMMENT_REACTIONS, NOTIFICATIONS, UNREAD, GISTS, BOOKMARK_BUTTON, OTHER_BOOKMARK_BUTTON, MY_BOOKMARKS];

function ArticleWatcher() {
  useResourceChannel("ARTICLE", ARTICLE);
  return null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const text = (id: string) => screen.getByTestId(id).textContent;
const live = (testId: string) => waitFor(() => expect(text(`${testId}-status`)).toBe("connected"), BROKER_WAIT);

/** Brings the broker down hard (SIGKILL) and waits until the tabs notice. */
async function brokerDown(...testIds: string[]) {
  await broker.soketi.stop();
  for (const id of testIds) await waitFor(() => expect(text(`${id}-status`)).toBe("offline"), BROKER_WAIT);
}

/** One tab of USER: its watched queries and status, and `children` (a page), on the live broker. */
function renderTab(backend: FakeBackend, watched: readonly Watched[], opts: { testId?: string; children?: ReactNode; pollIntervalMs?: number; naive?: boolean } = {}) {
  const clients = broker.clients();
  const statuses: RealtimeStatus[] = [];
  const view = renderApp(
    <>
      <Watchers backend={backend} watched={watched} testId={opts.testId} log={statuses} />
      {opts.children}
    </>,
    {
      config: broker.config,
      userId: USER,
      createPusher: clients.factory,
      createInvalidator: opts.naive ? createImmediateInvalidator : undefined,
      pollIntervalMs: opts.pollIntervalMs,
      strict: true,
    },
  );
  return { ...view, clients, statuses };
}

describe("coalescing (real Soketi, real pusher-js, StrictMode)", () => {
  it("a burst of 100 signals costs each tab at most one refetch of the query per minimum gap of its spread plus two, and every tab ends on the last write", async () => {
    const versions: Record<string, number> = {};
    const tabs = ["a", "b"].map((testId) => {
      const backend = new FakeBackend(versions, 30);
      return { testId, backend, ...renderTab(backend, [COMMENTS], { testId, children: <ArticleWatcher /> }) };
    });
    // The naive policy (one invalidation per signal), measured beside it for the report.
    const naiveBackend = new FakeBackend(versions, 30);
    renderTab(naiveBackend, [COMMENTS], { testId: "naive", children: <ArticleWatcher />, naive: true });
    for (const id of ["a", "b", "naive"]) await live(id);
    await broker.subscribedTo(ARTICLE_CH, 3);
    for (const { testId } of tabs) await waitFor(() => expect(text(`${testId}-comments`)).toBe("0"));
    await sleep(COALESCE_POLICY.minGapMs + 100); // the burst starts from idle
    const before = tabs.map((t) => t.backend.fetchCount("comments"));
    const naiveBefore = naiveBackend.fetchCount("comments");

    // 100 writes, each followed by its signal, sent 10 per HTTP call (Pusher's batch limit) and spread out: far
    // longer than one refetch, so "collapse while in flight" alone would not be enough.
    const signal = commentThreadSignal(ROOT).signal;
    for (let batch = 0; batch < 10; batch++) {
      if (batch > 0) await sleep(60);
      const events = Array.from({ length: 10 }, () => {
        versions.comments = (versions.comments ?? 0) + 1;
        return { channel: ARTICLE_CH, name: "invalidate", data: signal };
      });
      await broker.server.triggerBatch(events);
    }

    for (const { testId } of tabs) await waitFor(() => expect(text(`${testId}-comments`)).toBe("100"), BROKER_WAIT);
    await sleep(COALESCE_POLICY.minGapMs + 500); // a further refetch, if the policy allowed one, would have started by now
    const report: string[] = [];
    for (const [i, tab] of tabs.entries()) {
      const arrivals = tab.clients.received[0];
      expect(arrivals).toHaveLength(100);
      // The policy: runs of one key start at least minGapMs apart (and never overlap), plus one trailing run after
      // the last signal; the bound follows the burst's real spread at this tab instead of assuming it.
      const spread = arrivals.at(-1)! - arrivals[0];
      const refetches = tab.backend.fetchCount("comments") - before[i];
      report.push(`${tab.testId}: ${refetches} (burst arrived over ${Math.round(spread)} ms)`);
      expect(refetches).toBeGreaterThanOrEqual(1);
      expect(refetches).toBeLessThanOrEqual(2 + Math.floor(spread / COALESCE_POLICY.minGapMs));
      expect(text(`${tab.testId}-comments`)).toBe("100");
    }
    console.log(`[burst] refetches per tab, coalesced: ${report.join("; ")}; naive: ${naiveBackend.fetchCount("comments") - naiveBefore}`);
  });
});

describe("resync after a lost connection (real Soketi, real pusher-js, StrictMode registry and status)", () => {
  it("signals lost while the broker is down are made up for: each query the held channels cover refetched once, comment reactions and every bookmark button included", async () => {
    const backend = new FakeBackend();
    const tab = renderTab(backend, [...SUBSCRIBED, UNRELATED], { children: <ArticleWatcher />, pollIntervalMs: 60 * 60_000 });
    await live("tab");
    await broker.subscribedTo(USER_CH);
    await broker.subscribedTo(ARTICLE_CH);
    for (const w of SUBSCRIBED) await waitFor(() => expect(backend.fetchCount(w.name)).toBe(1));
    expect(tab.clients.subscribeFrames.sort()).toEqual([ARTICLE_CH, USER_CH].sort());

    await brokerDown("tab");
    // What other users and devices did meanwhile: each write's signal is lost.
    const missed = [
      commentThreadSignal(ROOT),
      reactionSignal({ resource_type: "ARTICLE", resource_id: ARTICLE }, ROOT),
      reactionSignal({ resource_type: "COMMENT", resource_id: COMMENT }, ROOT),
      notificationsSignal(USER),
      bookmarkSignal(USER, ARTICLE),
      bookmarkSignal(USER, OTHER_ARTICLE),
    ];
    let lost = 0;
    for (let i = 0; i < 20; i++) {
      for (const w of SUBSCRIBED) backend.versions[w.name] = i + 1;
      const { channels, signal } = missed[i % missed.length];
      await broker.trigger(channels[0], signal).catch(() => lost++);
    }
    expect(lost).toBe(20);
    for (const w of [...SUBSCRIBED, UNRELATED]) expect(backend.fetchCount(w.name), w.name).toBe(1);

    await broker.soketi.restart();
    await live("tab");
    for (const w of SUBSCRIBED) await waitFor(() => expect(text(`tab-${w.name}`), w.name).toBe("20"), BROKER_WAIT);
    await sleep(COALESCE_POLICY.minGapMs + 500); // nothing else may follow: one refetch per query, not one per channel or per signal
    for (const w of SUBSCRIBED) expect(backend.fetchCount(w.name), w.name).toBe(2);
    expect(backend.fetchCount(UNRELATED.name)).toBe(1);

    expect(tab.statuses).toEqual(["connecting", "connected", "offline", "connected"]);
    // The registry kept one subscription per channel; pusher-js re-subscribed each once on the new connection.
    expect(tab.clients.subscribeFrames.filter((c) => c === USER_CH)).toHaveLength(2);
    expect(tab.clients.subscribeFrames.filter((c) => c === ARTICLE_CH)).toHaveLength(2);
    expect(await broker.subscriptionCount(USER_CH)).toBe(1);
    expect(await broker.subscriptionCount(ARTICLE_CH)).toBe(1);
    tab.unmount();
  });
});

describe("an article page that missed signals catches up (real Soketi, the real components)", () => {
  it("a comment's reaction counts and the bookmark button show what changed: by the fallback poll while offline, and by the resync on reconnect", async () => {
    // The "database" the page's actions read; another device and another reader change it while the broker is down.
    const db = { commentUnicorns: 0, articleUnicorns: 0, bookmarked: false };
    const article = articleDetail("resilience", { id: ARTICLE });
    actions.getArticle.mockResolvedValue(ok(article));
    actions.getComments.mockResolvedValue(ok([threadComment(COMMENT, ROOT, null, 1, bob, "Nice one")]));
    actions.getResourceReactions.mockImplementation(async ({ resource_id }: { resource_id: string }) =>
      ok(reactionCounts(resource_id === COMMENT ? db.commentUnicorns : db.articleUnicorns)),
    );
    actions.bookmarkStatus.mockImplementation(async () => ok({ bookmarked: db.bookmarked }));
    const clients = broker.clients();
    const commentCount = () => text(`reaction-COMMENT-${COMMENT}-UNICORN`);
    const bookmark = () => screen.getByRole("button", { name: /bookmark/i });
    const user = { ...alice, id: USER };

    const page = renderApp(
      <>
        <Watchers backend={new FakeBackend()} watched={[]} testId="page" />
        <ArticleView username={article.author.username} handle={article.handle} initialArticle={article} />
      </>,
      // The poll's interval is out of the way: the window regaining focus is the poll's other trigger.
      { config: broker.config, user, createPusher: clients.factory, pollIntervalMs: 60 * 60_000, strict: true },
    );
    await live("page");
    await broker.subscribedTo(ARTICLE_CH);
    await broker.subscribedTo(userChannel(USER));
    await waitFor(() => expect(commentCount()).toBe("0"));
    await waitFor(() => expect(bookmark().getAttribute("aria-pressed")).toBe("false"));

    await brokerDown("page");
    db.commentUnicorns = 2;
    db.bookmarked = true; // on the reader's phone
    await broker.trigger(ARTICLE_CH, reactionSignal({ resource_type: "COMMENT", resource_id: COMMENT }, ROOT).signal).catch(() => {});
    await broker.trigger(userChannel(USER), bookmarkSignal(USER, ARTICLE).signal).catch(() => {});
    window.dispatchEvent(new Event("focus"));
    await waitFor(() => expect(commentCount()).toBe("2"));
    await waitFor(() => expect(bookmark().getAttribute("aria-pressed")).toBe("true"));
    expect(text("page-status")).toBe("offline"); // the poll did it, not a reconnect

    db.commentUnicorns = 5;
    db.bookmarked = false; // removed again on the phone
    await broker.soketi.restart();
    await live("page");
    await waitFor(() => expect(commentCount()).toBe("5"), BROKER_WAIT);
    await waitFor(() => expect(bookmark().getAttribute("aria-pressed")).toBe("false"));
    expect(clients.created).toHaveLength(1);
    page.unmount();
  });
});

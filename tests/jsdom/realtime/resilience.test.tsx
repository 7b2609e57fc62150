import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import type PusherServer from "pusher";
import { queryKeys } from "@/lib/query-keys";
import { resourceChannel, userChannel } from "@/lib/realtime/channels";
import { createImmediateInvalidator, useResourceChannel } from "@/lib/realtime/client";
import { startSoketi, type SoketiHandle } from "../../helpers/soketi";
import {
  configFor,
  FakeBackend,
  renderTab,
  serverFor,
  subscriptionCount,
  trackingFactory,
  type Watched,
} from "./resilience-harness";

const USER = 42;
const ARTICLE = 7;
const USER_CH = userChannel(USER);
const ARTICLE_CH = resourceChannel("ARTICLE", ARTICLE);
const COMMENTS_SIGNAL = { scope: "comments", ids: { resource_id: ARTICLE, resource_type: "ARTICLE" } };

const COMMENTS: Watched = { name: "comments", queryKey: queryKeys.comments(ARTICLE, "ARTICLE") };
const REACTIONS: Watched = { name: "reactions", queryKey: queryKeys.reaction(ARTICLE, "ARTICLE") };
const NOTIFICATIONS: Watched = { name: "notifications", queryKey: queryKeys.myNotifications() };
const UNREAD: Watched = { name: "unread", queryKey: queryKeys.unreadNotificationCount() };
const GISTS: Watched = { name: "gists", queryKey: queryKeys.gists() };
// Covered by no channel this tab holds: a resync must leave it alone.
const UNRELATED: Watched = { name: "unrelated", queryKey: queryKeys.tagArticles(99) };
const SUBSCRIBED = [COMMENTS, REACTIONS, NOTIFICATIONS, UNREAD, GISTS];

let soketi: SoketiHandle;
let server: PusherServer;

beforeAll(async () => {
  soketi = await startSoketi();
  server = serverFor(soketi);
});
afterAll(() => soketi?.stop());

function ArticleWatcher() {
  useResourceChannel("ARTICLE", ARTICLE);
  return null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const text = (id: string) => screen.getByTestId(id).textContent;

async function live(testId: string) {
  await waitFor(() => expect(text(`${testId}-status`)).toBe("connected"), { timeout: 10_000 });
}

async function subscribedOnBroker(channel: string, count = 1) {
  await waitFor(async () => expect(await subscriptionCount(server, channel)).toBe(count), { timeout: 10_000 });
}

/** Brings the broker down hard and waits until the tabs notice. */
async function brokerDown(...testIds: string[]) {
  await soketi.stop();
  for (const id of testIds) await waitFor(() => expect(text(`${id}-status`)).toBe("offline"), { timeout: 10_000 });
}

describe("coalescing (real Soketi, real pusher-js, StrictMode)", () => {
  it("a burst of 100 signals costs each tab at most 2 refetches of the query, and every tab ends on the last write", async () => {
    const versions: Record<string, number> = {};
    const tabs = ["a", "b"].map((testId) => {
      const backend = new FakeBackend(versions, 30);
      const { factory } = trackingFactory(server);
      const view = renderTab({ config: configFor(soketi), userId: USER, factory, backend, watched: [COMMENTS], testId, children: <ArticleWatcher /> });
      return { testId, backend, view };
    });
    // The naive policy (one invalidation per signal), measured beside it for the report.
    const naiveBackend = new FakeBackend(versions, 30);
    renderTab({
      config: configFor(soketi),
      userId: USER,
      factory: trackingFactory(server).factory,
      backend: naiveBackend,
      watched: [COMMENTS],
      testId: "naive",
      createInvalidator: createImmediateInvalidator,
      children: <ArticleWatcher />,
    });
    for (const id of ["a", "b", "naive"]) await live(id);
    await subscribedOnBroker(ARTICLE_CH, 3);
    for (const { testId } of tabs) await waitFor(() => expect(text(`${testId}-comments`)).toBe("0"));
    await sleep(1_100); // let the initial fetch's window pass: the burst starts from idle
    const before = tabs.map((t) => t.backend.fetchCount("comments"));
    const naiveBefore = naiveBackend.fetchCount("comments");

    // 100 writes, each followed by its signal, sent 10 per HTTP call (Pusher's batch limit), spread over most of a
    // second: far longer than one refetch, so "collapse while in flight" alone would not be enough.
    const started = Date.now();
    for (let batch = 0; batch < 10; batch++) {
      if (batch > 0) await sleep(60);
      const events = Array.from({ length: 10 }, () => {
        versions.comments = (versions.comments ?? 0) + 1;
        return { channel: ARTICLE_CH, name: "invalidate", data: COMMENTS_SIGNAL };
      });
      await server.triggerBatch(events);
    }
    const burstMs = Date.now() - started;
    expect(burstMs).toBeLessThan(1_000);

    for (const { testId } of tabs) await waitFor(() => expect(text(`${testId}-comments`)).toBe("100"), { timeout: 5_000 });
    await sleep(1_500); // a third refetch, if the policy allowed one, would have started by now
    const refetches = tabs.map((t, i) => t.backend.fetchCount("comments") - before[i]);
    const naive = naiveBackend.fetchCount("comments") - naiveBefore;
    console.log(`[burst] 100 signals in ${burstMs} ms -> refetches per tab: coalesced ${refetches.join(", ")}; naive ${naive}`);
    for (const n of refetches) {
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(2);
    }
    for (const { testId } of tabs) expect(text(`${testId}-comments`)).toBe("100");
  });
});

describe("StrictMode registry and status hook across a lost connection: resync (real Soketi, real pusher-js)", () => {
  it("signals lost while the broker is down are made up for: each subscribed query refetched once, status offline then connected", async () => {
    const backend = new FakeBackend();
    const { factory, subscribeFrames } = trackingFactory(server);
    const tab = renderTab({
      config: configFor(soketi),
      userId: USER,
      factory,
      backend,
      watched: [...SUBSCRIBED, UNRELATED],
      pollIntervalMs: 60_000, // out of the way: this test is about the resync alone
      children: <ArticleWatcher />,
    });
    await live("tab");
    await subscribedOnBroker(USER_CH);
    await subscribedOnBroker(ARTICLE_CH);
    for (const w of SUBSCRIBED) await waitFor(() => expect(backend.fetchCount(w.name)).toBe(1));
    expect(subscribeFrames.sort()).toEqual([ARTICLE_CH, USER_CH].sort());

    await brokerDown("tab");
    let lost = 0;
    for (let i = 0; i < 20; i++) {
      for (const w of SUBSCRIBED) backend.versions[w.name] = i + 1;
      const channel = i % 2 ? USER_CH : ARTICLE_CH;
      const signal = i % 2 ? { scope: "notifications" } : COMMENTS_SIGNAL;
      await server.trigger(channel, "invalidate", signal).catch(() => lost++);
    }
    expect(lost).toBe(20);
    await sleep(300);
    for (const w of [...SUBSCRIBED, UNRELATED]) expect(backend.fetchCount(w.name), w.name).toBe(1);

    await soketi.restart();
    await live("tab");
    for (const w of SUBSCRIBED) await waitFor(() => expect(text(`tab-${w.name}`)).toBe("20"), { timeout: 5_000 });
    await sleep(1_500); // nothing else may follow: one refetch per query, not one per channel or per signal
    for (const w of SUBSCRIBED) expect(backend.fetchCount(w.name), w.name).toBe(2);
    expect(backend.fetchCount(UNRELATED.name)).toBe(1);

    expect(tab.statuses).toEqual(["connecting", "connected", "offline", "connected"]);
    // The registry kept one subscription per channel; pusher-js re-subscribed each once on the new connection.
    expect(subscribeFrames.filter((c) => c === USER_CH)).toHaveLength(2);
    expect(subscribeFrames.filter((c) => c === ARTICLE_CH)).toHaveLength(2);
    expect(await subscriptionCount(server, USER_CH)).toBe(1);
    expect(await subscriptionCount(server, ARTICLE_CH)).toBe(1);
    tab.unmount();
  });
});

describe("fallback polling while offline (real Soketi, StrictMode)", () => {
  it("refreshes subscribed queries at the interval while offline, a channel joined meanwhile included, and stops once connected", async () => {
    const backend = new FakeBackend();
    const { factory } = trackingFactory(server);
    const tab = renderTab({
      config: configFor(soketi),
      userId: USER,
      factory,
      backend,
      watched: [COMMENTS, NOTIFICATIONS, UNRELATED],
      pollIntervalMs: 1_200,
    });
    await live("tab");
    await subscribedOnBroker(USER_CH);
    await waitFor(() => expect(backend.fetchCount("notifications")).toBe(1));
    await sleep(1_300); // connected: no polling
    expect(backend.fetchCount("notifications")).toBe(1);

    await brokerDown("tab");
    // A channel joined while offline: it is polled too, and resynced when its subscription finally succeeds.
    tab.setChildren(<ArticleWatcher />);
    await waitFor(() => expect(backend.fetchCount("notifications")).toBeGreaterThanOrEqual(3), { timeout: 5_000 });
    expect(backend.fetchCount("comments")).toBeGreaterThanOrEqual(2);
    expect(backend.fetchCount(UNRELATED.name)).toBe(1);

    await soketi.restart();
    await live("tab");
    await subscribedOnBroker(ARTICLE_CH);
    await sleep(1_200); // the resync's refetch (deferred by at most one window after the last poll) lands
    const settled = { n: backend.fetchCount("notifications"), c: backend.fetchCount("comments") };
    await sleep(2_600); // two poll intervals
    expect(backend.fetchCount("notifications")).toBe(settled.n);
    expect(backend.fetchCount("comments")).toBe(settled.c);
    expect(backend.fetchCount(UNRELATED.name)).toBe(1);
    tab.unmount();
  });

  it("refreshes at once when the window regains focus while offline, and not while connected", async () => {
    const backend = new FakeBackend();
    const { factory } = trackingFactory(server);
    const tab = renderTab({
      config: configFor(soketi),
      userId: USER,
      factory,
      backend,
      watched: [NOTIFICATIONS, UNRELATED],
      pollIntervalMs: 60_000,
    });
    await live("tab");
    await subscribedOnBroker(USER_CH);
    await waitFor(() => expect(backend.fetchCount("notifications")).toBe(1));
    window.dispatchEvent(new Event("focus"));
    await sleep(300);
    expect(backend.fetchCount("notifications")).toBe(1);

    await brokerDown("tab");
    await sleep(1_100); // past the coalescing window of the initial fetch
    window.dispatchEvent(new Event("focus"));
    await waitFor(() => expect(backend.fetchCount("notifications")).toBe(2), { timeout: 500 });
    expect(backend.fetchCount(UNRELATED.name)).toBe(1);

    await soketi.restart();
    await live("tab");
    tab.unmount();
  });
});

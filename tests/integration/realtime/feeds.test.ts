import { describe, expect, it, vi } from "vitest";
import { createMyArticle, deleteMyArticle, setArticlePublished, updateMyArticle } from "@/backend/services/article.actions";
import { articleFeedChannel, profileChannel, tagChannel, userChannel } from "@/backend/realtime/channels";
import { HOME_FEED_WINDOW_MS } from "@/backend/realtime/scopes";
import { publishInvalidate, realtime } from "@/backend/realtime/server";
import { articleChangeSignals, type ArticleState } from "@/backend/realtime/signals";
import { flushAfter, resetRequest } from "../../helpers/next-request";
import { ok } from "../../db/fixtures";
import { on, sorted, type Seen } from "./listeners";
import { observedApp } from "./observed-app";

/**
 * The public article feeds against a real Soketi, observed as an anonymous visitor: the author's profile feed, each
 * tag's feed and the home feed hear about published articles only, and the home feed's signal is throttled
 * (at most one per HOME_FEED_WINDOW_MS per process, the last write always followed by one).
 */
const app = observedApp();

const dashboard = () => on(userChannel(app.s.alice), { scope: "dashboard-articles" });
const profileFeed = () => on(profileChannel(app.s.alice), { scope: "user-article-feed", ids: { user_id: app.s.alice } });
const tagFeed = (tag_id: string) => on(tagChannel(tag_id), { scope: "tag-articles", ids: { tag_id } });
const home = () => on(articleFeedChannel(), { scope: "article-feed" });
const PUBLIC = /^(profile|tag|feed)\./;
const publicOnly = (seen: Seen[]) => seen.filter((r) => PUBLIC.test(r.channel));

const draft = (title: string, tags: string[]) =>
  app.as("alice", () => createMyArticle({ title: `${title} ${Date.now()}`, body: "b", tags })).then((r) => ok(r).id);

describe("public channels need no authorization", () => {
  it("the anonymous subscriptions to profile, tag and feed channels never called the auth route", () => {
    const { s } = app;
    expect(app.observer.channels.filter((c) => PUBLIC.test(c))).toHaveLength(7);
    expect(app.observer.authorized.filter((c) => !c.startsWith("private-"))).toEqual([]);
    expect(app.observer.authorized).toEqual(
      [userChannel(s.alice), userChannel(s.bob), userChannel(s.carol)].concat(app.observer.channels.filter((c) => c.startsWith("private-resource."))),
    );
  });
});

describe("article feeds, from the article actions", () => {
  it("drafts are silent on every public channel: create, retag, delete", async () => {
    const id = await draft("Quiet draft", ["nextjs"]);
    ok(await app.as("alice", () => updateMyArticle({ id, tags: ["realtime", "postgres"] })));
    ok(await app.as("alice", () => deleteMyArticle({ id })));
    const seen = await app.drain();
    expect(publicOnly(seen)).toEqual([]);
    // The same writes did announce themselves where they belong.
    expect(seen).toEqual(sorted(dashboard(), dashboard(), dashboard()));
  });

  it("publishing reaches the profile, every tag of the article, and the home feed", async () => {
    const id = await draft("Going public", ["nextjs", "realtime"]);
    await app.drain();
    ok(await app.as("alice", () => setArticlePublished({ id, published: true })));
    expect(await app.drain()).toEqual(sorted(dashboard(), profileFeed(), tagFeed(app.tags.nextjs), tagFeed(app.tags.realtime), home()));
    ok(await app.as("alice", () => deleteMyArticle({ id })));
    await app.drain();
  });

  it("a tag change on a published article signals the old and the new tag", async () => {
    const id = await draft("Retagged", ["nextjs"]);
    ok(await app.as("alice", () => setArticlePublished({ id, published: true })));
    await app.drain();
    ok(await app.as("alice", () => updateMyArticle({ id, tags: ["realtime"] })));
    expect(publicOnly(await app.drain())).toEqual(sorted(profileFeed(), tagFeed(app.tags.nextjs), tagFeed(app.tags.realtime), home()));
    ok(await app.as("alice", () => deleteMyArticle({ id })));
    await app.drain();
  });

  it("tags the article had only as a draft are not signalled when it is published with other tags", async () => {
    const id = await draft("Draft tags", ["postgres"]);
    ok(await app.as("alice", () => updateMyArticle({ id, tags: ["nextjs"] })));
    await app.drain();
    ok(await app.as("alice", () => setArticlePublished({ id, published: true })));
    expect(publicOnly(await app.drain())).toEqual(sorted(profileFeed(), tagFeed(app.tags.nextjs), home()));
    ok(await app.as("alice", () => deleteMyArticle({ id })));
    await app.drain();
  });

  it("unpublish and delete reach the feeds the article leaves", async () => {
    const id = await draft("Leaving", ["nextjs", "realtime"]);
    ok(await app.as("alice", () => setArticlePublished({ id, published: true })));
    await app.drain();
    ok(await app.as("alice", () => setArticlePublished({ id, published: false })));
    expect(publicOnly(await app.drain())).toEqual(sorted(profileFeed(), tagFeed(app.tags.nextjs), tagFeed(app.tags.realtime), home()));
    ok(await app.as("alice", () => setArticlePublished({ id, published: true })));
    ok(await app.as("alice", () => updateMyArticle({ id, tags: ["realtime"] })));
    await app.drain();
    ok(await app.as("alice", () => deleteMyArticle({ id })));
    expect(publicOnly(await app.drain())).toEqual(sorted(profileFeed(), tagFeed(app.tags.realtime), home()));
  });
});

describe("the home feed's throttle on a real broker (the production scope and window)", () => {
  it("50 publishes in 2 s -> at most one signal per window, and the last publish is followed by a signal", async () => {
    const { s } = app;
    const article: ArticleState = { id: s.hello, author_id: s.alice, published: true, tag_ids: [app.tags.nextjs] };
    // When the publisher handed each home feed signal to the broker: the throttle's own clock, not the network's.
    const fires: number[] = [];
    const rest = realtime.broker()!.rest;
    const note = (channels: string[]) => channels.includes(articleFeedChannel()) && fires.push(performance.now());
    const trigger = rest.trigger.bind(rest);
    const triggerBatch = rest.triggerBatch.bind(rest);
    vi.spyOn(rest, "trigger").mockImplementation((channels, ...args) => (note(channels), trigger(channels, ...args)));
    vi.spyOn(rest, "triggerBatch").mockImplementation((events, ...args) => (note(events.map((e) => e.channel)), triggerBatch(events, ...args)));
    try {
      const started = performance.now();
      const requested: number[] = [];
      // 50 separate requests, one every 40 ms (one request's identical signals would be merged by the publisher anyway).
      for (let i = 0; i < 50; i++) {
        resetRequest();
        requested.push(performance.now());
        publishInvalidate(articleChangeSignals(article, article));
        await flushAfter();
        await new Promise((r) => setTimeout(r, Math.max(0, started + (i + 1) * 40 - performance.now())));
      }
      const lastRequest = requested[49];
      const span = lastRequest - requested[0];
      expect(span).toBeGreaterThanOrEqual(49 * 40 - 5);
      // The trailing signal comes when the window open at the last publish closes (the poll only guards a hang).
      await expect.poll(() => fires.filter((t) => t >= lastRequest).length, { timeout: HOME_FEED_WINDOW_MS + 5_000, interval: 50 }).toBe(1);
      // Leading: the first publish was signalled at once, before the second one was made.
      expect(fires[0]).toBeLessThan(requested[1]);
      // At most one per window: as many as the windows the publishes spanned, plus the trailing one.
      expect(fires.length).toBeGreaterThanOrEqual(2);
      expect(fires.length).toBeLessThanOrEqual(Math.ceil(span / HOME_FEED_WINDOW_MS) + 1);
      // Spaced by the window (a tenth of it spared for a loaded machine's timer and scheduling delays).
      for (let i = 1; i < fires.length; i++) expect(fires[i] - fires[i - 1]).toBeGreaterThanOrEqual(0.9 * HOME_FEED_WINDOW_MS);

      // What the visitors heard: exactly those signals on the home feed, while the narrow feeds heard every publish.
      const seen = await app.drain();
      expect(seen.filter((r) => r.channel === articleFeedChannel())).toEqual(fires.map(() => home()));
      expect(seen.filter((r) => r.channel === tagChannel(app.tags.nextjs))).toHaveLength(50);
      expect(seen.filter((r) => r.channel === profileChannel(s.alice))).toHaveLength(50);
    } finally {
      vi.restoreAllMocks();
    }
  });
});

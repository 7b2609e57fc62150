import { describe, expect, it } from "vitest";
import { createMyArticle, deleteMyArticle, getArticle, setArticlePublished, updateMyArticle } from "@/backend/services/article.actions";
import { toggleResourceBookmark } from "@/backend/services/bookmark.action";
import { INVALIDATE_EVENT } from "@/lib/realtime";
import { articleFeedChannel, profileChannel, resourceChannel, tagChannel, userChannel } from "@/backend/realtime/channels";
import { signOut } from "../../helpers/db";
import { resetRequest } from "../../helpers/next-request";
import { failure, ok } from "../../db/fixtures";
import { on, sorted, tab, withoutVersion } from "./listeners";
import { observedApp } from "./observed-app";
import { once } from "./pusher-clients";

/**
 * Article writes against a real Soketi, observed on every channel of the seeded data (and the article's own page):
 * the author's dashboard, every open page of the article, the readers who bookmarked it, and, from the published
 * side only, the author's profile feed, each tag's feed and the home feed; nothing anywhere else. The feeds' own
 * rules (drafts silent, tags left, the home feed's throttle) are in feeds.test.ts.
 */
const app = observedApp();

const dashboard = () => on(userChannel(app.s.alice), { scope: "dashboard-articles" });
const page = (id: string) => on(resourceChannel("ARTICLE", id), { scope: "article", ids: { id } });
const profileFeed = () => on(profileChannel(app.s.alice), { scope: "user-article-feed", ids: { user_id: app.s.alice } });
const tagFeed = (tag_id: string) => on(tagChannel(tag_id), { scope: "tag-articles", ids: { tag_id } });
const home = () => on(articleFeedChannel(), { scope: "article-feed" });
const bookmarkOf = (userId: string, id: string) => on(userChannel(userId), { scope: "bookmarks", ids: { resource_id: id } });

describe("article writes: the author's dashboard and every open page of the article", () => {
  it("create (dashboard only), edit, publish, unpublish, delete", async () => {
    const created = ok(await app.as("alice", () => createMyArticle({ title: `Live article ${Date.now()}`, body: "b", tags: ["realtime"] })));
    expect(await app.drain()).toEqual([dashboard()]);
    await app.observer.listen(resourceChannel("ARTICLE", created.id), app.tokens.alice); // alice's own draft page
    const realtime = app.tags.realtime;

    ok(await app.as("alice", () => updateMyArticle({ id: created.id, title: "Renamed" })));
    expect(await app.drain()).toEqual(sorted(dashboard(), page(created.id)));

    const published = await app.as("alice", () => setArticlePublished({ id: created.id, published: true }));
    expect(await app.drain()).toEqual(sorted(dashboard(), page(created.id), profileFeed(), tagFeed(realtime), home()));
    // The writer's own tab gets every signal the write announced, once each.
    expect(published).toMatchObject({
      ok: true,
      signals: [dashboard().data, page(created.id).data, profileFeed().data, tagFeed(realtime).data, home().data],
    });

    ok(await app.as("alice", () => setArticlePublished({ id: created.id, published: false })));
    expect(await app.drain()).toEqual(sorted(dashboard(), page(created.id), profileFeed(), tagFeed(realtime), home()));

    ok(await app.as("alice", () => deleteMyArticle({ id: created.id })));
    expect(await app.drain()).toEqual(sorted(dashboard(), page(created.id)));
    app.observer.forget(resourceChannel("ARTICLE", created.id));
  });

  it("readers who bookmarked it hear edits, unpublish and delete on their own channels", async () => {
    const { s } = app;
    const created = ok(await app.as("alice", () => createMyArticle({ title: `Bookmarked ${Date.now()}`, body: "b" })));
    ok(await app.as("alice", () => setArticlePublished({ id: created.id, published: true })));
    ok(await app.as("bob", () => toggleResourceBookmark({ resource_id: created.id })));
    ok(await app.as("carol", () => toggleResourceBookmark({ resource_id: created.id })));
    await app.drain();
    const bookmarkers = [bookmarkOf(s.bob, created.id), bookmarkOf(s.carol, created.id)];

    ok(await app.as("alice", () => updateMyArticle({ id: created.id, title: "Renamed while bookmarked" })));
    expect(await app.drain()).toEqual(sorted(dashboard(), ...bookmarkers, profileFeed(), home()));
    ok(await app.as("alice", () => setArticlePublished({ id: created.id, published: false })));
    expect(await app.drain()).toEqual(sorted(dashboard(), ...bookmarkers, profileFeed(), home()));
    ok(await app.as("alice", () => deleteMyArticle({ id: created.id })));
    expect(await app.drain()).toEqual(sorted(dashboard(), ...bookmarkers));
  });

  it("a foreign edit is refused and silent", async () => {
    const { s } = app;
    failure(await app.as("bob", () => updateMyArticle({ id: s.hello, title: "hijack" })), "FORBIDDEN");
    failure(await app.as("bob", () => setArticlePublished({ id: s.draft, published: true })), "NOT_FOUND");
    expect(await app.drain()).toEqual([]);
    // The same channels carry the author's own edit.
    ok(await app.as("alice", () => updateMyArticle({ id: s.draft, title: "Draft: channels and permissions" })));
    expect(await app.drain()).toEqual(sorted(dashboard(), page(s.draft)));
  });
});

describe("a reader who loses access", () => {
  it("hears the unpublish, refetches NOT_FOUND, is refused on resubscribe; until it leaves it hears only ids", async () => {
    const created = ok(await app.as("alice", () => createMyArticle({ title: `Soon gone ${Date.now()}`, body: "secret words" })));
    ok(await app.as("alice", () => setArticlePublished({ id: created.id, published: true })));
    await app.drain();
    const channel = resourceChannel("ARTICLE", created.id);
    const reader = await tab(app.soketi, null, [channel]); // anonymous
    try {
      const signal = once(reader.pusher, channel, INVALIDATE_EVENT);
      ok(await app.as("alice", () => setArticlePublished({ id: created.id, published: false })));
      expect(withoutVersion(await signal)).toEqual({ scope: "article", ids: { id: created.id } });

      // The page's refetch: the read path now refuses the anonymous reader, exactly like a missing article.
      resetRequest();
      signOut();
      failure(await getArticle({ username: "alice", handle: created.handle }), "NOT_FOUND");

      // Residual: the broker cannot evict a member, so a client that ignores the signal stays subscribed and keeps
      // hearing signals until it leaves or disconnects. They carry ids only; the words of the article never travel.
      ok(await app.as("alice", () => updateMyArticle({ id: created.id, body: "more secret words" })));
      await expect.poll(() => reader.received.length).toBe(2);
      expect(JSON.stringify(reader.received)).not.toContain("secret");

      // The well-behaved page leaves; any later subscription (a reload, a reconnect) is refused by the auth route.
      reader.pusher.unsubscribe(channel);
      const refused = once<{ type: string; error: string }>(reader.pusher, channel, "pusher:subscription_error");
      reader.pusher.subscribe(channel);
      expect(await refused).toMatchObject({ type: "AuthError", error: expect.stringMatching(/^403 /) });
    } finally {
      reader.disconnect();
    }
    await app.drain();
  });
});

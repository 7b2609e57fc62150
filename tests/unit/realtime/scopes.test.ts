import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { defineChannels, defineScopes, noticeKey, scope } from "@/lib/realtime";
import { queryKeys } from "@/lib/query-keys";
import { channels } from "@/backend/realtime/channels";
import { scopes, type AppSignal } from "@/backend/realtime/scopes";
import { uuid } from "../../helpers/uuids";

const U = uuid("user");
const A = uuid("article");
const G = uuid("gist");
const C = uuid("comment");
const T = uuid("tag");

const at = (name: string) => channels.parse(name)!;
const user = at(`private-user.${U}`);
const article = at(`private-resource.ARTICLE.${A}`);
const gist = at(`private-resource.GIST.${G}`);
const tag = at(`tag.${T}`);
const profile = at(`profile.${U}`);
const feed = at("feed.articles");

describe("scope registry", () => {
  it("covers every scope of the design", () => {
    expect([...scopes.names].sort()).toEqual(
      [
        "article",
        "article-feed",
        "bookmarks",
        "comments",
        "dashboard-articles",
        "gist",
        "gists",
        "notifications",
        "reactions",
        "sessions",
        "tag-articles",
        "user",
        "user-article-feed",
      ].sort(),
    );
  });

  it("maps each scope to exactly its query keys", () => {
    expect(scopes.keys({ scope: "notifications" }, user)).toEqual([queryKeys.myNotifications(), queryKeys.unreadNotificationCount()]);
    expect(scopes.keys({ scope: "comments", ids: { resource_id: A, resource_type: "ARTICLE" } }, article)).toEqual([
      queryKeys.comments(A, "ARTICLE"),
    ]);
    expect(scopes.keys({ scope: "reactions", ids: { resource_id: C, resource_type: "COMMENT" } }, article)).toEqual([
      queryKeys.reaction(C, "COMMENT"),
    ]);
    expect(scopes.keys({ scope: "bookmarks", ids: { resource_id: A } }, user)).toEqual([queryKeys.myBookmarks(), queryKeys.bookmarkStatus(A)]);
    expect(scopes.keys({ scope: "bookmarks" }, user)).toEqual([queryKeys.myBookmarks()]);
    expect(scopes.keys({ scope: "dashboard-articles" }, user)).toEqual([queryKeys.dashboardArticles()]);
    expect(scopes.keys({ scope: "gists" }, user)).toEqual([queryKeys.gists()]);
    expect(scopes.keys({ scope: "gist", ids: { id: G } }, gist)).toEqual([queryKeys.gist(G)]);
    expect(scopes.keys({ scope: "article", ids: { id: A } }, article)).toEqual([queryKeys.articlePages()]);
    expect(scopes.keys({ scope: "tag-articles", ids: { tag_id: T } }, tag)).toEqual([queryKeys.tagArticles(T)]);
    expect(scopes.keys({ scope: "user-article-feed", ids: { user_id: U } }, profile)).toEqual([queryKeys.userArticleFeed(U)]);
    expect(scopes.keys({ scope: "sessions", ids: { session_id: C } }, user)).toEqual([queryKeys.mySessions(), queryKeys.currentSession()]);
    expect(scopes.keys({ scope: "user", ids: { user_id: U } }, profile)).toEqual([queryKeys.user(U)]);
    expect(scopes.keys({ scope: "user", ids: { user_id: U } }, user)).toEqual([queryKeys.user(U)]);
    // Without a channel (the writer's own tab applying its action's signals) the same keys.
    expect(scopes.keys({ scope: "comments", ids: { resource_id: A, resource_type: "ARTICLE" } })).toEqual([queryKeys.comments(A, "ARTICLE")]);
  });

  it("ignores unknown scopes, missing, malformed or non-canonical ids, and scopes on channels that do not carry them", () => {
    expect(scopes.keys({ scope: "everything" }, user)).toBeNull();
    expect(scopes.keys({ scope: "constructor" }, user)).toBeNull();
    expect(scopes.keys({ scope: "toString" })).toBeNull();
    expect(scopes.keys({ scope: "comments" }, article)).toBeNull();
    expect(scopes.keys({ scope: "comments", ids: { resource_id: A } }, article)).toBeNull();
    expect(scopes.keys({ scope: "comments", ids: { resource_id: A, resource_type: "COMMENT" } }, article)).toBeNull();
    expect(scopes.keys({ scope: "gist", ids: { id: 8 } }, gist)).toBeNull();
    expect(scopes.keys({ scope: "gist", ids: { id: G.toUpperCase() } }, gist)).toBeNull();
    // A public channel must not be able to poke a user's private data, nor a resource channel a user's inbox.
    expect(scopes.keys({ scope: "notifications" }, tag)).toBeNull();
    expect(scopes.keys({ scope: "notifications" }, article)).toBeNull();
    expect(scopes.keys({ scope: "notifications" }, feed)).toBeNull();
    expect(scopes.keys({ scope: "comments", ids: { resource_id: A, resource_type: "ARTICLE" } }, user)).toBeNull();
    expect(scopes.keys({ scope: "tag-articles", ids: { tag_id: T } }, profile)).toBeNull();
    expect(scopes.keys({ scope: "article-feed" }, user)).toBeNull();
  });

  it("the home feed raises a local notice: its key never prefix-matches the feed's data, and it never resyncs", () => {
    expect(scopes.keys({ scope: "article-feed" }, feed)).toEqual([noticeKey("article-feed")]);
    expect(noticeKey("article-feed")[0]).not.toBe(queryKeys.articleFeed()[0]);
    expect(scopes.spec("article-feed")?.throttleMs).toBeGreaterThan(0);
    expect(scopes.resyncKeys(feed)).toEqual([]);
  });
});

describe("resync after missed signals: keys derived from the same entries", () => {
  it("a resource channel refreshes its thread, its page, and every reaction count on it, comments' included", () => {
    const keys = scopes.resyncKeys(article);
    expect(keys).toEqual(expect.arrayContaining([queryKeys.comments(A, "ARTICLE"), queryKeys.articlePages()]));
    // A reaction signal names the reacted comment, which the channel cannot know: every reaction key on the page.
    expect(keys).toContainEqual(["reaction"]);
    expect(keys.some((k) => k[0] === "reaction" && k.length > 1)).toBe(false);
  });

  it("a user channel refreshes the bookmarks page and every bookmark button, and its own lists", () => {
    const keys = scopes.resyncKeys(user);
    expect(keys).toEqual(
      expect.arrayContaining([
        queryKeys.myBookmarks(),
        ["bookmark-status"],
        queryKeys.myNotifications(),
        queryKeys.unreadNotificationCount(),
        queryKeys.dashboardArticles(),
        queryKeys.gists(),
        queryKeys.mySessions(),
        queryKeys.currentSession(),
        queryKeys.user(U),
      ]),
    );
  });

  it("ids the channel names are filled in: gist, tag, profile", () => {
    expect(scopes.resyncKeys(gist)).toEqual(expect.arrayContaining([queryKeys.comments(G, "GIST"), queryKeys.gist(G)]));
    expect(scopes.resyncKeys(tag)).toEqual([queryKeys.tagArticles(T)]);
    expect(scopes.resyncKeys(profile)).toEqual(expect.arrayContaining([queryKeys.userArticleFeed(U), queryKeys.user(U)]));
  });

  it("every key a signal can invalidate on a channel is covered by that channel's resync (prefix match)", () => {
    const covered = (key: readonly unknown[], resync: readonly (readonly unknown[])[]) =>
      resync.some((r) => r.every((part, i) => JSON.stringify(part) === JSON.stringify(key[i])));
    const samples: Array<[AppSignal, typeof user]> = [
      [{ scope: "reactions", ids: { resource_id: C, resource_type: "COMMENT" } }, article],
      [{ scope: "reactions", ids: { resource_id: A, resource_type: "ARTICLE" } }, article],
      [{ scope: "comments", ids: { resource_id: A, resource_type: "ARTICLE" } }, article],
      [{ scope: "article", ids: { id: A } }, article],
      [{ scope: "gist", ids: { id: G } }, gist],
      [{ scope: "bookmarks", ids: { resource_id: A } }, user],
      [{ scope: "sessions", ids: { session_id: C } }, user],
      [{ scope: "user", ids: { user_id: U } }, profile],
      [{ scope: "tag-articles", ids: { tag_id: T } }, tag],
    ];
    for (const [signal, channel] of samples) {
      const resync = scopes.resyncKeys(channel);
      for (const key of scopes.keys(signal, channel)!) expect(covered(key, resync), `${signal.scope} ${JSON.stringify(key)}`).toBe(true);
    }
  });
});

describe("defineScopes", () => {
  const ch = defineChannels({ room: { params: { id: "uuid" } } });
  it("refuses, at start-up, a table that would refresh nothing: unknown kinds, parameters, ids hidden in objects", () => {
    // @ts-expect-error: "hall" is not a channel kind
    expect(() => defineScopes(ch, { a: scope({ carriedBy: ["hall"], ids: z.object({}), keys: () => [["a"]] }) })).toThrow(/unknown channel kind/);
    expect(() =>
      defineScopes(ch, { a: scope({ carriedBy: ["room"], ids: z.object({ id: z.string() }), keys: ({ id }) => [["a", id]], fromChannel: { id: "nope" } }) }),
    ).toThrow(/no parameter "nope"/);
    expect(() =>
      defineScopes(ch, { a: scope({ carriedBy: ["room"], ids: z.object({ id: z.string() }), keys: ({ id }) => [["a", { id }]] }) }),
    ).toThrow(/element of its own/);
  });

  it("types publications by the table: the ids a scope needs are required, optional ones may be left out", () => {
    expectTypeOf<{ scope: "notifications" }>().toExtend<AppSignal>();
    expectTypeOf<{ scope: "bookmarks" }>().toExtend<AppSignal>();
    expectTypeOf<{ scope: "comments"; ids: { resource_id: string; resource_type: "ARTICLE" } }>().toExtend<AppSignal>();
    expectTypeOf<{ scope: "comments" }>().not.toExtend<AppSignal>();
    expectTypeOf<{ scope: "comments"; ids: { resource_id: number; resource_type: "ARTICLE" } }>().not.toExtend<AppSignal>();
    expectTypeOf<{ scope: "nope" }>().not.toExtend<AppSignal>();
  });
});

import { describe, expect, it } from "vitest";
import { queryKeys } from "@/lib/query-keys";
import { parseChannel } from "@/lib/realtime/channels";
import { SCOPE_NAMES, resolveSignal, resyncKeys } from "@/lib/realtime/scopes";

const user = parseChannel("private-user.1")!;
const article = parseChannel("private-resource.ARTICLE.5")!;
const gist = parseChannel("private-resource.GIST.8")!;
const tag = parseChannel("tag.3")!;
const profile = parseChannel("profile.2")!;

describe("scope registry", () => {
  it("covers every scope of the design", () => {
    expect([...SCOPE_NAMES].sort()).toEqual(
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
    expect(resolveSignal({ scope: "notifications" }, user)).toEqual([
      queryKeys.myNotifications(),
      queryKeys.unreadNotificationCount(),
    ]);
    expect(resolveSignal({ scope: "comments", ids: { resource_id: 5, resource_type: "ARTICLE" } }, article)).toEqual([
      queryKeys.comments(5, "ARTICLE"),
    ]);
    expect(resolveSignal({ scope: "reactions", ids: { resource_id: 44, resource_type: "COMMENT" } }, article)).toEqual([
      queryKeys.reaction(44, "COMMENT"),
    ]);
    expect(resolveSignal({ scope: "bookmarks", ids: { resource_id: 5 } }, user)).toEqual([
      queryKeys.myBookmarks(),
      queryKeys.bookmarkStatus(5),
    ]);
    expect(resolveSignal({ scope: "bookmarks" }, user)).toEqual([queryKeys.myBookmarks()]);
    expect(resolveSignal({ scope: "dashboard-articles" }, user)).toEqual([queryKeys.dashboardArticles()]);
    expect(resolveSignal({ scope: "gists" }, user)).toEqual([queryKeys.gists()]);
    expect(resolveSignal({ scope: "gist", ids: { id: 8 } }, gist)).toEqual([queryKeys.gist(8)]);
    expect(resolveSignal({ scope: "tag-articles", ids: { tag_id: 3 } }, tag)).toEqual([queryKeys.tagArticles(3)]);
    expect(resolveSignal({ scope: "user-article-feed", ids: { user_id: 2 } }, profile)).toEqual([
      queryKeys.userArticleFeed(2),
    ]);
    expect(resolveSignal({ scope: "sessions", ids: { session_id: 9 } }, user)).toEqual([
      queryKeys.mySessions(),
      queryKeys.currentSession(),
    ]);
    expect(resolveSignal({ scope: "user", ids: { user_id: 2 } }, profile)).toEqual([queryKeys.user(2)]);
  });

  it("ignores unknown scopes, missing or wrong ids, and scopes on channels that do not carry them", () => {
    expect(resolveSignal({ scope: "everything" }, user)).toBeNull();
    expect(resolveSignal({ scope: "constructor" }, user)).toBeNull();
    expect(resolveSignal({ scope: "comments" }, article)).toBeNull();
    expect(resolveSignal({ scope: "comments", ids: { resource_id: 5 } }, article)).toBeNull();
    expect(resolveSignal({ scope: "comments", ids: { resource_id: 5, resource_type: "COMMENT" } }, article)).toBeNull();
    expect(resolveSignal({ scope: "gist", ids: { id: "8" } }, gist)).toBeNull();
    // A public channel must not be able to poke a user's private data, nor a resource channel a user's inbox.
    expect(resolveSignal({ scope: "notifications" }, tag)).toBeNull();
    expect(resolveSignal({ scope: "notifications" }, article)).toBeNull();
    expect(resolveSignal({ scope: "comments", ids: { resource_id: 5, resource_type: "ARTICLE" } }, user)).toBeNull();
    expect(resolveSignal({ scope: "tag-articles", ids: { tag_id: 3 } }, profile)).toBeNull();
  });

  it("derives resync keys from the channel alone", () => {
    expect(resyncKeys(user)).toEqual(
      expect.arrayContaining([queryKeys.myNotifications(), queryKeys.unreadNotificationCount(), queryKeys.mySessions()]),
    );
    expect(resyncKeys(article)).toEqual([
      queryKeys.comments(5, "ARTICLE"),
      queryKeys.articlePages(),
      queryKeys.reaction(5, "ARTICLE"),
    ]);
    expect(resyncKeys(gist)).toEqual(
      expect.arrayContaining([queryKeys.comments(8, "GIST"), queryKeys.gist(8)]),
    );
    expect(resyncKeys(tag)).toEqual([queryKeys.tagArticles(3)]);
  });
});

import { describe, expect, it } from "vitest";
import { queryKeys } from "@/lib/query-keys";
import { articleFeedChannel, isPrivateChannel, parseChannel } from "@/lib/realtime/channels";
import { noticeKey } from "@/lib/realtime/notices";
import { resolveSignal, resyncKeys } from "@/lib/realtime/scopes";

describe("the public home feed channel", () => {
  it("builds and parses feed.articles, a public channel", () => {
    expect(articleFeedChannel()).toBe("feed.articles");
    const parsed = parseChannel("feed.articles")!;
    expect(parsed).toEqual({ kind: "feed", name: "feed.articles", feed: "articles" });
    expect(isPrivateChannel(parsed)).toBe(false);
  });

  it.each(["feed.", "feed.articles.1", "feed.gists", "private-feed.articles", "feed.Articles", "feed.articles "])(
    "rejects %j",
    (name) => expect(parseChannel(name)).toBeNull(),
  );

  it("carries only article-feed, which raises a local notice instead of invalidating the feed", () => {
    const feed = parseChannel("feed.articles")!;
    expect(resolveSignal({ scope: "article-feed" }, feed)).toEqual([noticeKey("article-feed")]);
    expect(resolveSignal({ scope: "article-feed" }, feed)).not.toContainEqual(queryKeys.articleFeed());
    // Nothing private or per-resource can be poked through the public feed channel, and article-feed nowhere else.
    expect(resolveSignal({ scope: "notifications" }, feed)).toBeNull();
    expect(resolveSignal({ scope: "tag-articles", ids: { tag_id: 1 } }, feed)).toBeNull();
    expect(resolveSignal({ scope: "article-feed" }, parseChannel("private-user.1"))).toBeNull();
    expect(resolveSignal({ scope: "article-feed" }, parseChannel("tag.1"))).toBeNull();
    // No resync: a reconnect or an offline poll must not raise the pill.
    expect(resyncKeys(feed)).toEqual([]);
  });

  it("the notice key never prefix-matches the feed's data key, nor the other way round", () => {
    const [a] = noticeKey("article-feed");
    const [b] = queryKeys.articleFeed();
    expect(a).not.toBe(b);
  });
});

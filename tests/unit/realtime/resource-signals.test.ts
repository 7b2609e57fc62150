import { describe, expect, it } from "vitest";
import { queryKeys } from "@/lib/query-keys";
import { parseChannel } from "@/lib/realtime/channels";
import { resolveSignal } from "@/lib/realtime/scopes";
import { articleChangeSignals, articleState, type ArticleState } from "@/backend/realtime/article-signals";
import { bookmarkSignal } from "@/backend/realtime/bookmark-signals";
import { commentThreadSignal } from "@/backend/realtime/comment-signals";
import type { Publication } from "@/backend/realtime/publication";
import { reactionSignal } from "@/backend/realtime/reaction-signals";

/** What a subscriber on each channel would invalidate: proves the publication is one the client understands. */
const keysOf = (p: Publication) => p.channels.map((name) => resolveSignal(p.signal, parseChannel(name)));

describe("comment signals", () => {
  it("go to the thread root's channel with the root's ids, whatever the depth of the comment", () => {
    const p = commentThreadSignal({ resource_type: "ARTICLE", resource_id: 7 });
    expect(p).toEqual({
      channels: ["private-resource.ARTICLE.7"],
      signal: { scope: "comments", ids: { resource_id: 7, resource_type: "ARTICLE" } },
    });
    expect(keysOf(p)).toEqual([[queryKeys.comments(7, "ARTICLE")]]);
    expect(commentThreadSignal({ resource_type: "GIST", resource_id: 3 }).channels).toEqual(["private-resource.GIST.3"]);
  });
});

describe("reaction signals", () => {
  it("name the reacted resource and travel on the page's (root's) channel", () => {
    const onArticle = reactionSignal({ resource_type: "ARTICLE", resource_id: 7 }, { resource_type: "ARTICLE", resource_id: 7 });
    expect(keysOf(onArticle)).toEqual([[queryKeys.reaction(7, "ARTICLE")]]);

    const onComment = reactionSignal({ resource_type: "COMMENT", resource_id: 44 }, { resource_type: "GIST", resource_id: 3 });
    expect(onComment).toEqual({
      channels: ["private-resource.GIST.3"],
      signal: { scope: "reactions", ids: { resource_id: 44, resource_type: "COMMENT" } },
    });
    // Only the comment's counts, not the gist's.
    expect(keysOf(onComment)).toEqual([[queryKeys.reaction(44, "COMMENT")]]);
  });
});

describe("bookmark signals", () => {
  it("stay on the user's own channel and name the article", () => {
    const p = bookmarkSignal(5, 9);
    expect(p).toEqual({ channels: ["private-user.5"], signal: { scope: "bookmarks", ids: { resource_id: 9 } } });
    expect(keysOf(p)).toEqual([[queryKeys.myBookmarks(), queryKeys.bookmarkStatus(9)]]);
  });
});

describe("article change signals", () => {
  const draft: ArticleState = { id: 11, author_id: 2, published: false, tag_ids: [4] };
  const published: ArticleState = { ...draft, published: true };
  const dashboard = { channels: ["private-user.2"], signal: { scope: "dashboard-articles" } };
  const page = { channels: ["private-resource.ARTICLE.11"], signal: { scope: "article", ids: { id: 11 } } };

  it("a create refreshes only the author's dashboard (a new draft has no open page)", () => {
    expect(articleChangeSignals(null, draft)).toEqual([dashboard]);
  });

  it.each([
    ["an edit", draft, draft],
    ["a publish", draft, published],
    ["an unpublish", published, draft],
    ["a delete", published, null],
  ] as const)("%s refreshes the dashboard and every open page of the article", (_label, before, after) => {
    const list = articleChangeSignals(before, after);
    expect(list).toEqual([dashboard, page]);
    expect(list.map(keysOf)).toEqual([[[queryKeys.dashboardArticles()]], [[queryKeys.articlePages()]]]);
  });

  it("the open-page key is a prefix of the article page's key, and of nothing else", () => {
    const [prefix] = queryKeys.articlePages();
    expect(queryKeys.article("alice", "hello-realtime")[0]).toBe(prefix);
    expect(queryKeys.articleFeed()[0]).not.toBe(prefix);
  });

  it("reads the state from a loaded article", () => {
    expect(
      articleState({ id: 11, author: { id: 2 }, published_at: new Date(), tags: [{ id: 4 }, { id: 6 }] }),
    ).toEqual({ id: 11, author_id: 2, published: true, tag_ids: [4, 6] });
    expect(articleState({ id: 11, author: { id: 2 }, published_at: null, tags: [] }).published).toBe(false);
  });

  it("nothing before and nothing after announces nothing", () => {
    expect(articleChangeSignals(null, null)).toEqual([]);
  });
});

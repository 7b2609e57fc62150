import { resourceChannel, userChannel } from "@/lib/realtime/channels";
import type { Publication } from "./publication";

/** The fields of a loaded article (detail or summary) that decide who hears about it. */
type ArticleFacts = { id: string; author: { id: string }; published_at: Date | null; tags: readonly { id: string }[] };

/** What an article write changed, as far as who sees it goes; null before a create and after a delete. */
export type ArticleState = {
  id: string;
  author_id: string;
  published: boolean;
  tag_ids: readonly string[];
};

export function articleState(article: ArticleFacts): ArticleState {
  return {
    id: article.id,
    author_id: article.author.id,
    published: article.published_at !== null,
    tag_ids: article.tags.map((t) => t.id),
  };
}

/**
 * Everything one article write announces. The author's other tabs refresh their dashboard list; an open page of
 * the article refetches itself, which is also how a reader learns that an unpublish or delete took their access
 * away (the refetch answers NOT_FOUND and the page leaves the channel). Content never travels, only the id.
 * The public feeds (profile, tags, home) come from the same before/after pair in feed-signals.ts; actions call
 * publishArticleChange, which sends both.
 */
export function articleChangeSignals(before: ArticleState | null, after: ArticleState | null): Publication[] {
  const state = after ?? before;
  if (!state) return [];
  const publications: Publication[] = [{ channels: [userChannel(state.author_id)], signal: { scope: "dashboard-articles" } }];
  // A brand-new draft has no open page yet, so nobody is on its channel.
  if (before) {
    publications.push({ channels: [resourceChannel("ARTICLE", state.id)], signal: { scope: "article", ids: { id: state.id } } });
  }
  return publications;
}

/**
 * Readers who bookmarked the article list it on their bookmarks page (title, excerpt, or not at all once it is
 * unpublished or deleted), so every article change reaches their own channels too: one signal, many channels.
 */
export function bookmarkerSignals(articleId: string, userIds: readonly string[]): Publication[] {
  if (userIds.length === 0) return [];
  return [{ channels: userIds.map(userChannel), signal: { scope: "bookmarks", ids: { resource_id: articleId } } }];
}

import "server-only";
import { articleFeedChannel, profileChannel, tagChannel } from "@/lib/realtime/channels";
import { publishInvalidate, type PublishOptions } from "@/lib/realtime/publish.server";
import { requestHomeFeedSignal } from "./home-feed-throttle";
import type { ArticleState } from "./article-signals";
import type { Publication } from "./publication";

/** The article actions' before/after state (null before a create and after a delete). */
export type ArticleSnapshot = ArticleState;

const unique = (ids: string[]) => [...new Set(ids)].sort();

/**
 * The public-channel signals of one article change: the author's profile feed, the feed of every tag the article
 * had or has (an article leaving a tag must leave that tag's page too), and the home feed. Only the published
 * side counts: a draft is nobody's business on a public channel, so draft -> draft announces nothing, and a tag
 * the article had only while a draft is not signalled.
 */
export function articleFeedSignals(before: ArticleSnapshot | null, after: ArticleSnapshot | null): Publication[] {
  const visible = [before, after].filter((s): s is ArticleSnapshot => s !== null && s.published);
  if (visible.length === 0) return [];
  return [
    ...unique(visible.map((s) => s.author_id)).map((user_id) => ({
      channels: [profileChannel(user_id)],
      signal: { scope: "user-article-feed", ids: { user_id } } as const,
    })),
    ...unique(visible.flatMap((s) => [...s.tag_ids])).map((tag_id) => ({
      channels: [tagChannel(tag_id)],
      signal: { scope: "tag-articles", ids: { tag_id } } as const,
    })),
    { channels: [articleFeedChannel()], signal: { scope: "article-feed" } },
  ];
}

/**
 * Publishes articleFeedSignals after the response (never throws). The home feed's signal goes through the
 * process-wide throttle instead: at most one per window whatever the write rate (see home-feed-throttle.ts).
 * Call it only once the write has committed.
 */
export function publishArticleFeedSignals(
  before: ArticleSnapshot | null,
  after: ArticleSnapshot | null,
  opts?: PublishOptions,
): void {
  for (const { channels, signal } of articleFeedSignals(before, after)) {
    if (signal.scope === "article-feed") requestHomeFeedSignal();
    else publishInvalidate(channels, signal, opts);
  }
}

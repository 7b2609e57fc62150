import "server-only";
import { articleChangeSignals, type ArticleState } from "./article-signals";
import { publishArticleFeedSignals } from "./feed-signals";
import { publishAll } from "./publish-all";

/**
 * Everything one committed article write announces: the author's dashboard and the article's own channel, then
 * the public profile, tag and (throttled) home feeds.
 */
export function publishArticleChange(before: ArticleState | null, after: ArticleState | null): void {
  publishAll(articleChangeSignals(before, after));
  publishArticleFeedSignals(before, after);
}

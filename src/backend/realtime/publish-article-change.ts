import "server-only";
import { articleChangeSignals, bookmarkerSignals, type ArticleState } from "./article-signals";
import { publishArticleFeedSignals } from "./feed-signals";
import { publishAll } from "./publish-all";

/**
 * Everything one committed article write announces: the author's dashboard, the article's own channel and the
 * bookmarks of those who saved it, then the public profile, tag and (throttled) home feeds.
 */
export function publishArticleChange(
  before: ArticleState | null,
  after: ArticleState | null,
  bookmarkers: readonly string[] = [],
): void {
  const id = (after ?? before)?.id;
  publishAll([...articleChangeSignals(before, after), ...(id ? bookmarkerSignals(id, bookmarkers) : [])]);
  publishArticleFeedSignals(before, after);
}

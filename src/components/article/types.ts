/** What the article lists render; every list action returns at least this. */
export type ArticleAuthor = { id: string; username: string; name: string };
export type ArticleTagRef = { id: string; name: string };
export type ArticleSummary = {
  id: string;
  title: string;
  handle: string;
  excerpt: string;
  published_at: Date | string | null;
  author: ArticleAuthor;
  tags: ArticleTagRef[];
  comment_count?: number;
  reaction_count?: number;
};

export function articlePath(article: { handle: string; author: { username: string } }) {
  return `/@${article.author.username}/${article.handle}`;
}

import { notFound } from "next/navigation";
import { getArticle } from "@/backend/services/article.actions";
import { ArticleView } from "@/components/article/ArticleView";
import { dataOrNotFound } from "../../server-result";
import { parseAtUsername } from "../parse-username";

export default async function ArticlePage({ params }: { params: Promise<{ username: string; handle: string }> }) {
  const { username: segment, handle } = await params;
  const username = parseAtUsername(segment);
  if (!username) notFound();
  // getArticle applies canReadResource: a draft is a 404 for everyone but its author.
  const article = dataOrNotFound(await getArticle({ username, handle }));
  return <ArticleView username={username} handle={handle} initialArticle={article} />;
}

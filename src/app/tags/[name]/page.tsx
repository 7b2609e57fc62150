import { getTag } from "@/backend/services/article.actions";
import { TagFeed } from "@/components/article/TagFeed";
import { dataOrNotFound } from "../../server-result";

export default async function TagPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  let decoded: string;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    decoded = name;
  }
  const tag = dataOrNotFound(await getTag({ name: decoded }));
  return <TagFeed tag={tag} />;
}

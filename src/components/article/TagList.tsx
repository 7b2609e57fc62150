import Link from "next/link";
import type { ArticleTagRef } from "./types";

export function TagList({ tags }: { tags: ArticleTagRef[] }) {
  if (tags.length === 0) return null;
  return (
    <ul className="flex flex-wrap gap-1.5" aria-label="Tags">
      {tags.map((t) => (
        <li key={t.id}>
          <Link
            href={`/tags/${encodeURIComponent(t.name)}`}
            className="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-600 hover:bg-slate-200"
          >
            #{t.name}
          </Link>
        </li>
      ))}
    </ul>
  );
}

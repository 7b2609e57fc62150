import "server-only";

const MAX_HANDLE = 80;

/** URL-safe handle from a title; never empty, so a title of only symbols still gets a usable URL. */
export function slugify(title: string): string {
  const slug = title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, MAX_HANDLE)
    .replace(/-+$/g, "");
  return slug || "article";
}

import { type Id, Uuid } from "@/lib/ids";

/** The `[id]` segment as a gist id (a UUID, lower-cased), or null for anything that is not one. */
export function parseGistId(segment: string): Id | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return null;
  }
  const parsed = Uuid.safeParse(decoded);
  return parsed.success ? parsed.data : null;
}

import { z } from "zod";

const GistId = z.coerce.number().int().positive().max(2_147_483_647);

/** The `[id]` segment as a gist id, or null for anything that is not one. */
export function parseGistId(segment: string): number | null {
  const parsed = GistId.safeParse(/^\d+$/.test(segment) ? segment : NaN);
  return parsed.success ? parsed.data : null;
}

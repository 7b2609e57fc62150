import { z } from "zod";

const Username = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/);

/**
 * App Router reserves folders starting with "@" for parallel routes, so `/@alice` is served by the
 * `[username]` segment and the "@" is checked here. It may arrive raw or URL-encoded (%40).
 * Anything else ("/alice", "/@", "/@a b") is not a profile URL.
 */
export function parseAtUsername(segment: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return null;
  }
  if (!decoded.startsWith("@")) return null;
  const parsed = Username.safeParse(decoded.slice(1));
  return parsed.success ? parsed.data : null;
}

import { userChannel } from "@/lib/realtime/channels";
import type { Publication } from "./publication";

/** Bookmarks are private: only the user's own tabs and devices hear about them (button and bookmarks page). */
export function bookmarkSignal(userId: string, articleId: string): Publication {
  return { channels: [userChannel(userId)], signal: { scope: "bookmarks", ids: { resource_id: articleId } } };
}

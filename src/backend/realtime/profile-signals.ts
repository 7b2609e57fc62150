import { profileChannel, userChannel } from "@/lib/realtime/channels";
import type { Publication } from "./publication";

/**
 * A profile edit refreshes the user card for profile visitors (public channel) and for the user's own other tabs
 * (their settings form). A new name also shows on each card of their article feed, so that refetches too.
 */
export function profileSignals(userId: string, nameChanged: boolean): Publication[] {
  const card: Publication = { channels: [profileChannel(userId), userChannel(userId)], signal: { scope: "user", ids: { user_id: userId } } };
  if (!nameChanged) return [card];
  return [card, { channels: [profileChannel(userId)], signal: { scope: "user-article-feed", ids: { user_id: userId } } }];
}

import { userChannel } from "@/lib/realtime/channels";
import type { Publication } from "./publication";

/** A user's notifications changed (a new row, or rows marked read): their badge and list refetch on every tab. */
export function notificationsSignal(userId: string): Publication {
  return { channels: [userChannel(userId)], signal: { scope: "notifications" } };
}

import { userChannel } from "@/lib/realtime/channels";
import type { Publication } from "./publication";

/**
 * A sign-in or a revocation, on the user's own channel: every device refreshes its sessions list and re-checks its
 * own session, and the device whose session it was signs itself out (SessionWatcher).
 */
export function sessionSignal(userId: string, sessionId: string): Publication {
  return { channels: [userChannel(userId)], signal: { scope: "sessions", ids: { session_id: sessionId } } };
}

import "server-only";
import { allow, deny, type AccessDecision } from "@/lib/realtime/server";
import { canReadResource } from "@/backend/permissions";
import type { SessionResult } from "@/backend/session-store";
import type { AppChannel } from "./channels";

/**
 * Who may subscribe to a private channel (the library refuses public ones itself: they need no signature). A
 * resource channel asks canReadResource, the rule the pages and read actions use, so a channel and its page can
 * never disagree; unknown and unreadable resources get the same 403, so the answer does not reveal which ids exist.
 */
export async function canAccessChannel(session: SessionResult, channel: AppChannel): Promise<AccessDecision> {
  switch (channel.kind) {
    case "user":
      if (!session.user) return deny(401, "Sign in to subscribe to your channel.");
      return session.user.id === channel.params.userId ? allow : deny(403, "Not your channel.");
    case "resource":
      return (await canReadResource(session, channel.params.type, channel.params.id)) ? allow : deny(403, "You cannot read this resource.");
    default:
      return deny(403, "Public channels need no authorization.");
  }
}

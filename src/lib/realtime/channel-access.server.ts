import "server-only";
import { canReadResource } from "@/backend/permissions";
import type { SessionResult } from "@/backend/session-store";
import type { ParsedChannel } from "./channels";

export type AccessDecision = { ok: true } | { ok: false; status: 401 | 403; error: string };

const allow: AccessDecision = { ok: true };
const deny = (status: 401 | 403, error: string): AccessDecision => ({ ok: false, status, error });

/**
 * Who may subscribe to a private channel. Resource channels ask canReadResource, the rule the pages and read
 * actions use, so a channel and its page can never disagree. Public channels need no signature, so none is given.
 */
export async function decideChannelAccess(session: SessionResult, channel: ParsedChannel): Promise<AccessDecision> {
  switch (channel.kind) {
    case "user":
      if (!session.user) return deny(401, "Sign in to subscribe to your channel.");
      return session.user.id === channel.userId ? allow : deny(403, "Not your channel.");
    case "resource":
      // Unknown and unreadable resources get the same 403, so the answer does not reveal which ids exist.
      return (await canReadResource(session, channel.resourceType, channel.resourceId))
        ? allow
        : deny(403, "You cannot read this resource.");
    default:
      return deny(403, "Public channels need no authorization.");
  }
}

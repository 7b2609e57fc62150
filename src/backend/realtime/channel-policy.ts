import "server-only";
import { allow, deny, type AccessDecision } from "@/lib/realtime/server";
import { readableRootResources } from "@/backend/permissions";
import type { SessionResult } from "@/backend/session-store";
import type { RootResourceType } from "@/lib/resource-types";
import type { AppChannel } from "./channels";

/**
 * Who may subscribe to a private channel (the library refuses public ones itself: they need no signature). A
 * resource channel follows canReadResource's rule (readableRootResources), the one the pages and read actions use,
 * so a channel and its page can never disagree; unknown and unreadable resources get the same 403, so the answer
 * does not reveal which ids exist.
 *
 * Decided for all of a request's channels at once: a tab authorizes its channels in one request, and its resource
 * channels then cost one query per resource type, not one per channel.
 */
export async function canAccessChannels(session: SessionResult, channels: readonly AppChannel[]): Promise<AccessDecision[]> {
  const idsOf = (type: RootResourceType) =>
    channels.flatMap((c) => (c.kind === "resource" && c.params.type === type ? [c.params.id] : []));
  const [articles, gists] = await Promise.all([
    readableRootResources(session, "ARTICLE", idsOf("ARTICLE")),
    readableRootResources(session, "GIST", idsOf("GIST")),
  ]);
  const readable: Record<RootResourceType, Set<string>> = { ARTICLE: articles, GIST: gists };
  return channels.map((channel) => {
    switch (channel.kind) {
      case "user":
        if (!session.user) return deny(401, "Sign in to subscribe to your channel.");
        return session.user.id === channel.params.userId ? allow : deny(403, "Not your channel.");
      case "resource":
        return readable[channel.params.type].has(channel.params.id) ? allow : deny(403, "You cannot read this resource.");
      default:
        return deny(403, "Public channels need no authorization.");
    }
  });
}

/** One channel's decision (the versions route asks channel by channel). */
export async function canAccessChannel(session: SessionResult, channel: AppChannel): Promise<AccessDecision> {
  const [decision] = await canAccessChannels(session, [channel]);
  return decision;
}

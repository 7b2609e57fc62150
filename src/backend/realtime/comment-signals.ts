import { resourceChannel } from "@/lib/realtime/channels";
import type { Publication, ThreadRoot } from "./publication";

/**
 * Any change in a thread (a comment, a reply at any depth, an edit, a delete) refetches the root's one comments
 * query, so it travels on the root's channel with the root's ids: a reply to a reply still reaches the article page.
 */
export function commentThreadSignal(root: ThreadRoot): Publication {
  return {
    channels: [resourceChannel(root.resource_type, root.resource_id)],
    signal: { scope: "comments", ids: { resource_id: root.resource_id, resource_type: root.resource_type } },
  };
}

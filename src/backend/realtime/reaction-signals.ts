import { resourceChannel } from "@/lib/realtime/channels";
import type { ResourceType } from "@/lib/resource-types";
import type { Publication, ThreadRoot } from "./publication";

/**
 * A reaction changes the counts of the reacted resource only. It travels on the channel of the page that shows
 * it (the root: the article or gist itself, or a comment's thread root) and names the reacted resource, so the
 * page refetches that one `["reaction", id, type]` query and none of its siblings.
 */
export function reactionSignal(target: { resource_type: ResourceType; resource_id: string }, root: ThreadRoot): Publication {
  return {
    channels: [resourceChannel(root.resource_type, root.resource_id)],
    signal: { scope: "reactions", ids: { resource_id: target.resource_id, resource_type: target.resource_type } },
  };
}

"use client";

import type { ReactNode } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { getResourceReactions, toggleResourceReaction } from "@/backend/services/reaction.actions";
import { unwrap } from "@/lib/action-result";
import { queryKeys } from "@/lib/query-keys";
import { useResourceChannel, useServerAction } from "@/components/providers/RealtimeProvider";
import { REACTION_TYPES, type ReactionType, type ResourceType, type RootResourceType } from "@/lib/resource-types";

export type ReactionCount = { reaction_type: ReactionType; count: number; reacted: boolean };

export type ReactionableState = {
  reactions: ReactionCount[];
  isLoading: boolean;
  isToggling: boolean;
  toggle: (reaction_type: ReactionType) => void;
  error: unknown;
};

/** The channel that carries a resource's reaction signals: its own, or (for a comment) its thread root's. */
function channelOf(
  resource_type: ResourceType,
  resource_id: string,
  root: { resource_type: RootResourceType; resource_id: string } | undefined,
) {
  if (resource_type !== "COMMENT") return { type: resource_type, id: resource_id };
  return root ? { type: root.resource_type, id: root.resource_id } : { type: "ARTICLE" as const, id: null };
}

/**
 * Owns the `["reaction", id, type]` query and the toggle mutation for one resource (article, gist or
 * comment) and leaves the markup to its child, as TechDiary's render-props component does. It joins the channel
 * that carries the resource's reaction signals; every bar of a page shares that one subscription.
 */
export function ResourceReactionable({
  resource_id,
  resource_type,
  root,
  children,
}: {
  resource_id: string;
  resource_type: ResourceType;
  /** Required for live counts on a comment (its channel is the thread root's); ignored otherwise. */
  root?: { resource_type: RootResourceType; resource_id: string };
  children: (state: ReactionableState) => ReactNode;
}) {
  const channel = channelOf(resource_type, resource_id, root);
  useResourceChannel(channel.type, channel.id);
  const run = useServerAction();
  const query = useQuery({
    queryKey: queryKeys.reaction(resource_id, resource_type),
    queryFn: async () => unwrap(await getResourceReactions({ resource_id, resource_type })),
  });
  const mutation = useMutation({
    mutationFn: (reaction_type: ReactionType) => run(toggleResourceReaction({ resource_id, resource_type, reaction_type })),
  });

  const byType = new Map((query.data ?? []).map((r) => [r.reaction_type, r]));
  const reactions: ReactionCount[] = REACTION_TYPES.map(
    (t) => byType.get(t) ?? { reaction_type: t, count: 0, reacted: false },
  );

  return children({
    reactions,
    isLoading: query.isPending,
    isToggling: mutation.isPending,
    toggle: (t) => mutation.mutate(t),
    error: mutation.error ?? query.error,
  });
}

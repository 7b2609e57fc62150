"use client";

import type { ReactNode } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { getResourceReactions, toggleResourceReaction } from "@/backend/services/reaction.actions";
import { unwrap } from "@/lib/action-result";
import { queryKeys } from "@/lib/query-keys";
import { REACTION_TYPES, type ReactionType, type ResourceType } from "@/lib/resource-types";

export type ReactionCount = { reaction_type: ReactionType; count: number; reacted: boolean };

export type ReactionableState = {
  reactions: ReactionCount[];
  isLoading: boolean;
  isToggling: boolean;
  toggle: (reaction_type: ReactionType) => void;
  error: unknown;
};

/**
 * Owns the `["reaction", id, type]` query and the toggle mutation for one resource (article, gist or
 * comment) and leaves the markup to its child, as TechDiary's render-props component does.
 */
export function ResourceReactionable({
  resource_id,
  resource_type,
  children,
}: {
  resource_id: number;
  resource_type: ResourceType;
  children: (state: ReactionableState) => ReactNode;
}) {
  const queryClient = useQueryClient();
  const queryKey = queryKeys.reaction(resource_id, resource_type);
  const query = useQuery({
    queryKey,
    queryFn: async () => unwrap(await getResourceReactions({ resource_id, resource_type })),
  });
  const mutation = useMutation({
    mutationFn: async (reaction_type: ReactionType) =>
      unwrap(await toggleResourceReaction({ resource_id, resource_type, reaction_type })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey }),
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

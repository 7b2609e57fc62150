"use client";

import type { ReactionType, ResourceType, RootResourceType } from "@/lib/resource-types";
import { useCurrentUser } from "@/components/session/CurrentUser";
import { ErrorMessage } from "@/components/ui/ErrorMessage";
import { ResourceReactionable } from "./ResourceReactionable";

const EMOJI: Record<ReactionType, string> = {
  LOVE: "❤️",
  UNICORN: "🦄",
  WOW: "😮",
  FIRE: "🔥",
  CRY: "😢",
  HAHA: "😂",
};

/**
 * One button per reaction type. The emoji is drawn by CSS (::before) so the button's text is exactly
 * the count, which is what tests and screen readers (with the aria-label) read.
 */
export function ReactionBar({
  resource_id,
  resource_type,
  root,
  size = "md",
}: {
  resource_id: string;
  resource_type: ResourceType;
  /** For a comment: its thread's article or gist, whose channel carries the comment's reaction signals. */
  root?: { resource_type: RootResourceType; resource_id: string };
  size?: "sm" | "md";
}) {
  const user = useCurrentUser();
  return (
    <ResourceReactionable resource_id={resource_id} resource_type={resource_type} root={root}>
      {({ reactions, isLoading, isToggling, toggle, error }) => (
        <div>
          <div className="flex flex-wrap gap-1.5">
            {reactions.map((r) => (
              <button
                key={r.reaction_type}
                type="button"
                aria-label={`${r.reaction_type} reaction`}
                aria-pressed={r.reacted}
                title={user ? undefined : "Sign in to react"}
                data-testid={`reaction-${resource_type}-${resource_id}-${r.reaction_type}`}
                data-emoji={EMOJI[r.reaction_type]}
                disabled={!user || isLoading || isToggling}
                onClick={() => toggle(r.reaction_type)}
                className={`inline-flex items-center gap-1 rounded-full border tabular-nums before:content-[attr(data-emoji)] disabled:cursor-default ${
                  size === "sm" ? "px-2 py-0 text-xs" : "px-2.5 py-0.5 text-sm"
                } ${
                  r.reacted
                    ? "border-sky-300 bg-sky-50 text-sky-800"
                    : "border-slate-200 bg-white text-slate-600 enabled:hover:bg-slate-100"
                }`}
              >
                {r.count}
              </button>
            ))}
          </div>
          {error ? <ErrorMessage error={error} className="mt-2" /> : null}
        </div>
      )}
    </ResourceReactionable>
  );
}

"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { bookmarkStatus, toggleResourceBookmark } from "@/backend/services/bookmark.action";
import { unwrap } from "@/lib/action-result";
import { queryKeys } from "@/lib/query-keys";
import { useServerAction } from "@/components/providers/RealtimeProvider";
import { useCurrentUser } from "@/components/session/CurrentUser";
import { ErrorMessage } from "@/components/ui/ErrorMessage";

export function BookmarkButton({ resource_id }: { resource_id: string }) {
  const user = useCurrentUser();
  const run = useServerAction();
  const status = useQuery({
    queryKey: queryKeys.bookmarkStatus(resource_id),
    queryFn: async () => unwrap(await bookmarkStatus({ resource_id })),
    enabled: user !== null,
  });
  const toggle = useMutation({
    // The bookmarks signal it returns refreshes this button and the bookmarks page.
    mutationFn: () => run(toggleResourceBookmark({ resource_id })),
  });

  if (!user) return null;
  const bookmarked = status.data?.bookmarked ?? false;
  return (
    <div className="flex flex-col items-end gap-1">
      <button
        type="button"
        aria-label={bookmarked ? "Remove bookmark" : "Bookmark"}
        aria-pressed={bookmarked}
        disabled={status.isPending || toggle.isPending}
        onClick={() => toggle.mutate()}
        className={`inline-flex items-center gap-1 rounded-md border px-2.5 py-1 text-sm font-medium disabled:opacity-50 ${
          bookmarked ? "border-amber-300 bg-amber-50 text-amber-800" : "border-slate-300 bg-white text-slate-700 hover:bg-slate-100"
        }`}
      >
        <span aria-hidden="true">{bookmarked ? "★" : "☆"}</span>
        {bookmarked ? "Bookmarked" : "Bookmark"}
      </button>
      <ErrorMessage error={toggle.error ?? status.error} />
    </div>
  );
}

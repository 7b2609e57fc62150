"use client";

import { useQuery } from "@tanstack/react-query";
import { isNoticeNewer, noticeQuery } from "@/lib/realtime";

/**
 * Shown while the home feed's notice (raised by an `article-feed` signal, no network involved) is newer than the
 * feed on screen. Clicking refetches the feed; the fresh data is then newer than the notice, and the pill goes.
 */
export function NewArticlesPill({
  dataUpdatedAt,
  refreshing,
  onShow,
}: {
  /** When the feed on screen was fetched; null while there is nothing on screen yet. */
  dataUpdatedAt: number | null;
  refreshing: boolean;
  onShow: () => void;
}) {
  const notice = useQuery(noticeQuery("article-feed"));
  if (dataUpdatedAt === null || !isNoticeNewer(notice.data, dataUpdatedAt)) return null;
  return (
    <div className="sticky top-16 z-10 mb-4 flex justify-center">
      <button
        type="button"
        onClick={onShow}
        disabled={refreshing}
        className="rounded-full bg-sky-600 px-4 py-1.5 text-sm font-medium text-white shadow-md hover:bg-sky-500 disabled:opacity-60"
      >
        {refreshing ? "Loading…" : "New articles"}
      </button>
    </div>
  );
}

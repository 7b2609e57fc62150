"use client";

import { useQuery } from "@tanstack/react-query";
import { unreadNotificationCount } from "@/backend/services/notification.actions";
import { unwrap } from "@/lib/action-result";
import { queryKeys } from "@/lib/query-keys";

/** The unread count beside "Notifications"; renders nothing at zero (or while signed out). */
export function UnreadBadge({ enabled }: { enabled: boolean }) {
  const { data } = useQuery({
    queryKey: queryKeys.unreadNotificationCount(),
    queryFn: async () => unwrap(await unreadNotificationCount()),
    enabled,
  });
  const count = enabled ? (data?.count ?? 0) : 0;
  if (count <= 0) return null;
  return (
    <span
      data-testid="unread-badge"
      title={`${count} unread`}
      className="ml-1 inline-flex min-w-5 items-center justify-center rounded-full bg-red-600 px-1.5 text-xs font-semibold leading-5 text-white"
    >
      {count > 99 ? "99+" : count}
    </span>
  );
}

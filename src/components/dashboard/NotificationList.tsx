"use client";

import Link from "next/link";
import { z } from "zod";
import { useMutation, useQuery } from "@tanstack/react-query";
import {
  markAllNotificationsRead,
  markNotificationRead,
  myNotifications,
} from "@/backend/services/notification.actions";
import { unwrap } from "@/lib/action-result";
import { queryKeys } from "@/lib/query-keys";
import { useServerAction } from "@/components/providers/RealtimeProvider";
import { EmptyState } from "@/components/ui/EmptyState";
import { ErrorMessage } from "@/components/ui/ErrorMessage";
import { Loading } from "@/components/ui/Loading";
import { PageHeader } from "@/components/ui/PageHeader";
import { Time } from "@/components/ui/Time";
import { button } from "@/components/ui/styles";

// The payload is stored JSON; read only what is displayable and ignore the rest.
const Payload = z
  .object({
    title: z.string().optional(),
    url: z.string().startsWith("/").optional().catch(undefined),
    excerpt: z.string().optional().catch(undefined),
  })
  .catch({});

const FALLBACK_TEXT: Record<string, string> = {
  COMMENT: "commented on your post",
  REPLY: "replied to your comment",
  REACTION: "reacted to your post",
};

export function NotificationList() {
  // Marking read returns the notifications signal (when something changed): list and badge refetch.
  const run = useServerAction();
  const notifications = useQuery({
    queryKey: queryKeys.myNotifications(),
    queryFn: async () => unwrap(await myNotifications({})),
  });
  const markOne = useMutation({
    mutationFn: (id: string) => run(markNotificationRead({ id })),
  });
  const markAll = useMutation({
    mutationFn: () => run(markAllNotificationsRead({})),
  });

  const unread = (notifications.data ?? []).filter((n) => !n.read_at).length;

  return (
    <div>
      <PageHeader title="Notifications">
        <button
          type="button"
          className={button.secondary}
          disabled={markAll.isPending || unread === 0}
          onClick={() => markAll.mutate()}
        >
          Mark all read
        </button>
      </PageHeader>
      <ErrorMessage error={markAll.error ?? markOne.error} className="mb-4" />
      {notifications.error ? (
        <ErrorMessage error={notifications.error} />
      ) : notifications.isPending ? (
        <Loading label="Loading notifications…" />
      ) : notifications.data.length === 0 ? (
        <EmptyState>No notifications yet.</EmptyState>
      ) : (
        <ul className="divide-y divide-slate-200 overflow-hidden rounded-lg border border-slate-200 bg-white">
          {notifications.data.map((n) => {
            const payload = Payload.parse(n.payload ?? {});
            const actor = n.actor?.name || n.actor?.username || "Someone";
            const text = payload.title ?? `${actor} ${FALLBACK_TEXT[n.type] ?? "did something"}`;
            const isUnread = !n.read_at;
            return (
              <li
                key={n.id}
                data-testid={`notification-${n.id}`}
                data-read={isUnread ? "false" : "true"}
                className={`flex flex-wrap items-start justify-between gap-3 p-4 ${isUnread ? "bg-sky-50" : ""}`}
              >
                <div className="min-w-0 flex-1">
                  <p className={`text-sm ${isUnread ? "font-semibold text-slate-900" : "text-slate-700"}`}>
                    {isUnread ? <span className="sr-only">Unread: </span> : null}
                    {payload.url ? (
                      <Link href={payload.url} className="hover:underline">
                        {text}
                      </Link>
                    ) : (
                      text
                    )}
                  </p>
                  {payload.excerpt ? <p className="mt-1 line-clamp-2 text-sm text-slate-600">{payload.excerpt}</p> : null}
                  <p className="mt-1 text-xs">
                    <Time value={n.created_at} />
                  </p>
                </div>
                {isUnread ? (
                  <button
                    type="button"
                    className={button.secondary}
                    disabled={markOne.isPending && markOne.variables === n.id}
                    onClick={() => markOne.mutate(n.id)}
                  >
                    Mark read
                  </button>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

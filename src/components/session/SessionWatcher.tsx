"use client";

import { useEffect, useRef } from "react";
import { useRouter } from "next/navigation";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { currentSessionStatus } from "@/backend/services/session.actions";
import { unwrap } from "@/lib/action-result";
import { queryKeys } from "@/lib/query-keys";
import { useRealtimeConnection } from "@/lib/realtime/client";
import { useCurrentUser } from "./CurrentUser";

/**
 * Signs this device out once the server says its session is gone (revoked from another device, or signed out in
 * another tab). The sessions scope invalidates the current-session query on every device of the user, so the
 * question is asked right after any sign-in or revocation, and also on focus and after a reconnect.
 *
 * Order matters: the broker connection goes first, so none of the user's private channels outlives the session by
 * more than one round trip; then the cached private data; then the server render, whose layout has no user any more
 * (RealtimeProvider then starts over as an anonymous visitor).
 */
export function SessionWatcher() {
  const user = useCurrentUser();
  const connection = useRealtimeConnection();
  const queryClient = useQueryClient();
  const router = useRouter();
  const status = useQuery({
    queryKey: queryKeys.currentSession(),
    queryFn: async () => unwrap(await currentSessionStatus({})),
    enabled: user !== null,
    // The layout just rendered this user from a valid session: no need to ask again until something changes.
    initialData: user ? { user_id: user.id, session_id: null } : undefined,
  });
  const handledFor = useRef<string | null>(null);
  const verdict = status.data;

  useEffect(() => {
    if (!user || !verdict || verdict.user_id === user.id || handledFor.current === user.id) return;
    handledFor.current = user.id;
    connection?.destroy();
    queryClient.clear();
    // Signed out: the login page. Another account took over this browser's cookie (another tab): stay, re-render.
    if (verdict.user_id === null) router.replace("/login");
    router.refresh();
  }, [user, verdict, connection, queryClient, router]);

  return null;
}

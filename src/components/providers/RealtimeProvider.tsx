"use client";

import { useCallback, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import {
  applySignals,
  useRealtimeHeard,
  RealtimeProvider as LibraryRealtimeProvider,
  useRealtimeChannel,
  type RealtimeClientConfig,
} from "@/lib/realtime/client";
import { type ActionResult, unwrap } from "@/lib/action-result";
import type { RootResourceType } from "@/lib/resource-types";
import { resourceChannel, userChannel } from "@/backend/realtime/channels";
import { scopes } from "@/backend/realtime/scopes";
import { RealtimeInspectorMount, realtimeLog } from "@/components/realtime/inspector-gate";

/**
 * The app's side of the realtime client: the library's provider with this app's scope registry and the signed-in
 * user's channel, the resource-channel hook pages mount, and the hook that runs a server action from this tab. In a
 * build with the realtime inspector (development, or NEXT_PUBLIC_REALTIME_INSPECTOR=1) it also records the realtime
 * log and mounts the inspector (lazily, when opened) and TanStack Query Devtools (development only).
 */
export function RealtimeProvider({
  config,
  userId,
  children,
}: {
  /** realtime.clientConfig() from the server; null when realtime is off. */
  config: RealtimeClientConfig | null;
  userId: string | null;
  children: ReactNode;
}) {
  return (
    <LibraryRealtimeProvider config={config} scopes={scopes} userChannel={userId ? userChannel(userId) : null} log={realtimeLog}>
      {children}
      <RealtimeInspectorMount />
    </LibraryRealtimeProvider>
  );
}

/** A readable article's or gist's channel (comments, reactions, the page itself); the auth route decides who may. */
export function useResourceChannel(type: RootResourceType, id: string | null | undefined): void {
  useRealtimeChannel(id ? resourceChannel(type, id) : null);
}

/**
 * Runs a server action for a mutation: the signals the action published refresh this tab's queries (the broker
 * skips this tab, which sent its socket id), then its data comes back or its error is thrown. Components list no
 * query keys: the scope registry maps the signals, exactly as it does on every other tab.
 *
 *   const run = useServerAction();
 *   useMutation({ mutationFn: (body: string) => run(createMyComment({ resource_id, resource_type, body })) });
 */
export function useServerAction() {
  const queryClient = useQueryClient();
  const heard = useRealtimeHeard();
  return useCallback(
    async <T,>(pending: Promise<ActionResult<T>>): Promise<T> => {
      const result = await pending;
      if (result.ok) {
        // Heard first: a broker signal of a later write may arrive while the refetches run.
        heard(result.versions);
        await applySignals(queryClient, scopes, result.signals);
      }
      return unwrap(result);
    },
    [queryClient, heard],
  );
}

"use client";

import { useState, type ReactNode } from "react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { CurrentUserProvider, type CurrentUser } from "@/components/session/CurrentUser";
import { SessionWatcher } from "@/components/session/SessionWatcher";
import { RealtimeProvider } from "@/components/providers/RealtimeProvider";
import type { RealtimeClientConfig } from "@/lib/realtime/client";

function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: true,
        retry: 1,
      },
      mutations: { retry: 0 },
    },
  });
}

export function Providers({
  user,
  realtime,
  children,
}: {
  user: CurrentUser | null;
  realtime: RealtimeClientConfig | null;
  children: ReactNode;
}) {
  // One client per browser tab; useState keeps it stable across re-renders and router.refresh().
  const [queryClient] = useState(makeQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <CurrentUserProvider user={user}>
        <RealtimeProvider config={realtime} userId={user?.id ?? null}>
          <SessionWatcher />
          {children}
        </RealtimeProvider>
      </CurrentUserProvider>
    </QueryClientProvider>
  );
}

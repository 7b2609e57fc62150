import { StrictMode, useEffect, type ReactNode } from "react";
import { render } from "@testing-library/react";
import { QueryClient, QueryClientProvider, useQuery, type QueryKey } from "@tanstack/react-query";
import {
  RealtimeProvider,
  useRealtimeStatus,
  type InvalidatorFactory,
  type PusherFactory,
  type RealtimeClientConfig,
  type RealtimeStatus,
  type ReconnectPolicy,
} from "@/lib/realtime/client";
import { userChannel } from "@/backend/realtime/channels";
import { scopes } from "@/backend/realtime/scopes";
import { CurrentUserProvider, type CurrentUser } from "@/components/session/CurrentUser";
import { SessionWatcher } from "@/components/session/SessionWatcher";

/** A tab's QueryClient in tests: no retries (a failure shows at once), and no refetch unless something asks. */
export function newQueryClient() {
  return new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity }, mutations: { retry: false } } });
}

export type TestAppOptions = {
  /** The provider's config; null = realtime off. */
  config: RealtimeClientConfig | null;
  /** The signed-in user (CurrentUserProvider, and the owner of the user channel the provider joins). */
  user?: CurrentUser | null;
  /** The user channel's owner when no CurrentUser is rendered (library-level tests); defaults to user's id. */
  userId?: string | null;
  createPusher?: PusherFactory;
  createInvalidator?: InvalidatorFactory;
  pollIntervalMs?: number;
  reconnectPolicy?: ReconnectPolicy;
  /** Mounts SessionWatcher, as the app's Providers do. */
  sessionWatcher?: boolean;
  /** Render under React StrictMode (double effects). */
  strict?: boolean;
  queryClient?: QueryClient;
};

/**
 * One browser tab, wired as src/app/providers.tsx and the app's RealtimeProvider wire it: QueryClientProvider, the
 * current user, and the library's RealtimeProvider with the app's scope registry and the user's channel. The
 * library provider is used directly (the app's one is a thin wrapper without test seams) so tests can hand in a
 * pusher factory, an invalidator and a poll interval.
 */
export function renderApp(ui: ReactNode, options: TestAppOptions) {
  const queryClient = options.queryClient ?? newQueryClient();
  const tree = (children: ReactNode, opts: TestAppOptions) => {
    const owner = opts.userId !== undefined ? opts.userId : (opts.user?.id ?? null);
    const app = (
      <QueryClientProvider client={queryClient}>
        <CurrentUserProvider user={opts.user ?? null}>
          <RealtimeProvider
            config={opts.config}
            scopes={scopes}
            userChannel={owner ? userChannel(owner) : null}
            createPusher={opts.createPusher}
            createInvalidator={opts.createInvalidator}
            pollIntervalMs={opts.pollIntervalMs}
            reconnectPolicy={opts.reconnectPolicy}
          >
            {opts.sessionWatcher ? <SessionWatcher /> : null}
            {children}
          </RealtimeProvider>
        </CurrentUserProvider>
      </QueryClientProvider>
    );
    return opts.strict ? <StrictMode>{app}</StrictMode> : app;
  };
  let current = { ui, options };
  const view = render(tree(ui, options));
  return {
    ...view,
    queryClient,
    /** Re-renders the tab with other children (a page swap) and/or other options (a sign-out). */
    update(next: { ui?: ReactNode; options?: Partial<TestAppOptions> }) {
      current = { ui: next.ui !== undefined ? next.ui : current.ui, options: { ...current.options, ...next.options } };
      view.rerender(tree(current.ui, current.options));
    },
  };
}

/** A "database" the watched queries read: one version per name, bumped by a test before it signals. */
export class FakeBackend {
  fetches: Record<string, number> = {};
  /** Tabs of one test share `versions` (the data) and count their own fetches. */
  constructor(
    readonly versions: Record<string, number> = {},
    private readonly latencyMs = 20,
  ) {}
  queryFn(name: string) {
    return async () => {
      this.fetches[name] = (this.fetches[name] ?? 0) + 1;
      const value = this.versions[name] ?? 0; // read at the start, like a query that then takes a while
      await new Promise((r) => setTimeout(r, this.latencyMs));
      return value;
    };
  }
  fetchCount(name: string) {
    return this.fetches[name] ?? 0;
  }
}

/** A query a test watches: shown as `<testId>-<name>`, its data the backend version it read. */
export type Watched = { name: string; queryKey: QueryKey };

function WatchedQuery({ backend, watched, testId }: { backend: FakeBackend; watched: Watched; testId: string }) {
  const { data } = useQuery({ queryKey: watched.queryKey, queryFn: backend.queryFn(watched.name) });
  return <span data-testid={`${testId}-${watched.name}`}>{data ?? ""}</span>;
}

/** Renders the watched queries and the tab's status (`<testId>-status`), appending each new status to `log`. */
export function Watchers({ backend, watched, testId = "tab", log }: { backend: FakeBackend; watched: readonly Watched[]; testId?: string; log?: RealtimeStatus[] }) {
  return (
    <>
      <StatusLog log={log} testId={testId} />
      {watched.map((w) => (
        <WatchedQuery key={w.name} backend={backend} watched={w} testId={testId} />
      ))}
    </>
  );
}

function StatusLog({ log, testId }: { log?: RealtimeStatus[]; testId: string }) {
  const status = useRealtimeStatus();
  useEffect(() => {
    if (log && log.at(-1) !== status) log.push(status);
  }, [log, status]);
  return <span data-testid={`${testId}-status`}>{status}</span>;
}

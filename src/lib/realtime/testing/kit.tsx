import { act, StrictMode, type ComponentType, type ReactElement, type ReactNode } from "react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import type { AnyScopeRegistry } from "../scopes";
import { createImmediateInvalidator, type InvalidatorFactory } from "../client/invalidator";
import { RealtimeProvider } from "../client/provider";
import type { ReconnectPolicy } from "../client/reconnect";
import { createMemoryPusher, MEMORY_CONFIG, type MemoryPusher } from "./memory-pusher";

// Taken when the kit is loaded, so a test that installs fake timers afterwards does not stall emit()'s settling.
const realSetTimeout = globalThis.setTimeout;

export type RealtimeTestKitOptions = {
  /** The host's scope registry (defineScopes), as the app hands it to RealtimeProvider. */
  scopes: AnyScopeRegistry;
  /** The signed-in user's private channel, joined by the provider itself; null or left out for a visitor. */
  userChannel?: string | null;
  /** Default: a new client without retries, whose queries stay fresh until something invalidates them. */
  queryClient?: QueryClient;
  /**
   * Default createImmediateInvalidator: a signal refetches at once, so tests never wait on the coalescing window.
   * For the production policy without its wait: `coalescingInvalidator(IMMEDIATE_COALESCE_POLICY)`.
   */
  createInvalidator?: InvalidatorFactory;
  /** pusher-js's connection state at the start; default "connected". */
  state?: string;
  /** Render under React.StrictMode (double effects), as the app's dev build does. */
  strict?: boolean;
  pollIntervalMs?: number;
  reconnectPolicy?: ReconnectPolicy;
};

export type RealtimeTestKit = {
  /** For render's `wrapper`: QueryClientProvider and the library's RealtimeProvider on the in-memory broker. */
  wrapper: ComponentType<{ children?: ReactNode }>;
  queryClient: QueryClient;
  /** The in-memory pusher-js double behind the provider (its log, raw events, connection states). */
  pusher: MemoryPusher;
  /**
   * Delivers `signal` on `channel` as the broker would (only if the tab holds the channel and is connected), then
   * resolves once the refetches it caused have settled. Resolves to whether it was delivered.
   */
  emit(channel: string, signal: unknown): Promise<boolean>;
  /** The channels the tab holds right now, sorted. */
  joined(): string[];
  /** The connection is lost (pusher-js "unavailable"): the tab is offline, misses signals and polls. */
  disconnect(): Promise<void>;
  /** The connection is back and every channel re-subscribed: the tab resyncs; resolves once those refetches settled. */
  connect(): Promise<void>;
  /** Resolves once no query is fetching and nothing is left to start (see emit). */
  settled(): Promise<void>;
};

export function newTestQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity }, mutations: { retry: false } } });
}

/**
 * React's act(), with the act environment flag set while it runs (and restored after), as @testing-library/react
 * does around its own act: updates are flushed before it resolves, without "not configured to support act" warnings.
 */
async function inAct(work: () => Promise<void>): Promise<void> {
  const scope = globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean };
  const previous = scope.IS_REACT_ACT_ENVIRONMENT;
  scope.IS_REACT_ACT_ENVIRONMENT = true;
  try {
    await act(work);
  } finally {
    scope.IS_REACT_ACT_ENVIRONMENT = previous;
  }
}

/** Waits until no query fetches, then one real macrotask more (an invalidator's trailing run), until it stays so. */
async function idle(queryClient: QueryClient): Promise<void> {
  for (;;) {
    if (queryClient.isFetching() > 0) {
      await new Promise<void>((resolve) => {
        const stop = queryClient.getQueryCache().subscribe(() => {
          if (queryClient.isFetching() > 0) return;
          stop();
          resolve();
        });
        if (queryClient.isFetching() === 0) {
          stop();
          resolve();
        }
      });
    }
    await new Promise<void>((resolve) => realSetTimeout(resolve, 0));
    if (queryClient.isFetching() === 0) return;
  }
}

/**
 * One browser tab for component tests: the library's own RealtimeProvider (with the host's registry and user
 * channel) on an in-memory broker, inside a QueryClientProvider. Pass `wrapper` to render (or use
 * renderWithRealtime); deliver signals with `emit`, which waits for the refetches they cause.
 *
 * ```tsx
 * const rt = createRealtimeTestKit({ scopes, userChannel: userChannel(me) });
 * render(<BookmarkButton resource_id={id} />, { wrapper: rt.wrapper });
 * await rt.emit(userChannel(me), bookmarkSignal(me, id).signal);
 * ```
 *
 * Updates run inside React's act(), so no act() warnings; emit and connect wait with a real timer taken when the
 * kit loaded, so they work after vi.useFakeTimers() only if the queries' own fetches do not wait on faked timers.
 */
export function createRealtimeTestKit(options: RealtimeTestKitOptions): RealtimeTestKit {
  const queryClient = options.queryClient ?? newTestQueryClient();
  const pusher = createMemoryPusher({ state: options.state });
  const createInvalidator = options.createInvalidator ?? createImmediateInvalidator;
  const userChannel = options.userChannel ?? null;

  function RealtimeTestWrapper({ children }: { children?: ReactNode }) {
    const tree = (
      <QueryClientProvider client={queryClient}>
        <RealtimeProvider
          config={MEMORY_CONFIG}
          scopes={options.scopes}
          userChannel={userChannel}
          createPusher={pusher.factory}
          createInvalidator={createInvalidator}
          pollIntervalMs={options.pollIntervalMs}
          reconnectPolicy={options.reconnectPolicy}
        >
          {children}
        </RealtimeProvider>
      </QueryClientProvider>
    );
    return options.strict ? <StrictMode>{tree}</StrictMode> : tree;
  }

  const settled = () => inAct(() => idle(queryClient));

  return {
    wrapper: RealtimeTestWrapper,
    queryClient,
    pusher,
    async emit(channel, signal) {
      let delivered = false;
      await inAct(async () => {
        delivered = pusher.deliver(channel, signal);
        await idle(queryClient);
      });
      return delivered;
    },
    joined: () => pusher.subscribed().sort(),
    async disconnect() {
      await inAct(async () => pusher.drop());
    },
    async connect() {
      await inAct(async () => {
        pusher.reconnect();
        await idle(queryClient);
      });
    },
    settled,
  };
}

/** What `render` must look like: @testing-library/react's render fits. */
export type RenderFunction<R> = (ui: ReactElement, options: { wrapper: ComponentType<{ children?: ReactNode }> }) => R;

/**
 * Renders `ui` in a realtime test tab with the test's own `render` (e.g. @testing-library/react's), and returns
 * render's result together with the kit (emit, joined, connect, disconnect, queryClient, pusher, settled).
 *
 * ```tsx
 * const view = renderWithRealtime(<Comments id={id} />, { render, scopes });
 * await view.emit(resourceChannel("ARTICLE", id), { scope: "comments", ids: { ... } });
 * ```
 */
export function renderWithRealtime<R extends object>(ui: ReactElement, { render, ...options }: RealtimeTestKitOptions & { render: RenderFunction<R> }): R & RealtimeTestKit {
  const kit = createRealtimeTestKit(options);
  return { ...render(ui, { wrapper: kit.wrapper }), ...kit };
}

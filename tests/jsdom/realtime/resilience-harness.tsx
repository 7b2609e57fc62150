import { StrictMode, useEffect, type ReactNode } from "react";
import { render } from "@testing-library/react";
import { QueryClient, QueryClientProvider, useQuery, type QueryKey } from "@tanstack/react-query";
import PusherServer from "pusher";
import type PusherJs from "pusher-js";
import {
  GuardedPusher,
  RealtimeProvider,
  useRealtimeStatus,
  type InvalidatorFactory,
  type PusherFactory,
  type RealtimeClientConfig,
  type RealtimeStatus,
} from "@/lib/realtime/client";
import type { SoketiHandle } from "../../helpers/soketi";

export function serverFor(soketi: SoketiHandle): PusherServer {
  return new PusherServer({
    appId: soketi.app.id,
    key: soketi.app.key,
    secret: soketi.app.secret,
    host: "127.0.0.1",
    port: String(soketi.port),
    useTLS: false,
    timeout: 2_000,
  });
}

export function configFor(soketi: SoketiHandle): RealtimeClientConfig {
  return { key: soketi.app.key, wsHost: "127.0.0.1", wsPort: soketi.port, forceTLS: false, cluster: "mt1" };
}

export async function subscriptionCount(server: PusherServer, channel: string): Promise<number> {
  const res = await server.get({ path: "/channels", params: { info: "subscription_count" } });
  const body = (await res.json()) as { channels: Record<string, { subscription_count?: number }> };
  return body.channels[channel]?.subscription_count ?? 0;
}

/**
 * The production pusher-js class (reconnect guard included; `Client` PusherJs for the plain one) against the real
 * Soketi; only the auth transport is replaced, since jsdom has no app server: it signs exactly as the route does
 * (the route is tested on its own). Records the subscribe frames sent (pusher-js also sends them on every reconnect).
 */
export function trackingFactory(server: PusherServer, Client: typeof PusherJs = GuardedPusher) {
  const created: PusherJs[] = [];
  const subscribeFrames: string[] = [];
  const factory: PusherFactory = (key, options) => {
    const pusher = new Client(key, {
      ...options,
      channelAuthorization: {
        customHandler: ({ socketId, channelName }, cb) => cb(null, server.authorizeChannel(socketId, channelName)),
      },
    });
    const send = pusher.send_event.bind(pusher);
    pusher.send_event = (name: string, data: { channel?: string }, channel?: string) => {
      if (name === "pusher:subscribe") subscribeFrames.push(String(data.channel));
      return send(name, data, channel);
    };
    created.push(pusher);
    return pusher;
  };
  return { factory, created, subscribeFrames };
}

/** A "database" the query functions read: one version per query name, bumped by the test before it signals. */
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

export type Watched = { name: string; queryKey: QueryKey };

function Query({ backend, watched, testId }: { backend: FakeBackend; watched: Watched; testId: string }) {
  const { data } = useQuery({ queryKey: watched.queryKey, queryFn: backend.queryFn(watched.name) });
  return <span data-testid={`${testId}-${watched.name}`}>{data ?? ""}</span>;
}

function StatusLog({ log, testId }: { log: RealtimeStatus[]; testId: string }) {
  const status = useRealtimeStatus();
  useEffect(() => {
    if (log.at(-1) !== status) log.push(status);
  }, [log, status]);
  return <span data-testid={`${testId}-status`}>{status}</span>;
}

export type AppOptions = {
  config: RealtimeClientConfig;
  userId: number;
  factory: PusherFactory;
  backend: FakeBackend;
  watched: Watched[];
  testId?: string;
  createInvalidator?: InvalidatorFactory;
  pollIntervalMs?: number;
  children?: ReactNode;
};

/** One browser tab: its own QueryClient and provider, under StrictMode. */
export function renderTab(opts: AppOptions) {
  const testId = opts.testId ?? "tab";
  const queryClient = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, retry: false } } });
  const statuses: RealtimeStatus[] = [];
  const ui = (children: ReactNode) => (
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <RealtimeProvider
          config={opts.config}
          userId={opts.userId}
          createPusher={opts.factory}
          createInvalidator={opts.createInvalidator}
          pollIntervalMs={opts.pollIntervalMs}
        >
          <StatusLog log={statuses} testId={testId} />
          {opts.watched.map((w) => (
            <Query key={w.name} backend={opts.backend} watched={w} testId={testId} />
          ))}
          {children}
        </RealtimeProvider>
      </QueryClientProvider>
    </StrictMode>
  );
  const view = render(ui(opts.children));
  return { ...view, queryClient, statuses, setChildren: (children: ReactNode) => view.rerender(ui(children)) };
}

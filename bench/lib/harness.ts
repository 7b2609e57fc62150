import PusherServer from "pusher";
import Pusher from "pusher-js";
import { QueryClient, QueryObserver, hashKey, type QueryKey } from "@tanstack/react-query";
import { getEnv, resetEnvCache } from "@/env";
import { INVALIDATE_EVENT, parseSignal } from "@/lib/realtime";
import { createRealtimeServer, type BrokerConfig, type RealtimeServer } from "@/lib/realtime/server";
import { createCoalescingInvalidator, type Invalidator, type InvalidatorFactory } from "@/lib/realtime/client/invalidator";
import { brokerConfig, collectSignals } from "@/backend/realtime/server";
import { scopes } from "@/backend/realtime/scopes";
import { flushAfter, request } from "../../tests/helpers/next-request";
import { startSoketi, type SoketiHandle } from "../../tests/helpers/soketi";

export type Broker = {
  soketi: SoketiHandle;
  /** The naive publisher: a plain SDK client, as a first implementation would create it. */
  naive: PusherServer;
  /** The app's broker settings for this Soketi (what `@/backend/realtime/server` reads from the env). */
  config: BrokerConfig;
  stop: () => Promise<void>;
};

/** A real Soketi on loopback, with the app's env pointed at it (the project's publisher reads it). */
export async function startBroker(): Promise<Broker> {
  const soketi = await startSoketi();
  Object.assign(process.env, soketi.env, { REALTIME_PUBLISH_TIMEOUT_MS: "2000" });
  resetEnvCache();
  const config = brokerConfig(getEnv());
  if (!config) throw new Error("the app read no broker settings from the env startBroker set");
  return { ...brokerOn(soketi), config };
}

/** A Broker for a Soketi already running (a cluster node), without touching the app's env. */
export function brokerOn(soketi: SoketiHandle): Broker {
  const { id: appId, key, secret } = soketi.app;
  const naive = new PusherServer({ appId, key, secret, host: "127.0.0.1", port: String(soketi.port), useTLS: false });
  const config: BrokerConfig = { appId, key, secret, host: "127.0.0.1", port: soketi.port, useTLS: false, timeoutMs: 2000 };
  return { soketi, naive, config, stop: () => soketi.stop() };
}

export type ProjectServer = RealtimeServer<typeof scopes>;

/**
 * A realtime server of its own (own sender, own metrics), on the app's registry and this broker: for a bench that
 * reads counters of its own publishes only. The others publish through the app's instance (`@/backend/realtime/server`).
 */
export function projectServer(broker: Broker): ProjectServer {
  return createRealtimeServer({ scopes, broker: () => broker.config });
}

/** A pusher-js client; private channels are signed locally (the auth route is not what these benches measure). */
export function connectClient(broker: Broker): Promise<Pusher> {
  const signer = broker.naive;
  const pusher = new Pusher(broker.soketi.app.key, {
    cluster: "mt1",
    wsHost: "127.0.0.1",
    wsPort: broker.soketi.port,
    forceTLS: false,
    enabledTransports: ["ws"],
    disableStats: true,
    channelAuthorization: {
      endpoint: "/unused",
      transport: "ajax",
      customHandler: ({ socketId, channelName }, callback) => callback(null, signer.authorizeChannel(socketId, channelName)),
    },
    // The broker requires a sign-in (config/soketi.json); signed locally as a guest, as the sign-in route would.
    userAuthentication: {
      endpoint: "/unused",
      transport: "ajax",
      customHandler: ({ socketId }, callback) => callback(null, signer.authenticateUser(socketId, { id: `guest-${socketId}` })),
    },
  });
  pusher.signin();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("pusher-js did not connect within 20s")), 20_000);
    pusher.connection.bind("connected", () => {
      clearTimeout(timer);
      resolve(pusher);
    });
  });
}

export function subscribe(pusher: Pusher, channel: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ch = pusher.subscribe(channel);
    const timer = setTimeout(() => reject(new Error(`no subscription to ${channel} within 20s`)), 20_000);
    ch.bind("pusher:subscription_succeeded", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The naive client: one invalidateQueries per received signal, nothing else. */
export function bindNaive(pusher: Pusher, channel: string, queryClient: QueryClient, keyOf: (data: unknown) => QueryKey) {
  pusher.channel(channel).bind(INVALIDATE_EVENT, (data: unknown) => void queryClient.invalidateQueries({ queryKey: keyOf(data) }));
}

/**
 * This project's client path, as RealtimeProvider's onSignal runs it (src/lib/realtime/client/provider.tsx):
 * parse the signal, map it to keys with the app's scope registry for the channel it came on, hand the keys to the
 * invalidator.
 */
export function bindProject(pusher: Pusher, channel: string, invalidator: Invalidator) {
  pusher.channel(channel).bind(INVALIDATE_EVENT, (data: unknown) => {
    const signal = parseSignal(data);
    const keys = signal && scopes.keys(signal, scopes.channels.parse(channel));
    if (keys) invalidator.invalidate(keys);
  });
}

/** The invalidator the provider uses by default (the coalescing one). */
export function projectInvalidator(): { name: string; create: InvalidatorFactory } {
  return { name: "createCoalescingInvalidator", create: createCoalescingInvalidator };
}

/**
 * Active queries whose fetches are timed: `nextFetch(key)` resolves with the performance.now() at which the next
 * fetch of that key started, which is when an invalidation became a refetch.
 */
export class QueryProbe {
  readonly client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 0, gcTime: 60_000 } } });
  private readonly waiters = new Map<string, (at: number) => void>();
  fetches = 0;

  async observe(key: QueryKey, fetcher?: (signal: AbortSignal) => Promise<unknown>): Promise<() => void> {
    const hash = hashKey(key);
    const observer = new QueryObserver(this.client, {
      queryKey: key,
      queryFn: ({ signal }) => {
        const at = performance.now();
        this.fetches++;
        const waiter = this.waiters.get(hash);
        this.waiters.delete(hash);
        waiter?.(at);
        return fetcher ? fetcher(signal) : Promise.resolve(at);
      },
    });
    let unsubscribe = () => {};
    await new Promise<void>((resolve) => {
      unsubscribe = observer.subscribe((result) => {
        if (result.status === "success") resolve();
      });
    });
    return () => {
      unsubscribe();
      this.client.removeQueries({ queryKey: key, exact: true });
    };
  }

  nextFetch(key: QueryKey, timeoutMs = 10_000): Promise<number> {
    const hash = hashKey(key);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no refetch of ${hash} within ${timeoutMs}ms`)), timeoutMs);
      this.waiters.set(hash, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }
}

/** A new simulated request: Next gives each request its own Headers object, which already exists when the action runs. */
export function beginRequest(headers?: Record<string, string>): void {
  request.headers = new Headers(headers);
}

/**
 * A server action's realtime part, as runAction (src/backend/action-result.ts) wraps every action body: `body`
 * publishes into the action's outbox (ignored receipts), which is sent a microtask after its first publication
 * (at commit), never awaited. Resolves when the action would return its response; endRequest() then runs the
 * after() work, which only holds that send alive (it resolves once the send settled).
 */
export async function inAction(body: () => void, collect: typeof collectSignals = collectSignals): Promise<void> {
  await collect(async () => {
    body();
  });
}

/** The response is done: run the request's after() work (holding the send started at commit). */
export const endRequest = flushAfter;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const yieldToLoop = () => new Promise((resolve) => setImmediate(resolve));

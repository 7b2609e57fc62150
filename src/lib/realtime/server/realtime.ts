import "server-only";
import { hostname } from "node:os";
import type { AnyScopeRegistry, RegistryPublication } from "../scopes";
import type { RealtimeClientConfig } from "../client/pusher-connection";
import { clientConfigOf, createBroker, describeBrokerError, terminateUser, type Broker, type BrokerConfig } from "./broker";
import { probeBroker, PublishMetrics, type RealtimeHealth } from "./health";
import { createPublisher, type Publisher } from "./publish";
import { PublishSender } from "./sender";
import type { ThrottleWindowStore } from "./throttle";

export type RealtimeServerOptions<R extends AnyScopeRegistry> = {
  /** The host's scope registry (defineScopes), with its channels. */
  scopes: R;
  /**
   * Read on every use, so it may follow a changing environment (tests); null means realtime is off. Return the same
   * object while the settings stay the same (the cheap path); an equal new object is recognised too.
   */
  broker: () => BrokerConfig | null;
  /** Where the host mounted createRealtimeAuthHandler; handed to browsers. Default /api/realtime/auth. */
  authEndpoint?: string;
  /** Where the host mounted createRealtimeSigninHandler; handed to browsers. Default /api/realtime/signin. */
  signinEndpoint?: string;
  /** Where the host mounted createRealtimeVersionsHandler; handed to browsers. Default /api/realtime/versions; null: none. */
  versionsEndpoint?: string | null;
  /** Said once when no broker is configured, to tell an operator how to turn realtime on. */
  offHint?: string;
  /**
   * Where throttled scopes (`throttleMs`) keep their windows, read when a throttle starts. Null or absent: the
   * throttle's own memory, right for one app instance; several instances share one store (a database table) so that
   * the window is the site's, not each process's.
   */
  throttleStore?: () => ThrottleWindowStore | null;
};

export type RealtimeServer<R extends AnyScopeRegistry> = Publisher<RegistryPublication<R>> & {
  readonly scopes: R;
  /** The broker client for the current configuration, or null when realtime is off (said once). */
  broker(): Broker | null;
  /** What browsers need to connect (RealtimeProvider's `config`), or null when realtime is off. */
  clientConfig(): RealtimeClientConfig | null;
  /** Whether publishing works and how it went so far in this process. No secrets. */
  health(): Promise<RealtimeHealth>;
  /**
   * Closes the sockets signed in as this broker user id (ConnectionSignIn.userOf: one session), with every
   * subscription they hold, whatever their client does. False (logged) when realtime is off or the broker failed;
   * never throws, so revoking a session never fails on the broker.
   */
  terminateUserConnections(userId: string): Promise<boolean>;
};

/**
 * The server half of the layer, built once per process by the host from its registry and broker settings. The
 * broker client (and its sender, with the connections it keeps alive) is rebuilt only when the settings change.
 */
export function createRealtimeServer<R extends AnyScopeRegistry>({
  scopes,
  broker: readConfig,
  authEndpoint = "/api/realtime/auth",
  signinEndpoint = "/api/realtime/signin",
  versionsEndpoint = "/api/realtime/versions",
  offHint = "no broker configured",
  throttleStore,
}: RealtimeServerOptions<R>): RealtimeServer<R> {
  const metrics = new PublishMetrics();
  const instance = { host: hostname(), pid: process.pid, since: new Date().toISOString() };
  const senders = new WeakMap<Broker, PublishSender>();
  let current: { config: BrokerConfig | null; key: string; broker: Broker | null } | null = null;
  let announcedOff = false;

  const broker = (): Broker | null => {
    const config = readConfig();
    if (current && current.config === config) return current.broker;
    // An equal configuration read again (a host that builds a new object per call) keeps its client and sender.
    const key = config ? JSON.stringify(config) : "";
    if (current?.key === key) {
      current.config = config;
      return current.broker;
    }
    current = { config, key, broker: config ? createBroker(config) : null };
    if (!config && !announcedOff) {
      announcedOff = true;
      console.info(`[realtime] off: ${offHint}; pages still work, without live updates.`);
    }
    return current.broker;
  };
  const senderFor = (b: Broker) => {
    let sender = senders.get(b);
    if (!sender) senders.set(b, (sender = new PublishSender(b, metrics)));
    return sender;
  };

  return {
    scopes,
    ...createPublisher<RegistryPublication<R>>({ registry: scopes, broker, sender: senderFor, metrics, throttleStore }),
    broker,
    clientConfig() {
      const b = broker();
      return b ? clientConfigOf(b.config, { authEndpoint, signinEndpoint, ...(versionsEndpoint ? { versionsEndpoint } : {}) }) : null;
    },
    async terminateUserConnections(userId) {
      const b = broker();
      if (!b) return false;
      try {
        await terminateUser(b, userId);
        return true;
      } catch (err) {
        console.error(`[realtime] terminating the connections of ${userId} failed: ${describeBrokerError(err, b.timeoutMs)}`);
        return false;
      }
    },
    async health() {
      const b = broker();
      return {
        instance,
        configured: b !== null,
        timeout_ms: b?.timeoutMs ?? null,
        broker: b ? await probeBroker(b) : { reachable: false, latency_ms: null },
        queue: b ? senderFor(b).stats : { in_flight: 0, queued: 0 },
        ...metrics.snapshot(),
      };
    },
  };
}

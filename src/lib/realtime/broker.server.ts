import "server-only";
import http from "node:http";
import https from "node:https";
import Pusher from "pusher";
import { getEnv, type Env } from "@/env";
import type { RealtimeClientConfig } from "./client-config";

export type Broker = { pusher: Pusher; timeoutMs: number };

let cachedFor: Env | undefined;
let cached: Broker | null = null;
let announcedOff = false;

/**
 * The process-wide Pusher REST client, or null when no broker is configured (realtime off, said once).
 * Rebuilt only when the parsed env changes (tests swap brokers via resetEnvCache()).
 */
export function getBroker(): Broker | null {
  const env = getEnv();
  if (cachedFor === env) return cached;
  cachedFor = env;
  cached = buildBroker(env);
  if (!cached && !announcedOff) {
    announcedOff = true;
    console.info("[realtime] off: PUSHER_APP_ID/PUSHER_KEY/PUSHER_SECRET not set; pages still work, without live updates.");
  }
  return cached;
}

export function realtimeConfigured(): boolean {
  return getBroker() !== null;
}

function buildBroker(env: Env): Broker | null {
  if (!env.PUSHER_APP_ID || !env.PUSHER_KEY || !env.PUSHER_SECRET) return null;
  const useTLS = env.PUSHER_USE_TLS;
  // Keep-alive: publishes come in bursts, and a fresh TCP (or TLS) handshake per signal would dominate their cost.
  // Room above the sender's calls in flight (MAX_IN_FLIGHT), so the health probe never queues behind them.
  const agent = new (useTLS ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: 64 });
  const base = {
    appId: env.PUSHER_APP_ID,
    key: env.PUSHER_KEY,
    secret: env.PUSHER_SECRET,
    useTLS,
    timeout: env.REALTIME_PUBLISH_TIMEOUT_MS,
    agent,
  };
  const pusher = env.PUSHER_HOST
    ? new Pusher({ ...base, host: env.PUSHER_HOST, port: env.PUSHER_PORT ? String(env.PUSHER_PORT) : undefined })
    : new Pusher({ ...base, cluster: env.PUSHER_CLUSTER });
  return { pusher, timeoutMs: env.REALTIME_PUBLISH_TIMEOUT_MS };
}

/** The browser's view of the broker (public host/port may differ from the server's), or null when off. */
export function realtimeClientConfig(): RealtimeClientConfig | null {
  const env = getEnv();
  if (!getBroker() || !env.PUSHER_KEY) return null;
  const host = env.PUSHER_PUBLIC_HOST ?? env.PUSHER_HOST ?? `ws-${env.PUSHER_CLUSTER}.pusher.com`;
  const forceTLS = env.PUSHER_PUBLIC_HOST ? env.PUSHER_PUBLIC_TLS : env.PUSHER_HOST ? env.PUSHER_USE_TLS : true;
  const port = env.PUSHER_PUBLIC_PORT ?? (env.PUSHER_PUBLIC_HOST ? undefined : env.PUSHER_PORT) ?? (forceTLS ? 443 : 80);
  return { key: env.PUSHER_KEY, wsHost: host, wsPort: port, forceTLS, cluster: env.PUSHER_CLUSTER };
}

import "server-only";
import { createRealtimeServer, type BrokerConfig, type RealtimeServer } from "@/lib/realtime/server";
import { getEnv, type Env } from "@/env";
import { getDb } from "@/db/client";
import { scopes } from "./scopes";
import { databaseWindowStore } from "./throttle-store";

const configs = new WeakMap<Env, BrokerConfig | null>();

/** The broker settings of src/env.ts, or null (realtime off) without all three credentials; one object per env. */
export function brokerConfig(env: Env): BrokerConfig | null {
  if (configs.has(env)) return configs.get(env)!;
  const config = readBrokerConfig(env);
  configs.set(env, config);
  return config;
}

function readBrokerConfig(env: Env): BrokerConfig | null {
  if (!env.PUSHER_APP_ID || !env.PUSHER_KEY || !env.PUSHER_SECRET) return null;
  return {
    appId: env.PUSHER_APP_ID,
    key: env.PUSHER_KEY,
    secret: env.PUSHER_SECRET,
    host: env.PUSHER_HOST,
    port: env.PUSHER_PORT,
    useTLS: env.PUSHER_USE_TLS,
    cluster: env.PUSHER_CLUSTER,
    timeoutMs: env.REALTIME_PUBLISH_TIMEOUT_MS,
    publishRetries: env.REALTIME_PUBLISH_RETRIES,
    publicHost: env.PUSHER_PUBLIC_HOST,
    publicPort: env.PUSHER_PUBLIC_PORT,
    publicTLS: env.PUSHER_PUBLIC_TLS,
  };
}

// One per server process, on globalThis like the database: every bundle of the app (pages, route handlers,
// instrumentation) then shares one sender, one set of metrics and one home-feed throttle.
//
// On PostgreSQL (DATABASE_URL) any number of instances may share the database, so the home feed's throttle window
// lives in it and is the site's; PGlite is one process's database, so one instance, and the window stays in memory.
const sharedWindows = databaseWindowStore(getDb);
const slot = globalThis as { __techdiaryRealtime?: RealtimeServer<typeof scopes> };

/** The app's realtime server: publishInvalidate, collectSignals (runAction wraps every action in it), health. */
export const realtime = (slot.__techdiaryRealtime ??= createRealtimeServer({
  scopes,
  broker: () => brokerConfig(getEnv()),
  offHint: "PUSHER_APP_ID/PUSHER_KEY/PUSHER_SECRET not set",
  throttleStore: () => (getEnv().DATABASE_URL ? sharedWindows : null),
}));

export const { publishInvalidate, collectSignals } = realtime;

import { demoLoginEnabled, getEnv, type Env } from "@/env";
import { exclusively } from "@/db/client";
import { seed } from "@/db/seed";
import { realtime } from "@/backend/realtime/server";

/**
 * Server start in the Node.js runtime (imported by instrumentation.ts only there, so the Edge bundle never sees
 * process.exit or the database drivers).
 */
export async function onServerStart() {
  let env: Env;
  try {
    env = getEnv();
  } catch (err) {
    // Left running, Next would answer every request with this error; stopping names the problem once, up front.
    console.error(`[techdiary] ${(err as Error).message}\nFix the variables above (see .env.example) and start again.`);
    process.exit(1);
  }

  // realtime.broker() itself says "realtime off" once when no broker is configured.
  if (realtime.broker()) {
    const where = env.PUSHER_HOST
      ? `${env.PUSHER_HOST}:${env.PUSHER_PORT ?? (env.PUSHER_USE_TLS ? 443 : 80)}`
      : `Pusher cluster ${env.PUSHER_CLUSTER}`;
    console.log(`[realtime] publishing to ${where} (app ${env.PUSHER_APP_ID})`);
  }

  if (!demoLoginEnabled(env)) return;
  const started = Date.now();
  // Under the start-up lock: instances started together seed one after the other (the later ones change nothing).
  await exclusively(seed);
  const db = env.DATABASE_URL ? "PostgreSQL (DATABASE_URL)" : `PGlite at ${env.PGLITE_DATA_DIR}`;
  console.log(`[techdiary] demo data ready in ${db} (${Date.now() - started} ms); sign in at ${env.APP_URL}/login`);
}

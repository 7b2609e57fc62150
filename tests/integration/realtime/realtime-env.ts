import { resetEnvCache } from "@/env";
import { freshDb } from "../../helpers/db";
import { startSoketi, type SoketiHandle } from "../../helpers/soketi";
import { seeded, type Seeded } from "../../db/fixtures";
import { APP_ORIGIN } from "./auth-helpers";

// The env as it was before startRealtimeEnv(); one realtime env per test file (each file has its own module instance).
let saved: NodeJS.ProcessEnv | undefined;

/**
 * The backdrop of a realtime integration test file: a real Soketi that the app's env points at (with the given
 * publish timeout), development-mode notifications (persisted and signalled in-process, inside after()), and a
 * fresh seeded database. Undo it with stopRealtimeEnv() in afterAll, after disconnecting the file's clients.
 */
export async function startRealtimeEnv(publishTimeoutMs: number): Promise<{ soketi: SoketiHandle; s: Seeded }> {
  saved = { ...process.env };
  const soketi = await startSoketi();
  Object.assign(process.env, soketi.env, { APP_URL: APP_ORIGIN, REALTIME_PUBLISH_TIMEOUT_MS: String(publishTimeoutMs) });
  delete process.env.INNGEST_DEV;
  delete process.env.INNGEST_EVENT_KEY;
  resetEnvCache();
  await freshDb();
  return { soketi, s: await seeded() };
}

/** Stops Soketi (if it started) and restores the env that startRealtimeEnv() found. */
export async function stopRealtimeEnv(soketi: SoketiHandle | undefined): Promise<void> {
  await soketi?.stop();
  if (saved) process.env = saved;
  resetEnvCache();
}

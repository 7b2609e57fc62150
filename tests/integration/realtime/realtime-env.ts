import { resetEnvCache } from "@/env";
import { createSession } from "@/backend/session-store";
import { realtime } from "@/backend/realtime/server";
import { freshDb, signInAs } from "../../helpers/db";
import { flushAfter, resetRequest } from "../../helpers/next-request";
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
export async function startRealtimeEnv(
  publishTimeoutMs: number,
  soketiOverrides: Record<string, unknown> = {},
): Promise<{ soketi: SoketiHandle; s: Seeded }> {
  saved = { ...process.env };
  const soketi = await startSoketi(soketiOverrides);
  pointAppAt(soketi, publishTimeoutMs);
  delete process.env.INNGEST_DEV;
  delete process.env.INNGEST_EVENT_KEY;
  resetEnvCache();
  await freshDb();
  return { soketi, s: await seeded() };
}

/** Points the app's env at `soketi` (the app's realtime instance follows on its next use). */
export function pointAppAt(soketi: SoketiHandle, publishTimeoutMs: number) {
  Object.assign(process.env, soketi.env, { APP_URL: APP_ORIGIN, REALTIME_PUBLISH_TIMEOUT_MS: String(publishTimeoutMs) });
  resetEnvCache();
}

/** Stops Soketi (if it started), drops the throttles' pending timers, and restores the env startRealtimeEnv() found. */
export async function stopRealtimeEnv(soketi: SoketiHandle | undefined): Promise<void> {
  realtime.dispose();
  await soketi?.stop();
  if (saved) process.env = saved;
  resetEnvCache();
}

export type User = "alice" | "bob" | "carol";

/** A session token per seeded user, as their browsers would hold (one device each). */
export async function sessionTokens(s: Seeded, device = "listener"): Promise<Record<User, string>> {
  const [alice, bob, carol] = await Promise.all((["alice", "bob", "carol"] as const).map((u) => createSession(s[u], device, "127.0.0.1")));
  return { alice: alice.token, bob: bob.token, carol: carol.token };
}

/**
 * Runs a server action as a signed-in user in a new simulated request, then lets its after() work complete. Work an
 * earlier request left queued runs first, as Next would have run it: a dropped flush would strand what joins it.
 */
export async function as<T>(user: User, action: () => Promise<T>): Promise<T> {
  await flushAfter();
  resetRequest();
  await signInAs(user);
  const result = await action();
  await flushAfter();
  return result;
}

/**
 * The app's publish counters (realtime.health(); per process, never reset) as differences from now: call it before
 * the code under test, and the function it returns after.
 */
export async function publishCounters() {
  const start = await realtime.health();
  return async () => {
    const now = await realtime.health();
    return {
      publishes: {
        requested: now.publishes.requested - start.publishes.requested,
        duplicates_dropped: now.publishes.duplicates_dropped - start.publishes.duplicates_dropped,
        sent: now.publishes.sent - start.publishes.sent,
        failed: now.publishes.failed - start.publishes.failed,
      },
      calls: { total: now.calls.total - start.calls.total, failed: now.calls.failed - start.calls.failed },
      latency_samples: now.latency_ms.samples - start.latency_ms.samples,
      last_failure: now.last_failure,
    };
  };
}

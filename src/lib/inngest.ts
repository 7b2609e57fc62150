import "server-only";
import { Inngest } from "inngest";
import { after } from "next/server";
import { getEnv, inngestDevRequested, type Env } from "@/env";
import {
  type NotificationRequestData,
  ROUTINE_SKIPS,
  type Skipped,
  buildNotification,
  insertNotification,
  notificationKey,
} from "@/backend/notification-builder";
import { publishInvalidate } from "@/backend/realtime/server";
import { notificationsSignal } from "@/backend/realtime/signals";
import { userChannel } from "@/backend/realtime/channels";

export type { NotificationRequestData };

export const inngest = new Inngest({ id: "techdiary" });

export const NOTIFICATION_REQUESTED = "app/notification.requested";

/** The part of Inngest's step tools the body uses; the in-process shim implements just this. */
export type StepRunner = { run: <T>(id: string, fn: () => Promise<T>) => Promise<T> };

export type PersistResult = Skipped | { id: string; recipient_id: string };

/** A dropped request: returned as the run's result (so it is visible in Inngest and to tests), never thrown. */
function dropped(eventId: string | undefined, skip: Skipped): Skipped {
  // The id is the sender's string: quoted (JSON) and cut short, so it cannot forge log lines.
  const id = eventId === undefined ? "(no id)" : JSON.stringify(eventId.slice(0, 200));
  if (!ROUTINE_SKIPS.has(skip.skipped)) console.warn(`[notifications] dropped event ${id}: ${skip.skipped}`);
  return skip;
}

/**
 * The body of persistNotificationFn, shared by Inngest and the in-process development mode so both run exactly
 * the same steps in the same order, with the same validation and the same dedupe key.
 *
 * The event's data is only trusted for which fact to look up: buildNotification checks it against the database
 * (actor, comment and its author and place, or the reaction row) and derives the recipient itself. A request that
 * fails is dropped with its reason as the result, so Inngest records a finished run instead of retrying it; only
 * real failures (database or broker down) throw and are retried. The row is keyed by notificationKey() of the
 * validated data, not by `event.id`, so a replayed or forged event with a fresh id cannot write a second row.
 */
export async function persistNotification({
  event,
  step,
}: {
  event: { id?: string; data: unknown };
  step: StepRunner;
}): Promise<PersistResult> {
  const built = await step.run("build-notification", () => buildNotification(event.data));
  if ("skipped" in built) return dropped(event.id, built);
  const inserted = await step.run("insert-notification", () => insertNotification(built));
  // Nothing inserted (the row exists, or the reaction was taken back meanwhile): nothing to signal.
  if ("skipped" in inserted) return dropped(event.id, inserted);
  // Its own step, and only after a confirmed row: the insert is memoized, so a broker failure here (delivered()
  // rejects) makes Inngest retry just the publish and never writes a second row.
  const { channel_version, ...row } = inserted;
  const publication = notificationsSignal(row.recipient_id);
  const versions = { [userChannel(row.recipient_id)]: channel_version };
  await step.run("publish-notification", () => publishInvalidate({ ...publication, versions }).delivered());
  return row;
}

export const persistNotificationFn = inngest.createFunction(
  { id: "persist-notification", triggers: [{ event: NOTIFICATION_REQUESTED }] },
  // Inngest's step.run types its result as the JSON form of T; the body only returns plain JSON.
  async ({ event, step }) => persistNotification({ event, step: step as unknown as StepRunner }),
);

export const functions = [persistNotificationFn];

const inlineStep: StepRunner = { run: (_id, fn) => fn() };

function inngestConfigured(env: Env): boolean {
  return !!env.INNGEST_EVENT_KEY || inngestDevRequested(env.INNGEST_DEV);
}

/**
 * Asks for a notification after the response is sent, so it never slows down or fails the user's action. The
 * event id is notificationKey(data), the same key the row is deduped on. With an Inngest server configured
 * (INNGEST_DEV or INNGEST_EVENT_KEY) the event goes to Inngest, which also drops a repeated id for 24 hours;
 * otherwise ("development mode") the same body runs in this process, where the unique row key alone makes a
 * repeat a no-op. Either way a reaction toggled off and on notifies and signals its author once.
 *
 * One difference remains between the two: a reaction given, taken back and given again before Inngest ran the
 * first event is skipped by that run ("reaction no longer exists") and the second event is dropped as a duplicate
 * id, so that author is not told; in-process the second request runs and notifies.
 */
export function requestNotification(data: NotificationRequestData): void {
  const viaInngest = inngestConfigured(getEnv());
  const eventId = notificationKey(data);
  after(async () => {
    try {
      if (viaInngest) await inngest.send({ id: eventId, name: NOTIFICATION_REQUESTED, data });
      else await persistNotification({ event: { id: eventId, data }, step: inlineStep });
    } catch (err) {
      console.error(`[notifications] ${viaInngest ? "sending" : "running"} ${eventId} failed`, err);
    }
  });
}

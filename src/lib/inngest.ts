import "server-only";
import { Inngest } from "inngest";
import { after } from "next/server";
import { getEnv, type Env } from "@/env";
import {
  type NotificationRequestData,
  type Skipped,
  buildNotification,
  insertNotification,
} from "@/backend/notification-builder";
import { publishInvalidate } from "@/backend/realtime/server";
import { notificationsSignal } from "@/backend/realtime/signals";

export type { NotificationRequestData };

export const inngest = new Inngest({ id: "techdiary" });

export const NOTIFICATION_REQUESTED = "app/notification.requested";

/** The part of Inngest's step tools the body uses; the in-process shim implements just this. */
export type StepRunner = { run: <T>(id: string, fn: () => Promise<T>) => Promise<T> };

export type PersistResult = Skipped | { id: string; recipient_id: string };

/**
 * The body of persistNotificationFn, shared by Inngest and the in-process development mode so both
 * run exactly the same steps in the same order.
 */
export async function persistNotification({
  event,
  step,
}: {
  event: { id?: string; data: unknown };
  step: StepRunner;
}): Promise<PersistResult> {
  const built = await step.run("build-notification", () => buildNotification(event.data));
  if ("skipped" in built) return built;
  const inserted = await step.run("insert-notification", () => insertNotification(built, event.id ?? null));
  // Its own step, and only after a confirmed row: the insert is memoized, so a broker failure here (delivered()
  // rejects) makes Inngest retry just the publish and never writes a second row.
  await step.run("publish-notification", () => publishInvalidate(notificationsSignal(inserted.recipient_id)).delivered());
  return inserted;
}

export const persistNotificationFn = inngest.createFunction(
  { id: "persist-notification", triggers: [{ event: NOTIFICATION_REQUESTED }] },
  // Inngest's step.run types its result as the JSON form of T; the body only returns plain JSON.
  async ({ event, step }) => persistNotification({ event, step: step as unknown as StepRunner }),
);

export const functions = [persistNotificationFn];

const inlineStep: StepRunner = { run: (_id, fn) => fn() };

function inngestConfigured(env: Env): boolean {
  const dev = env.INNGEST_DEV?.trim();
  return !!env.INNGEST_EVENT_KEY || (!!dev && dev !== "0" && dev !== "false");
}

/**
 * Asks for a notification after the response is sent, so it never slows down or fails the user's
 * action. With an Inngest server configured (INNGEST_DEV or INNGEST_EVENT_KEY) the event goes to
 * Inngest, which dedupes on `eventId`; otherwise ("development mode") the same body runs in this
 * process.
 */
export function requestNotification(data: NotificationRequestData, eventId: string): void {
  const viaInngest = inngestConfigured(getEnv());
  after(async () => {
    try {
      if (viaInngest) await inngest.send({ id: eventId, name: NOTIFICATION_REQUESTED, data });
      else await persistNotification({ event: { id: eventId, data }, step: inlineStep });
    } catch (err) {
      console.error(`[notifications] ${viaInngest ? "sending" : "running"} ${eventId} failed`, err);
    }
  });
}

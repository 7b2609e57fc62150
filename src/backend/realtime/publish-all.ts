import "server-only";
import { publishInvalidate, type PublishOptions } from "@/lib/realtime/publish.server";
import type { Publication } from "./publication";

/**
 * Publishes what a server action built, after its response (publishInvalidate never throws). Call it only once
 * the write has committed: a signal for an uncommitted row would send readers to refetch the old state.
 */
export function publishAll(publications: readonly Publication[], opts?: PublishOptions): void {
  for (const { channels, signal } of publications) publishInvalidate(channels, signal, opts);
}

import "server-only";
import { INVALIDATE_EVENT } from "./signal";

const LISTED_CHANNELS = 5;

/** Names a few channels, so a failure across 100 channels still fits on one log line. */
export function channelList(channels: readonly string[]): string {
  const shown = channels.slice(0, LISTED_CHANNELS).join(",");
  return channels.length > LISTED_CHANNELS ? `${shown} and ${channels.length - LISTED_CHANNELS} more` : shown;
}

export class RealtimePublishError extends Error {
  constructor(
    readonly channels: readonly string[],
    readonly reason: string,
  ) {
    super(`[realtime] publish "${INVALIDATE_EVENT}" to ${channelList(channels)} failed: ${reason}`);
    this.name = "RealtimePublishError";
  }
}

import type { QueryKey } from "@tanstack/react-query";
import { parseChannel } from "../channels";
import { resolveSignal, resyncKeys } from "../scopes";
import { parseSignal } from "../signal";

/** The keys a received event invalidates, or null for anything malformed, unknown, or on the wrong channel. */
export function keysForSignal(channelName: string, data: unknown): readonly QueryKey[] | null {
  const channel = parseChannel(channelName);
  const signal = parseSignal(data);
  return channel && signal ? resolveSignal(signal, channel) : null;
}

/** Every key a joined channel's scopes cover, to refresh after signals on it may have been missed. */
export function keysForResync(channelName: string): readonly QueryKey[] {
  const channel = parseChannel(channelName);
  return channel ? resyncKeys(channel) : [];
}

export function warnInDevelopment(message: string, detail?: unknown): void {
  if (process.env.NODE_ENV === "development") console.warn(`[realtime] ${message}`, detail ?? "");
}

import type { QueryKey } from "@tanstack/react-query";
import { parseChannel } from "../channels";
import { resolveSignal } from "../scopes";
import { parseSignal } from "../signal";

/** The keys a received event invalidates, or null for anything malformed, unknown, or on the wrong channel. */
export function keysForSignal(channelName: string, data: unknown): readonly QueryKey[] | null {
  const channel = parseChannel(channelName);
  const signal = parseSignal(data);
  return channel && signal ? resolveSignal(signal, channel) : null;
}

export function warnInDevelopment(message: string, detail?: unknown): void {
  if (process.env.NODE_ENV === "development") console.warn(`[realtime] ${message}`, detail ?? "");
}

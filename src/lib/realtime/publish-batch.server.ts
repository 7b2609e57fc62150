import "server-only";
import type { Signal } from "./signal";

/** Pusher's limits per call (Soketi's defaults too). */
export const MAX_CHANNELS_PER_TRIGGER = 100;
export const MAX_EVENTS_PER_BATCH = 10;

/** `data` is the signal's wire text when the caller already has it (see signalData). */
export type Publication = { channels: readonly string[]; signal: Signal; data?: string; socketId?: string };

/**
 * One piece of broker work: a trigger to several channels, or a single-channel event that the sender packs with
 * others into a triggerBatch call.
 */
export type PublishUnit =
  | { kind: "trigger"; channels: string[]; data: string; socketId?: string }
  | { kind: "event"; channel: string; data: string; socketId?: string };

/** The signal's wire text, ids in a fixed order so that equal signals are equal strings. */
export function signalData(signal: Signal): string {
  if (!signal.ids) return JSON.stringify({ scope: signal.scope });
  const ids = Object.fromEntries(Object.entries(signal.ids).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return JSON.stringify({ scope: signal.scope, ids });
}

type Group = { data: string; socketId?: string; channels: Set<string> };

/**
 * The signals of one request or one Inngest step: the same signal for many channels becomes one trigger per 100
 * channels, different signals become events (10 per call), and a repeated signal on a channel is dropped.
 */
export class PublishBatch {
  private readonly groups = new Map<string, Group>();
  requested = 0;
  duplicates = 0;

  add({ channels, signal, data = signalData(signal), socketId }: Publication): void {
    // The excluded connection is part of the message: the same signal with another socket_id is another call.
    const key = `${socketId ?? ""} ${data}`;
    let group = this.groups.get(key);
    if (!group) this.groups.set(key, (group = { data, socketId, channels: new Set() }));
    for (const channel of channels) {
      this.requested++;
      if (group.channels.has(channel)) this.duplicates++;
      else group.channels.add(channel);
    }
  }

  get isEmpty(): boolean {
    return this.groups.size === 0;
  }

  units(): PublishUnit[] {
    const triggers: Array<Extract<PublishUnit, { kind: "trigger" }>> = [];
    const events: Array<Extract<PublishUnit, { kind: "event" }>> = [];
    for (const { data, socketId, channels } of this.groups.values()) {
      const list = [...channels];
      for (let i = 0; i < list.length; i += MAX_CHANNELS_PER_TRIGGER) {
        const chunk = list.slice(i, i + MAX_CHANNELS_PER_TRIGGER);
        if (chunk.length === 1) events.push({ kind: "event", channel: chunk[0], data, socketId });
        else triggers.push({ kind: "trigger", channels: chunk, data, socketId });
      }
    }
    // A small trigger that fits in the free slots of the last batch rides along instead of costing its own call.
    let spare = events.length % MAX_EVENTS_PER_BATCH === 0 ? 0 : MAX_EVENTS_PER_BATCH - (events.length % MAX_EVENTS_PER_BATCH);
    const kept: typeof triggers = [];
    for (const trigger of triggers.sort((a, b) => a.channels.length - b.channels.length)) {
      if (trigger.channels.length > spare) {
        kept.push(trigger);
        continue;
      }
      spare -= trigger.channels.length;
      for (const channel of trigger.channels) {
        events.push({ kind: "event", channel, data: trigger.data, socketId: trigger.socketId });
      }
    }
    return [...kept, ...events];
  }
}

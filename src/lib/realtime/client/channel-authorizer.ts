import type { ChannelAuthorizationCallback, ChannelAuthorizationHandler } from "pusher-js";
import { CHANNEL_VERSION_FIELD } from "../signal";

/**
 * Channel authorization in batches. pusher-js asks for each private channel on its own, and all of a tab's channels at
 * once (the page's first render, every reconnect): one HTTP request per channel made the auth route, not the
 * database, the limit when a broker node's clients all come back together. So the channels pusher-js asks for within
 * one short window go to the route in one request with several `channel_name` fields, and the route answers each one
 * on its own (server/auth.ts): a refused channel fails alone, the others subscribe.
 *
 * A request naming one channel is exactly pusher-js's own (`socket_id`, `channel_name`; the answer `{ auth }`), so the
 * route stays compatible with any Pusher client.
 */

/** The most channels one authorization request may name; a tab holds a handful, a batch beyond this is split. */
export const MAX_AUTH_CHANNELS = 10;
/** The auth route reads no more of a body than this (pusher-js sends two short fields; a batch of 10 fits). */
export const MAX_AUTH_BODY_BYTES = 2048;
/** How long the first request waits for the others of its batch: pusher-js asks for a tab's channels in one task. */
export const AUTH_BATCH_WINDOW_MS = 5;

/** The route's answer for one channel of a batch: signed, or that channel's own refusal. */
export type ChannelAuthAnswer = { auth: string; [CHANNEL_VERSION_FIELD]?: number } | { status: number; error: string };
/** The route's answer to a request naming several channels. */
export type BatchAuthAnswer = { channels: Record<string, ChannelAuthAnswer> };

type Pending = { channelName: string; callback: ChannelAuthorizationCallback };

export type ChannelAuthorizerOptions = {
  /** The auth route (createRealtimeAuthHandler). */
  endpoint: string;
  /** The connection's sign-in: the server signs a session's channel only on a socket that session signed in. */
  signinDone?: () => Promise<unknown> | null | undefined;
  /** A channel's version carried by its authorization: the tab's baseline for gap detection (versions.ts). */
  onBaseline?: (channel: string, version: number) => void;
  windowMs?: number;
  /** The transport (window.fetch in a browser). */
  fetch?: typeof fetch;
};

const form = (socketId: string, channels: readonly string[]) => {
  const body = new URLSearchParams({ socket_id: socketId });
  for (const name of channels) body.append("channel_name", name);
  return body;
};

/** Splits one socket's channels into requests within the route's channel and body caps. */
function batches(socketId: string, channels: readonly string[]): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  for (const name of channels) {
    const next = [...current, name];
    if (current.length > 0 && (next.length > MAX_AUTH_CHANNELS || form(socketId, next).toString().length > MAX_AUTH_BODY_BYTES)) {
      out.push(current);
      current = [name];
    } else current = next;
  }
  if (current.length > 0) out.push(current);
  return out;
}

const asError = (err: unknown) => (err instanceof Error ? err : new Error(String(err)));

const validVersion = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/**
 * A pusher-js `channelAuthorization.customHandler` that waits for the connection's sign-in, then authorizes every
 * channel asked for within `windowMs` in as few requests as the caps allow.
 */
export function batchingChannelAuthorizer({
  endpoint,
  signinDone = () => null,
  onBaseline = () => {},
  windowMs = AUTH_BATCH_WINDOW_MS,
  fetch: send = (...args) => fetch(...args),
}: ChannelAuthorizerOptions): ChannelAuthorizationHandler {
  // Per socket: a reconnection asks again on its new socket, and a signature is only valid for its own.
  let pending = new Map<string, Pending[]>();
  let timer: ReturnType<typeof setTimeout> | undefined;

  /** Every asker of a channel gets its answer (pusher-js asks again for a channel whose subscription it retries). */
  const settle = (askers: readonly Pending[], answer: ChannelAuthAnswer | undefined) => {
    if (answer && "auth" in answer && typeof answer.auth === "string") {
      const version = answer[CHANNEL_VERSION_FIELD];
      if (validVersion(version)) onBaseline(askers[0].channelName, version);
      for (const p of askers) p.callback(null, answer);
    } else {
      const reason = answer && "error" in answer ? `${answer.status}: ${String(answer.error).slice(0, 200)}` : "no answer for this channel";
      for (const p of askers) p.callback(new Error(`${endpoint} answered ${reason}`), null);
    }
  };

  /** One request; each channel's answer (a refusal of the whole request is every channel's). */
  const request = async (socketId: string, names: readonly string[]): Promise<Record<string, ChannelAuthAnswer>> => {
    const response = await send(endpoint, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form(socketId, names),
    });
    const refusal = async (): Promise<ChannelAuthAnswer> => ({ status: response.status, error: (await response.text()).slice(0, 200) });
    if (!response.ok) {
      const refused = await refusal();
      return Object.fromEntries(names.map((name) => [name, refused]));
    }
    // One channel is pusher-js's own exchange: the answer is the channel's.
    if (names.length === 1) return { [names[0]]: (await response.json()) as ChannelAuthAnswer };
    const { channels } = (await response.json()) as Partial<BatchAuthAnswer>;
    return channels ?? {};
  };

  const flush = (due: Map<string, Pending[]>) => {
    for (const [socketId, asked] of due) {
      const byName = new Map<string, Pending[]>();
      for (const p of asked) byName.set(p.channelName, [...(byName.get(p.channelName) ?? []), p]);
      for (const names of batches(socketId, [...byName.keys()])) {
        request(socketId, names).then(
          (answers) => {
            for (const name of names) settle(byName.get(name)!, Object.hasOwn(answers, name) ? answers[name] : undefined);
          },
          (err: unknown) => {
            const error = asError(err);
            for (const name of names) for (const p of byName.get(name)!) p.callback(error, null);
          },
        );
      }
    }
  };

  const start = () => {
    const due = pending;
    pending = new Map();
    timer = undefined;
    Promise.resolve(signinDone()).then(
      () => flush(due),
      (err: unknown) => {
        const error = asError(err);
        for (const asked of due.values()) for (const p of asked) p.callback(error, null);
      },
    );
  };

  return ({ socketId, channelName }, callback) => {
    pending.set(socketId, [...(pending.get(socketId) ?? []), { channelName, callback }]);
    timer ??= setTimeout(start, windowMs);
  };
}

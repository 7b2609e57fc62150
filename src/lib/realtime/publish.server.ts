import "server-only";
import { after } from "next/server";
import { parseChannel } from "./channels";
import { getBroker, type Broker } from "./broker.server";
import { resolveSignal, type InvalidateSignal } from "./scopes";
import { INVALIDATE_EVENT, SIGNAL_MAX_BYTES, SignalSchema, signalByteLength, type Signal } from "./signal";

export type PublishOptions = {
  /** The originating pusher-js connection (`pusher.connection.socket_id`); the broker skips it. */
  socketId?: string | null;
};

export class RealtimePublishError extends Error {
  constructor(
    readonly channels: readonly string[],
    readonly reason: string,
  ) {
    super(`[realtime] publish "${INVALIDATE_EVENT}" to ${channels.join(",")} failed: ${reason}`);
    this.name = "RealtimePublishError";
  }
}

const SOCKET_ID = /^\d+\.\d+$/;
// Pusher's limit per trigger call.
const MAX_CHANNELS_PER_TRIGGER = 100;

type Prepared = { channels: string[]; signal: Signal; socketId?: string };

/** Refuses what no subscriber could use: unknown channels, scopes a channel does not carry, missing ids, oversize. */
function prepare(channels: string | readonly string[], signal: InvalidateSignal | Signal, opts: PublishOptions): Prepared {
  const list = [...new Set(typeof channels === "string" ? [channels] : channels)];
  if (list.length === 0) throw new RealtimePublishError(list, "no channel given");
  const parsed = SignalSchema.safeParse(signal);
  if (!parsed.success) throw new RealtimePublishError(list, `invalid signal: ${parsed.error.issues[0]?.message}`);
  const bytes = signalByteLength(parsed.data);
  if (bytes === null || bytes > SIGNAL_MAX_BYTES) throw new RealtimePublishError(list, `signal over ${SIGNAL_MAX_BYTES} bytes`);
  for (const name of list) {
    const channel = parseChannel(name);
    if (!channel) throw new RealtimePublishError(list, `not a channel of this app: ${JSON.stringify(name)}`);
    if (!resolveSignal(parsed.data, channel)) {
      throw new RealtimePublishError(list, `scope "${parsed.data.scope}" is unknown, lacks ids, or is not carried by ${name}`);
    }
  }
  const socketId = opts.socketId ?? undefined;
  if (socketId !== undefined && !SOCKET_ID.test(socketId)) throw new RealtimePublishError(list, "invalid socketId");
  return { channels: list, signal: parsed.data, socketId };
}

/** Pusher answers `{}`, Soketi `{"ok":true}`; Soketi also answers 200 with `{"error":...}` when it refuses. */
function isSuccessBody(text: string): boolean {
  if (text.trim() === "") return true;
  try {
    const body: unknown = JSON.parse(text);
    if (!body || typeof body !== "object" || Array.isArray(body) || "error" in body) return false;
    return (body as { ok?: unknown }).ok === true || Object.keys(body).length === 0;
  } catch {
    return false;
  }
}

function describe(err: unknown, timeoutMs: number): string {
  if (err instanceof Error) {
    const e = err as Error & { status?: number; body?: string; error?: { name?: string } };
    if (e.error?.name === "AbortError" || e.name === "AbortError") return `timed out after ${timeoutMs}ms`;
    if (e.status) return `HTTP ${e.status} ${String(e.body ?? "").slice(0, 200)}`;
    return e.error && "message" in e.error ? `${e.message}: ${String(e.error.message)}` : e.message;
  }
  return String(err);
}

async function triggerOnce(broker: Broker, channels: string[], prepared: Prepared): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let response: Awaited<ReturnType<Broker["pusher"]["trigger"]>> | undefined;
  // The SDK's own timeout stops waiting for headers; this one also bounds reading the body.
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      (response?.body as { destroy?: () => void } | undefined)?.destroy?.();
      reject(new Error(`timed out after ${broker.timeoutMs}ms`));
    }, broker.timeoutMs);
  });
  const attempt = (async () => {
    const params = prepared.socketId ? { socket_id: prepared.socketId } : undefined;
    response = await broker.pusher.trigger(channels, INVALIDATE_EVENT, prepared.signal, params);
    const text = await response.text();
    if (!isSuccessBody(text)) throw new Error(`broker refused with HTTP ${response.status} ${text.slice(0, 200)}`);
  })();
  try {
    await Promise.race([attempt, timedOut]);
  } catch (err) {
    attempt.catch(() => {}); // settled later by the abort; nobody waits for it any more
    throw new RealtimePublishError(channels, describe(err, broker.timeoutMs));
  } finally {
    clearTimeout(timer);
  }
}

async function send(broker: Broker, prepared: Prepared): Promise<void> {
  const chunks: string[][] = [];
  for (let i = 0; i < prepared.channels.length; i += MAX_CHANNELS_PER_TRIGGER) {
    chunks.push(prepared.channels.slice(i, i + MAX_CHANNELS_PER_TRIGGER));
  }
  const results = await Promise.allSettled(chunks.map((chunk) => triggerOnce(broker, chunk, prepared)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
}

/**
 * For Inngest steps and other awaited contexts: resolves once the broker accepted the signal and throws
 * RealtimePublishError otherwise, so the step is retried. Without a broker it is a no-op.
 */
export async function publishInvalidateNow(
  channels: string | readonly string[],
  signal: InvalidateSignal,
  opts: PublishOptions = {},
): Promise<void> {
  const prepared = prepare(channels, signal, opts);
  const broker = getBroker();
  if (!broker) return;
  await send(broker, prepared);
}

function logFailure(err: unknown, channels: string | readonly string[]): void {
  const message = err instanceof RealtimePublishError ? err.message : `[realtime] publish to ${String(channels)} failed: ${describe(err, 0)}`;
  console.error(message);
}

/**
 * For server actions: after the response, and never throws; a failure is logged once with the channel and reason.
 * The write already committed, and the next refetch (focus, navigation, polling) repairs a lost signal.
 */
export function publishInvalidate(
  channels: string | readonly string[],
  signal: InvalidateSignal,
  opts: PublishOptions = {},
): void {
  try {
    const prepared = prepare(channels, signal, opts);
    const broker = getBroker();
    if (!broker) return;
    const task = () => send(broker, prepared).catch((err) => logFailure(err, prepared.channels));
    try {
      after(task);
    } catch {
      // Outside a request scope (scripts, tests without a request): still never block the caller.
      void task();
    }
  } catch (err) {
    logFailure(err, channels);
  }
}

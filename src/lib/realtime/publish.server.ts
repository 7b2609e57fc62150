import "server-only";
import { parseChannel } from "./channels";
import { getBroker } from "./broker.server";
import { SOCKET_ID } from "./origin-socket.server";
import { PublishBatch, signalData, type Publication } from "./publish-batch.server";
import { RealtimePublishError } from "./publish-error.server";
import { publishMetrics } from "./publish-metrics.server";
import { publishInRequest, type PendingPublication } from "./publish-request.server";
import { senderFor } from "./publish-sender.server";
import { resolveSignal, type InvalidateSignal } from "./scopes";
import { fastSignal, SIGNAL_MAX_BYTES, SignalSchema, type Signal } from "./signal";

export { RealtimePublishError };

export type PublishOptions = {
  /**
   * The originating pusher-js connection (`pusher.connection.socket_id`); the broker skips it. Left out,
   * publishInvalidate takes it from the request's `x-socket-id` header; `null` excludes no one.
   */
  socketId?: string | null;
};

/** One entry of a publishInvalidateNow list. */
export type PublishItem = { channels: string | readonly string[]; signal: InvalidateSignal; socketId?: string | null };

/**
 * Refuses what no subscriber could use: unknown channels, scopes a channel does not carry, missing ids, oversize.
 * Runs on the request path, so each check runs once: the ids once per channel kind, the wire text once.
 */
function prepare(channels: string | readonly string[], signal: InvalidateSignal | Signal, opts: PublishOptions): PendingPublication {
  const list = typeof channels === "string" ? [channels] : [...new Set(channels)];
  if (list.length === 0) throw new RealtimePublishError(list, "no channel given");
  // The plain check first (same verdict, a tenth of the cost); the schema decides, and explains, the rest.
  let checked = fastSignal(signal);
  if (!checked) {
    const parsed = SignalSchema.safeParse(signal);
    if (!parsed.success) throw new RealtimePublishError(list, `invalid signal: ${parsed.error.issues[0]?.message}`);
    checked = parsed.data;
  }
  const data = signalData(checked);
  if (Buffer.byteLength(data) > SIGNAL_MAX_BYTES) throw new RealtimePublishError(list, `signal over ${SIGNAL_MAX_BYTES} bytes`);
  const checkedKinds = new Set<string>();
  for (const name of list) {
    const channel = parseChannel(name);
    if (!channel) throw new RealtimePublishError(list, `not a channel of this app: ${JSON.stringify(name)}`);
    if (checkedKinds.has(channel.kind)) continue;
    if (!resolveSignal(checked, channel)) {
      throw new RealtimePublishError(list, `scope "${checked.scope}" is unknown, lacks ids, or is not carried by ${name}`);
    }
    checkedKinds.add(channel.kind);
  }
  const socketId = opts.socketId;
  if (typeof socketId === "string" && !SOCKET_ID.test(socketId)) throw new RealtimePublishError(list, "invalid socketId");
  return { channels: list, signal: checked, data, socketId };
}

/** Sends a batch; resolves with the channels that failed and the first reason (each failure is already logged). */
async function sendBatch(batch: PublishBatch): Promise<{ failed: string[]; reason: string } | null> {
  const broker = getBroker();
  if (!broker || batch.isEmpty) return null;
  publishMetrics.requested(batch.requested);
  publishMetrics.duplicates(batch.duplicates);
  const units = batch.units();
  const outcomes = await senderFor(broker).submit(units);
  const failed = units.flatMap((u, i) => (outcomes[i] === null ? [] : u.kind === "trigger" ? u.channels : [u.channel]));
  const reason = outcomes.find((o) => o !== null);
  return reason ? { failed, reason } : null;
}

/**
 * For Inngest steps and other awaited contexts: resolves once the broker accepted every signal and throws
 * RealtimePublishError otherwise, so the step is retried. Takes one signal for some channels, or a list of them,
 * batched like the signals of a request. Without a broker it is a no-op.
 */
export async function publishInvalidateNow(items: readonly PublishItem[]): Promise<void>;
export async function publishInvalidateNow(
  channels: string | readonly string[],
  signal: InvalidateSignal,
  opts?: PublishOptions,
): Promise<void>;
export async function publishInvalidateNow(
  first: string | readonly string[] | readonly PublishItem[],
  signal?: InvalidateSignal,
  opts: PublishOptions = {},
): Promise<void> {
  const items: PublishItem[] =
    signal === undefined && typeof first !== "string"
      ? [...(first as readonly PublishItem[])]
      : [{ channels: first as string | readonly string[], signal: signal as InvalidateSignal, socketId: opts.socketId }];
  const batch = new PublishBatch();
  for (const item of items) {
    const prepared = prepare(item.channels, item.signal, { socketId: item.socketId });
    batch.add({ ...prepared, socketId: prepared.socketId ?? undefined } satisfies Publication);
  }
  const failure = await sendBatch(batch);
  if (failure) throw new RealtimePublishError(failure.failed, failure.reason);
}

function logFailure(err: unknown, channels: string | readonly string[]): void {
  const message =
    err instanceof RealtimePublishError ? err.message : `[realtime] publish to ${String(channels)} failed: ${String(err)}`;
  console.error(message);
}

/**
 * For server actions: never throws and never holds the response. The signals of one request are merged and sent
 * once, after the response; a failure is logged once with its channels and reason. The write already committed,
 * and the next refetch (focus, navigation, polling) repairs a lost signal.
 */
export function publishInvalidate(
  channels: string | readonly string[],
  signal: InvalidateSignal,
  opts: PublishOptions = {},
): void {
  try {
    const prepared = prepare(channels, signal, opts);
    if (!getBroker()) return;
    publishInRequest(prepared, async (batch) => void (await sendBatch(batch)));
  } catch (err) {
    logFailure(err, channels);
  }
}

import "server-only";
import type { Broker } from "./broker.server";
import { INVALIDATE_EVENT } from "./signal";

export type BrokerEvent = { channel: string; data: string; socketId?: string };

/** One HTTP request to the broker. */
export type BrokerCall =
  | { kind: "trigger"; channels: string[]; data: string; socketId?: string }
  | { kind: "batch"; events: BrokerEvent[] };

/** Why a call failed, fit for a log line: no URLs (their query strings carry the key and a signature). */
export class BrokerCallError extends Error {}

/** Pusher answers `{}`, Soketi `{"ok":true}`; Soketi also answers 200 with `{"error":...}` when it refuses. */
export function isSuccessBody(text: string): boolean {
  if (text.trim() === "") return true;
  try {
    const body: unknown = JSON.parse(text);
    if (!body || typeof body !== "object" || Array.isArray(body) || "error" in body) return false;
    return (body as { ok?: unknown }).ok === true || Object.keys(body).length === 0;
  } catch {
    return false;
  }
}

const withoutUrls = (text: string) => text.replace(/\bhttps?:\/\/\S+/g, "<broker>");

export function describeBrokerError(err: unknown, timeoutMs: number): string {
  if (err instanceof BrokerCallError) return err.message;
  if (err instanceof Error) {
    const e = err as Error & { status?: number; body?: string; error?: { name?: string; message?: string } };
    if (e.error?.name === "AbortError" || e.name === "AbortError") return `timed out after ${timeoutMs}ms`;
    if (e.status) return `HTTP ${e.status} ${String(e.body ?? "").slice(0, 200)}`;
    return withoutUrls(e.error?.message ? `${e.message}: ${e.error.message}` : e.message);
  }
  return withoutUrls(String(err));
}

type Response = Awaited<ReturnType<Broker["pusher"]["trigger"]>>;

function request(broker: Broker, call: BrokerCall): Promise<Response> {
  if (call.kind === "trigger") {
    const params = call.socketId ? { socket_id: call.socketId } : undefined;
    // `data` is already JSON text; the SDK sends strings as they are.
    return broker.pusher.trigger(call.channels, INVALIDATE_EVENT, call.data, params);
  }
  return broker.pusher.triggerBatch(
    call.events.map(({ channel, data, socketId }) => ({
      channel,
      name: INVALIDATE_EVENT,
      data,
      ...(socketId ? { socket_id: socketId } : {}),
    })),
  );
}

/**
 * Sends one call and resolves once the broker accepted it. Rejects with a BrokerCallError after `budgetMs` at the
 * latest: the SDK's own timeout stops waiting for headers, this one also bounds reading the body.
 */
export async function callBroker(broker: Broker, call: BrokerCall, budgetMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let response: Response | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      (response?.body as { destroy?: () => void } | undefined)?.destroy?.();
      reject(new BrokerCallError(`timed out after ${broker.timeoutMs}ms`));
    }, budgetMs);
  });
  const attempt = (async () => {
    response = await request(broker, call);
    const text = await response.text();
    if (!isSuccessBody(text)) throw new BrokerCallError(`broker refused with HTTP ${response.status} ${text.slice(0, 200)}`);
  })();
  try {
    await Promise.race([attempt, timedOut]);
  } catch (err) {
    attempt.catch(() => {}); // settled later by the SDK's abort; nobody waits for it any more
    throw new BrokerCallError(describeBrokerError(err, broker.timeoutMs));
  } finally {
    clearTimeout(timer);
  }
}

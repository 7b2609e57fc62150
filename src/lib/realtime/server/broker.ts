import "server-only";
import { createHash, createHmac } from "node:crypto";
import http from "node:http";
import https from "node:https";
import Pusher from "pusher";
import type { RealtimeClientConfig } from "../client/pusher-connection";
import { INVALIDATE_EVENT } from "../signal";

/**
 * Where the broker is, given by the host (from its environment). Soketi: host + port; Pusher Channels: no host,
 * a cluster. Browsers may reach the broker under another name (a proxy): the public* fields.
 */
export type BrokerConfig = {
  appId: string;
  key: string;
  secret: string;
  /** HTTP API host the server publishes to; unset = Pusher Channels in `cluster`. */
  host?: string;
  port?: number;
  useTLS?: boolean;
  /** Pusher Channels cluster; pusher-js requires one even with a custom host. Default mt1. */
  cluster?: string;
  /** Bound on one publish call, and on the health probe. Default 2000 ms. */
  timeoutMs?: number;
  /** Further attempts for a server action's failed publish (sender.ts PUBLISH_RETRY_POLICY). Default 3. */
  publishRetries?: number;
  /** Host browsers connect to, when different from `host`. */
  publicHost?: string;
  publicPort?: number;
  /** Browsers use WSS (read only with publicHost). */
  publicTLS?: boolean;
};

/**
 * The broker: `pusher` (the Pusher SDK) signs subscriptions and sign-ins and makes the rare REST calls (terminate a
 * user's connections, the health probe); `rest` makes the publisher's calls.
 */
export type Broker = { pusher: Pusher; rest: BrokerRest; timeoutMs: number; config: BrokerConfig };

/** A REST call's answer, its body read to the end. */
export type RestAnswer = { status: number; text(): Promise<string> };
export type BatchEvent = { channel: string; name: string; data: string; socket_id?: string };

/**
 * The publisher's two REST calls, with the Pusher SDK's signatures (tests observe them here), each one signed POST
 * over the broker's agent. Not through the SDK's own trigger: it builds every call with node-fetch (Request and
 * Headers objects, a stream for the body, an abort-controller polyfill), which cost the publishing process about
 * twice the CPU per 10-event call of the same signed request on node:http (bench 10: 0.315 against 0.153 ms, 2,000
 * calls 32 in flight to Soketi on loopback), and the publisher's CPU is what bounds its throughput (bench 3) and a
 * good part of its latency (bench 1).
 * The signing is Pusher's REST authentication, as the SDK does it: body_md5 and auth_signature, an HMAC-SHA256 of
 * "POST\n<path>\n<sorted query>" with the app secret. `signal` aborts the request (the sender's deadline).
 */
export type BrokerRest = {
  trigger(channels: string[], event: string, data: string, params?: { socket_id?: string }, signal?: AbortSignal): Promise<RestAnswer>;
  triggerBatch(events: BatchEvent[], signal?: AbortSignal): Promise<RestAnswer>;
};

function restClient(config: BrokerConfig, useTLS: boolean, agent: http.Agent): BrokerRest {
  const transport = useTLS ? https : http;
  const host = config.host ?? `api-${config.cluster ?? "mt1"}.pusher.com`;
  const port = config.port ?? (useTLS ? 443 : 80);
  const prefix = `/apps/${config.appId}`;
  const post = (path: string, payload: unknown, signal?: AbortSignal) => {
    const body = JSON.stringify(payload);
    const signedPath = prefix + path;
    // Already in key order, as the signature requires; the key is sent as given, as the SDK sends it.
    const query = `auth_key=${config.key}&auth_timestamp=${Math.floor(Date.now() / 1000)}&auth_version=1.0&body_md5=${createHash("md5").update(body).digest("hex")}`;
    const signature = createHmac("sha256", config.secret).update(`POST\n${signedPath}\n${query}`).digest("hex");
    return new Promise<RestAnswer>((resolve, reject) => {
      const headers = { "content-type": "application/json", "content-length": Buffer.byteLength(body) };
      const req = transport.request({ host, port, method: "POST", path: `${signedPath}?${query}&auth_signature=${signature}`, headers, agent, signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: res.statusCode ?? 0, text: async () => text });
        });
      });
      req.on("error", reject);
      req.end(body);
    });
  };
  return {
    trigger: (channels, event, data, params, signal) => post("/events", { name: event, data, channels, ...params }, signal),
    triggerBatch: (events, signal) => post("/batch_events", { batch: events }, signal),
  };
}

export const DEFAULT_TIMEOUT_MS = 2_000;

/**
 * The Pusher REST client for a configuration. Keep-alive: publishes come in bursts, and a fresh TCP (or TLS)
 * handshake per signal would dominate their cost; room for more sockets than the sender keeps in flight, so the
 * health probe never queues behind publishes.
 */
export function createBroker(config: BrokerConfig): Broker {
  const useTLS = config.useTLS ?? false;
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const agent = new (useTLS ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: 64 });
  const base = { appId: config.appId, key: config.key, secret: config.secret, useTLS, timeout: timeoutMs, agent };
  const pusher = config.host
    ? new Pusher({ ...base, host: config.host, port: config.port ? String(config.port) : undefined })
    : new Pusher({ ...base, cluster: config.cluster ?? "mt1" });
  return { pusher, rest: restClient(config, useTLS, agent), timeoutMs, config };
}

/** The browser's view of the broker (its public host and port may differ from the server's). */
export function clientConfigOf(
  config: BrokerConfig,
  endpoints: Pick<RealtimeClientConfig, "authEndpoint" | "signinEndpoint" | "versionsEndpoint">,
): RealtimeClientConfig {
  const cluster = config.cluster ?? "mt1";
  const wsHost = config.publicHost ?? config.host ?? `ws-${cluster}.pusher.com`;
  const forceTLS = config.publicHost ? (config.publicTLS ?? false) : config.host ? (config.useTLS ?? false) : true;
  const wsPort = config.publicPort ?? (config.publicHost ? undefined : config.port) ?? (forceTLS ? 443 : 80);
  return { key: config.key, wsHost, wsPort, forceTLS, cluster, ...endpoints };
}

/** One HTTP request to the broker: a trigger to up to 100 channels, or a batch of up to 10 single-channel events. */
export type BrokerEvent = { channel: string; data: string; socketId?: string };
export type BrokerCall = { kind: "trigger"; channels: string[]; data: string; socketId?: string } | { kind: "batch"; events: BrokerEvent[] };

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

function request(broker: Broker, call: BrokerCall, signal: AbortSignal): Promise<RestAnswer> {
  if (call.kind === "trigger") {
    const params = call.socketId ? { socket_id: call.socketId } : undefined;
    // `data` is already JSON text, sent as it is.
    return broker.rest.trigger(call.channels, INVALIDATE_EVENT, call.data, params, signal);
  }
  return broker.rest.triggerBatch(
    call.events.map(({ channel, data, socketId }) => ({
      channel,
      name: INVALIDATE_EVENT,
      data,
      ...(socketId ? { socket_id: socketId } : {}),
    })),
    signal,
  );
}

/** Settles with `attempt`, or rejects once `ms` passed (calling `onTimeout` first); the loser is left to settle alone. */
export async function withDeadline<T>(attempt: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(onTimeout()), ms)));
  try {
    return await Promise.race([attempt, timedOut]);
  } catch (err) {
    attempt.catch(() => {}); // settled later (the SDK's own abort); nobody waits for it any more
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sends one call and resolves once the broker accepted it. Rejects with a BrokerCallError after `budgetMs` at the
 * latest, aborting the request wherever it is (connecting, waiting for the answer, reading it).
 */
export function callBroker(broker: Broker, call: BrokerCall, budgetMs: number): Promise<void> {
  return checkedRequest(broker, (signal) => request(broker, call, signal), budgetMs);
}

/**
 * Closes every socket signed in as `userId` (the Pusher protocol's terminate_connections; Soketi and Pusher
 * Channels). The broker answers at once; the sockets close with code 4009, which pusher-js does not retry.
 */
export function terminateUser(broker: Broker, userId: string): Promise<void> {
  return checkedRequest(broker, () => broker.pusher.terminateUserConnections(userId), broker.timeoutMs);
}

/**
 * One REST request whose answer must be a success body (Soketi answers 200 to what it refuses), within `budgetMs`:
 * at the deadline the request is aborted (`signal`, the publisher's calls) and a body still streaming is dropped
 * (the SDK's own calls, which also have the SDK's timeout).
 */
async function checkedRequest(
  broker: Broker,
  send: (signal: AbortSignal) => Promise<RestAnswer & { body?: unknown }>,
  budgetMs: number,
): Promise<void> {
  const abort = new AbortController();
  let response: (RestAnswer & { body?: unknown }) | undefined;
  const attempt = (async () => {
    response = await send(abort.signal);
    const text = await response.text();
    if (response.status >= 400) throw new BrokerCallError(`HTTP ${response.status} ${text.slice(0, 200)}`);
    if (!isSuccessBody(text)) throw new BrokerCallError(`broker refused with HTTP ${response.status} ${text.slice(0, 200)}`);
  })();
  try {
    await withDeadline(attempt, budgetMs, () => {
      abort.abort();
      (response?.body as { destroy?: () => void } | undefined)?.destroy?.();
      return new BrokerCallError(`timed out after ${broker.timeoutMs}ms`);
    });
  } catch (err) {
    throw new BrokerCallError(describeBrokerError(err, broker.timeoutMs));
  }
}

import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, vi } from "vitest";
import { resetEnvCache } from "@/env";
import { flushAfter, resetRequest } from "../../helpers/next-request";

export type FakeRequest = { method: string; url: string; body: string };
export type FakeMode =
  | { kind: "reply"; status: number; body: string }
  | { kind: "hang" }
  | { kind: "hang-body" };

export type Trigger = { name: string; channels: string[]; data: string; socket_id?: string };
export type BatchEvent = { channel: string; name: string; data: string; socket_id?: string };
export type Batch = { batch: BatchEvent[] };

export const OK: FakeMode = { kind: "reply", status: 200, body: '{"ok":true}' };
/** Soketi's way of refusing: HTTP 200 with an error body. */
export const soketiRefusal = (error: string, code = 400): FakeMode => ({ kind: "reply", status: 200, body: JSON.stringify({ error, code }) });

/** A Pusher-protocol HTTP endpoint on 127.0.0.1 whose answers a test scripts, and what it was asked. */
export async function startFakeBroker(initial: FakeMode = OK) {
  const requests: FakeRequest[] = [];
  let mode = initial;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      requests.push({ method: req.method ?? "", url: req.url ?? "", body });
      if (mode.kind === "hang") return;
      if (mode.kind === "hang-body") {
        res.writeHead(200, { "content-type": "application/json" });
        res.write("{");
        return;
      }
      res.writeHead(mode.status, { "content-type": "application/json" });
      res.end(mode.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const triggers = () => requests.filter((r) => r.url.startsWith("/apps/fake-app/events")).map((r) => JSON.parse(r.body) as Trigger);
  const batches = () => requests.filter((r) => r.url.startsWith("/apps/fake-app/batch_events")).map((r) => JSON.parse(r.body) as Batch);
  return {
    port,
    requests,
    setMode: (next: FakeMode) => (mode = next),
    /** Publish calls only (the health probe's GET /channels is left out). */
    calls: () => requests.filter((r) => r.method === "POST"),
    triggers,
    batches,
    /** Every (socket to skip, channel, signal) the broker was asked to deliver, sorted. */
    deliveries: () =>
      [
        ...triggers().flatMap((t) => t.channels.map((c) => `${t.socket_id ?? "-"} ${c} ${t.data}`)),
        ...batches().flatMap((b) => b.batch.map((e) => `${e.socket_id ?? "-"} ${e.channel} ${e.data}`)),
      ].sort(),
    env: {
      PUSHER_APP_ID: "fake-app",
      PUSHER_KEY: "fake-key",
      PUSHER_SECRET: "fake-secret",
      PUSHER_HOST: "127.0.0.1",
      PUSHER_PORT: String(port),
      PUSHER_USE_TLS: "0",
    },
    /** The library's own broker settings for this endpoint. */
    config: (timeoutMs: number) => ({
      appId: "fake-app",
      key: "fake-key",
      secret: "fake-secret",
      host: "127.0.0.1",
      port,
      useTLS: false,
      timeoutMs,
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type FakeBroker = Awaited<ReturnType<typeof startFakeBroker>>;

const PUSHER_VARS = ["PUSHER_APP_ID", "PUSHER_KEY", "PUSHER_SECRET", "PUSHER_HOST", "PUSHER_PORT", "PUSHER_USE_TLS", "REALTIME_PUBLISH_TIMEOUT_MS", "REALTIME_PUBLISH_RETRIES"];

/** Points the app's environment at `vars` only (no broker at all when empty). */
export function setBrokerEnv(vars: Record<string, string>) {
  for (const k of PUSHER_VARS) delete process.env[k];
  Object.assign(process.env, vars);
  resetEnvCache();
}

/**
 * The lifecycle of a publishing test file: one fake broker for the file, the app's environment pointing at it
 * with the given publish timeout and retries (none unless asked: retries have their own test file), and before each test a new simulated request, no recorded requests, and the
 * broker answering like Soketi does on success. After each test its leftover after() work runs and mocks are
 * restored; the environment is put back after the file.
 */
export function setupFakeBroker({ timeoutMs, retries = 0 }: { timeoutMs: number; retries?: number }): { readonly broker: FakeBroker } {
  const saved = { ...process.env };
  const handle = {} as { broker: FakeBroker };
  beforeAll(async () => {
    handle.broker = await startFakeBroker();
  });
  afterAll(async () => {
    await handle.broker?.close();
    process.env = saved;
    resetEnvCache();
  });
  beforeEach(() => {
    resetRequest();
    handle.broker.requests.length = 0;
    handle.broker.setMode(OK);
    setBrokerEnv({ ...handle.broker.env, REALTIME_PUBLISH_TIMEOUT_MS: String(timeoutMs), REALTIME_PUBLISH_RETRIES: String(retries) });
  });
  afterEach(async () => {
    vi.useRealTimers();
    // Run the after() work a test left queued, as Next always does: a publisher's pending flush must not be dropped.
    vi.spyOn(console, "error").mockImplementation(() => {});
    await flushAfter();
    vi.restoreAllMocks();
  });
  return handle;
}

/**
 * The clocks the publisher, the sender and the REST client read, faked for a hanging broker: every hung call is
 * seen to reach the broker (real I/O keeps running) before its deadline is made to pass, exactly.
 */
export const FAKE_CLOCKS: Parameters<typeof vi.useFakeTimers>[0] = { toFake: ["setTimeout", "clearTimeout", "performance", "Date"] };

// Captured at load, before any test installs fake timers: waiting for real network I/O while the clock is fake.
const realSetTimeout = globalThis.setTimeout;

/** Waits, in real time, until `condition` holds (network I/O still runs while timers are fake). */
export async function untilReal(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  // Counted in real sleeps, not read from a clock that may be fake.
  for (let waited = 0; !condition(); waited += 5) {
    if (waited >= ms) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => realSetTimeout(r, 5));
  }
}

/** One real turn of the event loop (I/O callbacks included), whatever the clock. */
export const realTick = () => new Promise((r) => realSetTimeout(r, 0));

import { hostname } from "node:os";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { resetEnvCache } from "@/env";
import type { RealtimeHealth } from "@/lib/realtime/server";
import { GET } from "@/app/api/realtime/health/route";
import { userChannel } from "@/backend/realtime/channels";
import { publishInvalidate, realtime } from "@/backend/realtime/server";
import { uuid } from "../../helpers/uuids";
import { startSoketi, type SoketiHandle } from "../../helpers/soketi";
import { publishCounters } from "./realtime-env";

/**
 * GET /api/realtime/health: whether publishing works and how it went so far in this process, never a secret, always
 * 200. Its counters belong to the process's realtime instance and never reset, so tests compare before and after.
 */
const PUSHER_VARS = ["PUSHER_APP_ID", "PUSHER_KEY", "PUSHER_SECRET", "PUSHER_HOST", "PUSHER_PORT", "PUSHER_USE_TLS"];
const saved = { ...process.env };
let soketi: SoketiHandle;

const TOKEN = "health-token-for-monitors";

function useEnv(vars: Record<string, string>) {
  for (const k of [...PUSHER_VARS, "REALTIME_PUBLISH_TIMEOUT_MS"]) delete process.env[k];
  Object.assign(process.env, { REALTIME_HEALTH_TOKEN: TOKEN }, vars);
  resetEnvCache();
}

const healthRequest = (authorization?: string) =>
  new Request("http://localhost:3000/api/realtime/health", { headers: authorization ? { authorization } : {} });

/** The details, as a monitor holding the token sees them. */
async function health() {
  const res = await GET(healthRequest(`Bearer ${TOKEN}`));
  const text = await res.text();
  return { status: res.status, cache: res.headers.get("cache-control"), text, body: JSON.parse(text) as RealtimeHealth };
}

const realSetTimeout = globalThis.setTimeout;
const U1 = userChannel(uuid("user-1"));
const U2 = userChannel(uuid("user-2"));
const notify = (...channels: string[]) => ({ channels, signal: { scope: "notifications" as const } });

beforeAll(async () => {
  soketi = await startSoketi();
});
afterAll(async () => {
  await soketi?.stop();
  process.env = saved;
  resetEnvCache();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("GET /api/realtime/health", () => {
  it("tells anyone only { ok }; the details need the configured bearer token, and a wrong or unconfigured one is 401", async () => {
    useEnv(soketi.env);
    const open = await GET(healthRequest());
    expect(open.status).toBe(200);
    expect(await open.json()).toEqual({ ok: true });
    expect((await health()).body).toMatchObject({ configured: true, broker: { reachable: true } });

    for (const wrong of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, TOKEN, "Bearer ", "Basic abc"]) {
      const res = await GET(healthRequest(wrong));
      expect(res.status, wrong).toBe(401);
      expect(await res.json()).toEqual({ error: "Unknown token." });
    }
    useEnv({ ...soketi.env, REALTIME_HEALTH_TOKEN: "" });
    delete process.env.REALTIME_HEALTH_TOKEN;
    resetEnvCache();
    expect((await GET(healthRequest(`Bearer ${TOKEN}`))).status).toBe(401);
    expect(await (await GET(healthRequest())).json()).toEqual({ ok: true });

    // ok is false when publishing cannot work: no broker, or one that does not answer.
    vi.spyOn(console, "info").mockImplementation(() => {});
    useEnv({});
    expect(await (await GET(healthRequest())).json()).toEqual({ ok: false });
  });

  it("probes the broker with one channel's info, never the list of every channel", async () => {
    useEnv(soketi.env);
    const get = vi.spyOn(realtime.broker()!.pusher, "get");
    await new Promise((resolve) => realSetTimeout(resolve, 1_100)); // past the probe cache of the earlier tests
    expect((await health()).body.broker.reachable).toBe(true);
    expect(get).toHaveBeenCalledTimes(1);
    expect(get.mock.calls[0][0].path).toMatch(/^\/channels\/[^/]+$/);
  });

  it("reports realtime off without a broker", async () => {
    vi.spyOn(console, "info").mockImplementation(() => {});
    useEnv({});
    const { status, body } = await health();
    expect(status).toBe(200);
    expect(body).toMatchObject({ configured: false, timeout_ms: null, broker: { reachable: false, latency_ms: null }, queue: { in_flight: 0, queued: 0 } });
  });

  it("reports a reachable broker, the publishes so far and their latency, and no secret", async () => {
    useEnv({ ...soketi.env, REALTIME_PUBLISH_TIMEOUT_MS: "1000" });
    const delta = await publishCounters();
    await publishInvalidate(notify(U1)).delivered();
    await publishInvalidate(notify(U1, U2)).delivered();
    const { status, cache, text, body } = await health();
    expect(status).toBe(200);
    expect(cache).toBe("no-store");
    expect(body).toMatchObject({
      // Each app instance answers for itself, and says which one it is.
      instance: { host: hostname(), pid: process.pid, since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
      configured: true,
      timeout_ms: 1000,
      broker: { reachable: true, latency_ms: expect.any(Number) },
      latency_ms: { p50: expect.any(Number), p99: expect.any(Number) },
      queue: { in_flight: 0, queued: 0 },
      last_failure: null,
    });
    expect(await delta()).toEqual({
      publishes: { requested: 3, sent: 3, failed: 0, duplicates_dropped: 0 },
      calls: { total: 2, failed: 0 },
      latency_samples: 2,
      last_failure: null,
    });
    expect(text).not.toContain(soketi.app.secret);
    expect(text).not.toContain("auth_signature");
  });

  it("still answers 200 when the broker is down, with the reason and the failures counted; the probe is cached a second", async () => {
    const down = await startSoketi();
    vi.spyOn(console, "error").mockImplementation(() => {});
    // Only the clock the probe cache reads is fake; timers and the network run for real.
    vi.useFakeTimers({ toFake: ["performance"] });
    try {
      useEnv({ ...down.env, REALTIME_PUBLISH_TIMEOUT_MS: "500" });
      expect((await health()).body.broker.reachable).toBe(true);
      const delta = await publishCounters();
      await down.stop();
      await expect(publishInvalidate(notify(userChannel(uuid("user-3")))).delivered()).rejects.toThrow(/ECONNREFUSED/);
      // The probe is cached for a second so that monitors cannot turn the endpoint into load on the broker...
      vi.advanceTimersByTime(999);
      expect((await health()).body.broker.reachable).toBe(true);
      // ...and asked again after it.
      vi.advanceTimersByTime(1);
      const { status, text, body } = await health();
      expect(status).toBe(200);
      expect(body).toMatchObject({
        configured: true,
        broker: { reachable: false, latency_ms: null, error: expect.stringMatching(/ECONNREFUSED/) },
        last_failure: { reason: expect.stringMatching(/ECONNREFUSED/) },
      });
      expect(await delta()).toMatchObject({ publishes: { failed: 1, sent: 0 }, calls: { failed: 1 } });
      expect(text).not.toContain(down.app.secret);
      expect(text).not.toMatch(/auth_signature|http:\/\//);
    } finally {
      await down.stop();
    }
  });

  it("answers at the probe limit when the broker accepts connections but never replies", async () => {
    const sockets = new Set<Socket>();
    const blackHole = http.createServer(() => {});
    blackHole.on("connection", (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, "127.0.0.1", resolve));
    try {
      useEnv({ ...soketi.env, PUSHER_PORT: String((blackHole.address() as AddressInfo).port), REALTIME_PUBLISH_TIMEOUT_MS: "300" });
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance", "Date"] });
      let answered: Awaited<ReturnType<typeof health>> | undefined;
      const pending = health().then((h) => (answered = h));
      // The probe's connection reached the black hole (waited for in real time: vi.waitUntil would move the fake clock).
      for (let waited = 0; sockets.size === 0; waited += 5) {
        if (waited > 10_000) throw new Error("the probe never connected");
        await new Promise((r) => realSetTimeout(r, 5));
      }
      await vi.advanceTimersByTimeAsync(299);
      expect(answered).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);
      await pending;
      expect(answered!.status).toBe(200);
      expect(answered!.body.broker).toMatchObject({ reachable: false, latency_ms: null, error: expect.stringMatching(/300ms/) });
    } finally {
      vi.useRealTimers();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => blackHole.close(resolve));
    }
  });
});

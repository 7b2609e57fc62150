import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { resetEnvCache } from "@/env";
import { GET } from "@/app/api/realtime/health/route";
import { userChannel } from "@/lib/realtime/channels";
import { publishInvalidateNow } from "@/lib/realtime/publish.server";
import { resetPublishMetrics } from "@/lib/realtime/publish-metrics.server";
import { startSoketi, type SoketiHandle } from "../../helpers/soketi";

const PUSHER_VARS = ["PUSHER_APP_ID", "PUSHER_KEY", "PUSHER_SECRET", "PUSHER_HOST", "PUSHER_PORT", "PUSHER_USE_TLS"];
const saved = { ...process.env };
let soketi: SoketiHandle;

function useEnv(vars: Record<string, string>) {
  for (const k of [...PUSHER_VARS, "REALTIME_PUBLISH_TIMEOUT_MS"]) delete process.env[k];
  Object.assign(process.env, vars);
  resetEnvCache();
}

async function health() {
  const res = await GET();
  const text = await res.text();
  return { status: res.status, cache: res.headers.get("cache-control"), text, body: JSON.parse(text) };
}

beforeAll(async () => {
  soketi = await startSoketi();
});
afterAll(async () => {
  await soketi?.stop();
  process.env = saved;
  resetEnvCache();
});
beforeEach(() => resetPublishMetrics());
afterEach(() => vi.restoreAllMocks());

describe("GET /api/realtime/health", () => {
  it("reports realtime off without a broker", async () => {
    vi.spyOn(console, "info").mockImplementation(() => {});
    useEnv({});
    const { status, body } = await health();
    expect(status).toBe(200);
    expect(body).toMatchObject({ configured: false, broker: { reachable: false, latency_ms: null } });
  });

  it("reports a reachable broker, the publishes so far and their latency, and no secret", async () => {
    useEnv({ ...soketi.env, REALTIME_PUBLISH_TIMEOUT_MS: "1000" });
    await publishInvalidateNow(userChannel(1), { scope: "notifications" });
    await publishInvalidateNow([userChannel(1), userChannel(2)], { scope: "notifications" });
    const { status, cache, text, body } = await health();
    expect(status).toBe(200);
    expect(cache).toBe("no-store");
    expect(body).toMatchObject({
      configured: true,
      timeout_ms: 1000,
      broker: { reachable: true, latency_ms: expect.any(Number) },
      publishes: { requested: 3, sent: 3, failed: 0, duplicates_dropped: 0 },
      calls: { total: 2, failed: 0 },
      latency_ms: { p50: expect.any(Number), p99: expect.any(Number), samples: 2 },
      queue: { in_flight: 0, queued: 0 },
      last_failure: null,
    });
    expect(text).not.toContain(soketi.app.secret);
    expect(text).not.toContain("auth_signature");
  });

  it("still answers 200 when the broker is down, with the reason and the failures counted", async () => {
    const down = await startSoketi();
    vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      useEnv({ ...down.env, REALTIME_PUBLISH_TIMEOUT_MS: "500" });
      expect((await health()).body.broker.reachable).toBe(true);
      await down.stop();
      await publishInvalidateNow(userChannel(3), { scope: "notifications" }).catch(() => {});
      // The probe is cached for a second so that monitors cannot turn the endpoint into load on the broker.
      await new Promise((r) => setTimeout(r, 1100));
      const { status, text, body } = await health();
      expect(status).toBe(200);
      expect(body).toMatchObject({
        configured: true,
        broker: { reachable: false, latency_ms: null, error: expect.stringMatching(/ECONNREFUSED/) },
        publishes: { failed: 1, sent: 0 },
        calls: { failed: 1 },
        last_failure: { reason: expect.stringMatching(/ECONNREFUSED/) },
      });
      expect(text).not.toContain(down.app.secret);
      expect(text).not.toMatch(/auth_signature|http:\/\//);
    } finally {
      await down.stop();
    }
  });

  it("answers within the probe limit when the broker accepts connections but never replies", async () => {
    const sockets = new Set<Socket>();
    const blackHole = http.createServer(() => {});
    blackHole.on("connection", (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, "127.0.0.1", resolve));
    try {
      useEnv({ ...soketi.env, PUSHER_PORT: String((blackHole.address() as AddressInfo).port), REALTIME_PUBLISH_TIMEOUT_MS: "300" });
      const started = performance.now();
      const { status, body } = await health();
      expect(performance.now() - started).toBeLessThan(1000);
      expect(status).toBe(200);
      expect(body.broker).toMatchObject({ reachable: false, error: expect.stringMatching(/300ms/) });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => blackHole.close(resolve));
    }
  });
});

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { resetEnvCache } from "@/env";
import { profileChannel, userChannel } from "@/lib/realtime/channels";
import { RealtimePublishError, publishInvalidate, publishInvalidateNow } from "@/lib/realtime/publish.server";
import { getBroker } from "@/lib/realtime/broker.server";
import { flushAfter, request, resetRequest } from "../../helpers/next-request";
import { startFakeBroker } from "./fake-broker";

const PUSHER_VARS = ["PUSHER_APP_ID", "PUSHER_KEY", "PUSHER_SECRET", "PUSHER_HOST", "PUSHER_PORT", "PUSHER_USE_TLS"];
const saved = { ...process.env };

function useEnv(vars: Record<string, string>) {
  for (const k of [...PUSHER_VARS, "REALTIME_PUBLISH_TIMEOUT_MS"]) delete process.env[k];
  Object.assign(process.env, vars);
  resetEnvCache();
}

let broker: Awaited<ReturnType<typeof startFakeBroker>>;
beforeAll(async () => {
  broker = await startFakeBroker();
});
afterAll(async () => {
  await broker.close();
  process.env = saved;
  resetEnvCache();
});
beforeEach(() => {
  resetRequest();
  broker.requests.length = 0;
  broker.setMode({ kind: "reply", status: 200, body: '{"ok":true}' });
  useEnv({ ...broker.env, REALTIME_PUBLISH_TIMEOUT_MS: "300" });
});
afterEach(() => vi.restoreAllMocks());

const events = () => broker.requests.filter((r) => r.url.startsWith("/apps/fake-app/events"));

describe("publishInvalidateNow (Inngest steps)", () => {
  it("sends one signed trigger with the signal as data and resolves on Soketi's and Pusher's success bodies", async () => {
    await publishInvalidateNow(userChannel(1), { scope: "notifications" });
    broker.setMode({ kind: "reply", status: 200, body: "{}" });
    await publishInvalidateNow([userChannel(1), userChannel(2)], { scope: "notifications" }, { socketId: "123.456" });

    const [first, second] = events();
    expect(first.method).toBe("POST");
    expect(first.url).toMatch(/auth_signature=[0-9a-f]{64}/);
    expect(JSON.parse(first.body)).toEqual({
      name: "invalidate",
      channels: ["private-user.1"],
      data: JSON.stringify({ scope: "notifications" }),
    });
    expect(JSON.parse(second.body)).toMatchObject({
      channels: ["private-user.1", "private-user.2"],
      socket_id: "123.456",
    });
  });

  it.each([
    ["Soketi's HTTP 200 with an error body", 200, '{"error":"The data content of this event exceeds the allowed maximum (100 KB).","code":413}'],
    ["an HTTP 200 with a non-JSON body", 200, "<html>proxy</html>"],
    ["an HTTP 200 with an unexpected JSON value", 200, "[]"],
    ["HTTP 413", 413, '{"error":"too big"}'],
    ["HTTP 500", 500, "boom"],
  ])("throws on %s", async (_label, status, body) => {
    broker.setMode({ kind: "reply", status, body });
    const err = await publishInvalidateNow(userChannel(1), { scope: "notifications" }).catch((e) => e);
    expect(err).toBeInstanceOf(RealtimePublishError);
    expect(err.message).toContain("private-user.1");
    expect(events()).toHaveLength(1);
  });

  it("gives up after REALTIME_PUBLISH_TIMEOUT_MS when the broker never answers", async () => {
    broker.setMode({ kind: "hang" });
    const started = Date.now();
    const err = await publishInvalidateNow(userChannel(1), { scope: "notifications" }).catch((e) => e);
    const elapsed = Date.now() - started;
    expect(err).toBeInstanceOf(RealtimePublishError);
    expect(err.message).toMatch(/timed out after 300ms/);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(1500);
  });

  it("also bounds a response whose body never finishes", async () => {
    broker.setMode({ kind: "hang-body" });
    const started = Date.now();
    await expect(publishInvalidateNow(userChannel(1), { scope: "notifications" })).rejects.toThrow(/timed out/);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("refuses signals no subscriber could use, before any network call", async () => {
    const cases: Array<[string | string[], unknown]> = [
      ["private-user.01", { scope: "notifications" }],
      [[], { scope: "notifications" }],
      [userChannel(1), { scope: "no-such-scope" }],
      [userChannel(1), { scope: "comments", ids: { resource_id: 1, resource_type: "ARTICLE" } }],
      [profileChannel(1), { scope: "notifications" }],
      ["private-resource.ARTICLE.1", { scope: "comments" }],
      [userChannel(1), { scope: "bookmarks", ids: { resource_id: 1, note: "x".repeat(2000) } }],
    ];
    for (const [channels, signal] of cases) {
      await expect(publishInvalidateNow(channels, signal as never)).rejects.toBeInstanceOf(RealtimePublishError);
    }
    await expect(
      publishInvalidateNow(userChannel(1), { scope: "notifications" }, { socketId: "abc" }),
    ).rejects.toThrow(/socketId/);
    expect(events()).toHaveLength(0);
  });

  it("is a no-op without a broker, announced once", async () => {
    const info = vi.spyOn(console, "info").mockImplementation(() => {});
    useEnv({});
    expect(getBroker()).toBeNull();
    await publishInvalidateNow(userChannel(1), { scope: "notifications" });
    publishInvalidate(userChannel(1), { scope: "notifications" });
    await flushAfter();
    resetEnvCache();
    expect(getBroker()).toBeNull();
    expect(events()).toHaveLength(0);
    expect(info.mock.calls.filter((c) => String(c[0]).includes("realtime") && String(c[0]).includes("off")).length).toBe(1);
  });
});

describe("publishInvalidate (server actions)", () => {
  it("schedules the publish with after() and sends nothing before the response", async () => {
    const result = publishInvalidate(userChannel(1), { scope: "notifications" });
    expect(result).toBeUndefined();
    expect(request.afterQueue).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(events()).toHaveLength(0);
    await flushAfter();
    expect(events()).toHaveLength(1);
  });

  it("never throws, and logs a failed publish once with its channel and reason", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    broker.setMode({ kind: "reply", status: 200, body: '{"error":"Payload too large","code":413}' });
    expect(() => publishInvalidate(userChannel(3), { scope: "notifications" })).not.toThrow();
    await expect(flushAfter()).resolves.toBeUndefined();
    expect(error).toHaveBeenCalledTimes(1);
    expect(String(error.mock.calls[0][0])).toMatch(/private-user\.3.*Payload too large/);

    error.mockClear();
    broker.setMode({ kind: "hang" });
    publishInvalidate(userChannel(4), { scope: "notifications" });
    await expect(flushAfter()).resolves.toBeUndefined();
    expect(error).toHaveBeenCalledTimes(1);
    expect(String(error.mock.calls[0][0])).toMatch(/private-user\.4.*timed out/);
  });

  it("never throws on invalid input either; nothing is scheduled", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    expect(() => publishInvalidate("private-user.1.x", { scope: "notifications" })).not.toThrow();
    expect(() => publishInvalidate(userChannel(1), { scope: "nope" } as never)).not.toThrow();
    expect(request.afterQueue).toHaveLength(0);
    expect(error).toHaveBeenCalledTimes(2);
  });

  it("still does not block or throw when called outside a request scope", async () => {
    const nextServer = await import("next/server");
    vi.spyOn(nextServer, "after").mockImplementation(() => {
      throw new Error("`after` was called outside a request scope");
    });
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    expect(() => publishInvalidate(userChannel(1), { scope: "notifications" })).not.toThrow();
    await vi.waitFor(() => expect(events()).toHaveLength(1));
    expect(error).not.toHaveBeenCalled();
  });
});

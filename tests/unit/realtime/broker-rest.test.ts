import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createBroker } from "@/lib/realtime/server/broker";

/**
 * The publisher's REST client (Broker.rest) sends what the Pusher SDK sends: the same path, body and signed query for
 * the same call at the same second, so a broker that accepts the SDK (Soketi, Pusher Channels) accepts it. The
 * integration tests then publish through a real Soketi, which checks every signature.
 */
type Seen = { method: string; path: string; query: Record<string, string>; body: string; contentType?: string };

let server: http.Server;
let seen: Seen[] = [];
beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      seen.push({
        method: req.method ?? "",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body: Buffer.concat(chunks).toString("utf8"),
        contentType: req.headers["content-type"],
      });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const broker = () =>
  createBroker({ appId: "app-1", key: "key-1", secret: "secret-1", host: "127.0.0.1", port: (server.address() as AddressInfo).port, timeoutMs: 2000 });

/** Each call made twice at the same (fake) second: through the SDK, then through Broker.rest. */
async function bothWays(sdkCall: (b: ReturnType<typeof broker>) => Promise<unknown>, restCall: (b: ReturnType<typeof broker>) => Promise<unknown>) {
  vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-12-03T12:00:00Z") });
  try {
    seen = [];
    const b = broker();
    await sdkCall(b);
    await restCall(b);
    return seen;
  } finally {
    vi.useRealTimers();
  }
}

describe("the publisher's REST client signs and sends like the Pusher SDK", () => {
  it("a trigger to several channels, with the connection to skip", async () => {
    const data = '{"scope":"notifications"}';
    const [sdk, rest] = await bothWays(
      (b) => b.pusher.trigger(["private-user.a", "private-user.b"], "invalidate", data, { socket_id: "123.456" }),
      (b) => b.rest.trigger(["private-user.a", "private-user.b"], "invalidate", data, { socket_id: "123.456" }),
    );
    expect(rest).toEqual(sdk);
    expect(rest).toMatchObject({ method: "POST", path: "/apps/app-1/events", contentType: "application/json" });
    expect(JSON.parse(rest.body)).toEqual({ name: "invalidate", data, channels: ["private-user.a", "private-user.b"], socket_id: "123.456" });
    expect(Object.keys(rest.query).sort()).toEqual(["auth_key", "auth_signature", "auth_timestamp", "auth_version", "body_md5"]);
  });

  it("a batch of events, each with or without a connection to skip", async () => {
    const events = [
      { channel: "private-resource.article.1", name: "invalidate", data: '{"scope":"comments"}', socket_id: "1.2" },
      { channel: "private-resource.article.2", name: "invalidate", data: '{"scope":"reactions"}' },
    ];
    const [sdk, rest] = await bothWays(
      (b) => b.pusher.triggerBatch(events.map((e) => ({ ...e }))),
      (b) => b.rest.triggerBatch(events),
    );
    expect(rest).toEqual(sdk);
    expect(rest.path).toBe("/apps/app-1/batch_events");
  });

  it("a signature over another body or second differs: it signs what it sends", async () => {
    const [a, b] = await bothWays(
      (x) => x.rest.trigger(["c"], "invalidate", '{"scope":"a"}'),
      (x) => x.rest.trigger(["c"], "invalidate", '{"scope":"b"}'),
    );
    expect(a.query.auth_signature).not.toBe(b.query.auth_signature);
    expect(a.query.body_md5).not.toBe(b.query.body_md5);
  });

  it("an aborted call rejects, and the answer's status and body are handed back as they came", async () => {
    const b = broker();
    const abort = new AbortController();
    abort.abort();
    await expect(b.rest.trigger(["c"], "invalidate", "{}", undefined, abort.signal)).rejects.toThrow(/abort/i);
    const answer = await b.rest.trigger(["c"], "invalidate", "{}");
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe('{"ok":true}');
  });
});

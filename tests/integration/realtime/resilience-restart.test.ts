import { createServer, type Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import Pusher, { type Options } from "pusher-js";
import { GuardedPusher, pusherOptions } from "@/lib/realtime/client/pusher-connection";
import { guardReconnects, RECONNECT_POLICY, type ReconnectPolicy } from "@/lib/realtime/client/reconnect";
import { tagChannel } from "@/backend/realtime/channels";
import { uuid } from "../../helpers/uuids";
import { startSoketi, type SoketiHandle } from "../../helpers/soketi";
import { maxAttemptsWithin, meter, summarize, type ReconnectMeter } from "./resilience-meter";
import { once } from "./pusher-clients";

/**
 * The reconnect guard (src/lib/realtime/client/reconnect.ts) against real brokers: a graceful Soketi restart (the
 * figures are reported; the bounds come from RECONNECT_POLICY), and a black-holed broker on a fake clock.
 */
const GUARDED = 6;
const TAG = tagChannel(uuid("resilience-tag"));
/** The longest wait of a short outage (the policy's fast cap), with the largest jitter. */
const LONGEST_FAST_WAIT_MS = Math.max(...Array.from({ length: 12 }, (_, f) => RECONNECT_POLICY.delayMs(f + 1, () => 1)));

let soketi: SoketiHandle;
const clients: Pusher[] = [];

beforeAll(async () => {
  soketi = await startSoketi();
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await soketi?.stop();
});

type Client = { pusher: Pusher; meter: ReconnectMeter; guarded: boolean };

/** The app's own options (WebSocket only); a public channel, so no auth route is involved. */
const optionsFor = (port: number): Options =>
  pusherOptions({ key: soketi.app.key, wsHost: "127.0.0.1", wsPort: port, forceTLS: false, cluster: "mt1", authEndpoint: "/api/realtime/auth", signinEndpoint: "/api/realtime/signin" });

async function client(guarded: boolean): Promise<Client> {
  const options = optionsFor(soketi.port);
  const pusher = guarded ? new GuardedPusher(soketi.app.key, options) : new Pusher(soketi.app.key, options);
  clients.push(pusher);
  const m = meter(pusher);
  const subscribed = once(pusher, TAG, "pusher:subscription_succeeded", 10_000);
  pusher.subscribe(TAG);
  await subscribed;
  return { pusher, meter: m, guarded };
}

function report(label: string, rows: Client[], readyAt: number) {
  const attempts = rows.map((c) => c.meter.attempts());
  const after = rows.map((c) => Math.max(0, (c.meter.connectedAt() ?? Number.NaN) - readyAt));
  const a = summarize(attempts);
  const t = summarize(after);
  console.log(
    `[graceful restart] ${label.padEnd(20)} attempts/client min ${a.min} median ${a.median} max ${a.max}` +
      ` | reconnected after broker ready (ms) min ${t.min} median ${t.median} max ${t.max}` +
      ` | per client: ${rows.map((c, i) => `${attempts[i]}/${after[i]}ms`).join(" ")}`,
  );
  return { attempts, after };
}

describe("graceful broker restart: bounded reconnects", () => {
  it(
    "guarded clients retry no faster than the policy's back-off and are back within one wait and one attempt of the new broker",
    async () => {
      // Only guarded clients: unguarded pusher-js needs its 15 s strategy timeout here, a figure, not a check.
      const all = await Promise.all(Array.from({ length: GUARDED }, () => client(true)));
      for (const c of all) c.meter.reset();

      const stopAt = Date.now();
      await soketi.stop({ graceful: true }); // 4200 to everyone, refusals with 4200 for its grace period, then exit
      const stoppedAt = Date.now();
      await soketi.restart();
      const readyAt = Date.now();

      await expect
        .poll(() => all.every((c) => c.pusher.connection.state === "connected" && c.meter.connectedAt() !== null), {
          timeout: 20_000,
          interval: 50,
        })
        .toBe(true);
      // And the channel is back: pusher-js re-subscribes by itself once connected.
      await Promise.all(
        all.map((c) => (c.pusher.channel(TAG)?.subscribed ? null : once(c.pusher, TAG, "pusher:subscription_succeeded", 5_000))),
      );

      console.log(
        `[graceful restart] broker stop (graceful) took ${stoppedAt - stopAt} ms, restart until HTTP answered ${readyAt - stoppedAt} ms`,
      );
      const guarded = report("guarded (ours)", all.filter((c) => c.guarded), readyAt);

      // Bounds from the policy, not from this machine's speed: no more attempts than its shortest waits allow in the
      // time each client was away, and back within the longest short-outage wait plus one attempt's own limit.
      all
        .filter((c) => c.guarded)
        .forEach((c, i) => {
          const away = c.meter.connectedAt()! - stopAt;
          expect(guarded.attempts[i], `client ${i} away ${away} ms`).toBeLessThanOrEqual(maxAttemptsWithin(RECONNECT_POLICY, away));
          expect(guarded.after[i]).toBeLessThanOrEqual(LONGEST_FAST_WAIT_MS + RECONNECT_POLICY.attemptTimeoutMs);
        });
    },
    60_000,
  );
});

describe("a black-holed broker (accepts TCP, never answers), on a fake clock", () => {
  const held: Socket[] = [];
  afterEach(() => vi.useRealTimers());

  it("each attempt is abandoned after the policy's attempt timeout and retried after its delay, instead of hanging", async () => {
    const hole = createServer((socket) => void held.push(socket));
    await new Promise<void>((resolve) => hole.listen(0, "127.0.0.1", resolve));
    const port = (hole.address() as { port: number }).port;
    const policy: ReconnectPolicy = { delayMs: () => 100, attemptTimeoutMs: 300, stableAfterMs: 5_000 };
    try {
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
      // A plain instance guarded after construction: its first, unguarded attempt is restarted through the guard.
      const pusher = new Pusher(soketi.app.key, optionsFor(port));
      clients.push(pusher);
      const stats = guardReconnects(pusher, policy)!;
      expect(stats).not.toBeNull();
      expect(stats.attempts).toBe(1);
      // 300 ms without an answer, then 100 ms of back-off, per attempt: pusher-js alone would still be waiting.
      await vi.advanceTimersByTimeAsync(299);
      expect(stats).toEqual({ attempts: 1, failures: 0 });
      await vi.advanceTimersByTimeAsync(1);
      expect(stats).toEqual({ attempts: 1, failures: 1 });
      await vi.advanceTimersByTimeAsync(100);
      expect(stats).toEqual({ attempts: 2, failures: 1 });
      await vi.advanceTimersByTimeAsync(4 * 400);
      expect(stats).toEqual({ attempts: 6, failures: 5 });
      expect(pusher.connection.state).toBe("connecting");

      pusher.disconnect();
      await vi.advanceTimersByTimeAsync(2_000);
      expect(stats.attempts).toBe(6); // disconnect() aborts a pending wait too
    } finally {
      vi.useRealTimers();
      for (const socket of held.splice(0)) socket.destroy();
      await new Promise((r) => hole.close(r));
    }
  });
});

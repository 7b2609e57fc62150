import { createServer, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Pusher, { type Options } from "pusher-js";
import { tagChannel } from "@/lib/realtime/channels";
import { GuardedPusher, pusherOptions } from "@/lib/realtime/client/pusher-connection";
import { guardReconnects } from "@/lib/realtime/client/pusher-reconnect-guard";
import { startSoketi, type SoketiHandle } from "../../helpers/soketi";
import { meter, summarize, type ReconnectMeter } from "./resilience-meter";
import { once } from "./pusher-clients";

const GUARDED = 6;
const UNGUARDED = 2;
// The issue's bounds for a graceful broker restart.
const MAX_ATTEMPTS = 10;
const MAX_RECONNECT_MS = 2_000;

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
  pusherOptions({ key: soketi.app.key, wsHost: "127.0.0.1", wsPort: port, forceTLS: false, cluster: "mt1" });

async function client(guarded: boolean): Promise<Client> {
  const options = optionsFor(soketi.port);
  const pusher = guarded ? new GuardedPusher(soketi.app.key, options) : new Pusher(soketi.app.key, options);
  clients.push(pusher);
  const m = meter(pusher);
  const subscribed = once(pusher, tagChannel(1), "pusher:subscription_succeeded", 10_000);
  pusher.subscribe(tagChannel(1));
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
    `guarded clients make <= ${MAX_ATTEMPTS} attempts and are back <= ${MAX_RECONNECT_MS} ms after the new broker is ready; unguarded pusher-js measured beside them`,
    async () => {
      const all = [
        ...(await Promise.all(Array.from({ length: GUARDED }, () => client(true)))),
        ...(await Promise.all(Array.from({ length: UNGUARDED }, () => client(false)))),
      ];
      for (const c of all) c.meter.reset();

      const stopAt = Date.now();
      await soketi.stop({ graceful: true }); // 4200 to everyone, refusals with 4200 for its grace period, then exit
      const stoppedAt = Date.now();
      await soketi.restart();
      const readyAt = Date.now();

      // Unguarded pusher-js needs its 15 s strategy timeout; wait for everyone so both are reported.
      await expect
        .poll(() => all.every((c) => c.pusher.connection.state === "connected" && c.meter.connectedAt() !== null), {
          timeout: 40_000,
          interval: 50,
        })
        .toBe(true);
      // And the channel is back: pusher-js re-subscribes by itself once connected.
      await Promise.all(
        all.map((c) => (c.pusher.channel(tagChannel(1))?.subscribed ? null : once(c.pusher, tagChannel(1), "pusher:subscription_succeeded", 5_000))),
      );

      console.log(
        `[graceful restart] broker stop (graceful) took ${stoppedAt - stopAt} ms, restart until HTTP answered ${readyAt - stoppedAt} ms`,
      );
      const guarded = report("guarded (ours)", all.filter((c) => c.guarded), readyAt);
      report("unguarded pusher-js", all.filter((c) => !c.guarded), readyAt);

      for (const n of guarded.attempts) expect(n).toBeLessThanOrEqual(MAX_ATTEMPTS);
      for (const ms of guarded.after) expect(ms).toBeLessThanOrEqual(MAX_RECONNECT_MS);
    },
    60_000,
  );
});

describe("a black-holed broker (accepts TCP, never answers)", () => {
  it("each attempt is abandoned after the policy's attempt timeout and retried with back-off, instead of hanging", async () => {
    const held: Socket[] = [];
    const hole = createServer((socket) => void held.push(socket));
    await new Promise<void>((resolve) => hole.listen(0, "127.0.0.1", resolve));
    const port = (hole.address() as { port: number }).port;
    try {
      // A plain instance guarded after construction: its first, unguarded attempt is restarted through the guard.
      const pusher = new Pusher(soketi.app.key, optionsFor(port));
      clients.push(pusher);
      const stats = guardReconnects(pusher, { delayMs: () => 100, attemptTimeoutMs: 300, stableAfterMs: 5_000 })!;
      expect(stats).not.toBeNull();
      await new Promise((r) => setTimeout(r, 2_000));
      // ~400 ms per attempt (300 timeout + 100 wait): about 5 in 2 s, where pusher-js alone would still be waiting.
      expect(stats.attempts).toBeGreaterThanOrEqual(3);
      expect(stats.attempts).toBeLessThanOrEqual(7);
      expect(stats.failures).toBeGreaterThanOrEqual(stats.attempts - 1);
      expect(pusher.connection.state).toBe("connecting");
      pusher.disconnect();
      const after = stats.attempts;
      await new Promise((r) => setTimeout(r, 600));
      expect(stats.attempts).toBe(after); // disconnect() aborts a pending wait too
    } finally {
      for (const s of held) s.destroy();
      await new Promise((r) => hole.close(r));
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Pusher from "pusher-js";
import { createPusherConnection } from "@/lib/realtime/client/pusher-connection";
import { userChannel } from "@/backend/realtime/channels";
import { publishInvalidate } from "@/backend/realtime/server";
import { notificationsSignal } from "@/backend/realtime/signals";
import type { SoketiHandle } from "../../helpers/soketi";
import type { Seeded } from "../../db/fixtures";
import { occupiedChannels } from "./listeners";
import { clientOptions } from "./pusher-clients";
import { sessionTokens, startRealtimeEnv, stopRealtimeEnv } from "./realtime-env";

/**
 * The browser's connection (src/lib/realtime/client/pusher-connection.ts) on a real Soketi: ref-counted channels
 * share one broker subscription and release it after the last member leaves.
 */
let soketi: SoketiHandle;
let s: Seeded;
let aliceToken: string;

beforeAll(async () => {
  ({ soketi, s } = await startRealtimeEnv(2000));
  aliceToken = (await sessionTokens(s, "vitest")).alice;
});
afterAll(() => stopRealtimeEnv(soketi));

describe("the browser connection on a real broker", () => {
  it("shares one subscription between members and keeps it until the last member leaves", async () => {
    const signals: Array<[string, unknown]> = [];
    const created: Pusher[] = [];
    const conn = createPusherConnection({
      config: { key: soketi.app.key, wsHost: "127.0.0.1", wsPort: soketi.port, forceTLS: false, cluster: "mt1", authEndpoint: "/api/realtime/auth", signinEndpoint: "/api/realtime/signin" },
      onSignal: (channel, data) => signals.push([channel, data]),
      createPusher: (key, options) => {
        // Same options the browser gets, but authorized through the route handler directly instead of by fetch.
        const { channelAuthorization, userAuthentication } = clientOptions(soketi.port, () => aliceToken);
        const p = new Pusher(key, { ...options, channelAuthorization, userAuthentication });
        created.push(p);
        return p;
      },
    });
    const channel = userChannel(s.alice);
    // Nothing else in this file subscribes, so every subscriber counted below is this connection's.
    expect(Object.keys(await occupiedChannels())).not.toContain(channel);
    const leaveA = conn.join(channel);
    const leaveB = conn.join(channel);
    expect(created).toHaveLength(1);
    await expect.poll(() => conn.getStatus(), { timeout: 10_000 }).toBe("connected");
    await expect.poll(async () => (await occupiedChannels())[channel]?.subscription_count, { timeout: 5_000 }).toBe(1);

    await publishInvalidate(notificationsSignal(s.alice)).delivered();
    await expect.poll(() => signals.length).toBe(1);
    expect(signals[0]).toEqual([channel, { scope: "notifications" }]);

    leaveA();
    leaveA(); // a second leave from the same member must not take the other member's share
    // The release would happen a microtask after the last leave; B still holds it, and still hears signals.
    await publishInvalidate(notificationsSignal(s.alice)).delivered();
    await expect.poll(() => signals.length).toBe(2);
    expect((await occupiedChannels())[channel]?.subscription_count).toBe(1);
    expect(conn.channels()).toEqual([channel]);

    leaveB();
    await expect.poll(async () => Object.keys(await occupiedChannels()), { timeout: 5_000 }).not.toContain(channel);
    expect(conn.channels()).toEqual([]);
    conn.destroy();
    expect(conn.getStatus()).toBe("disabled");
    expect(created[0].connection.state).toBe("disconnected");
  });
});

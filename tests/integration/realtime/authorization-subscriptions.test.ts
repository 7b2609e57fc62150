import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { INVALIDATE_EVENT } from "@/lib/realtime";
import { resourceChannel, userChannel } from "@/backend/realtime/channels";
import { publishInvalidate } from "@/backend/realtime/server";
import { commentThreadSignal } from "@/backend/realtime/signals";
import type { SoketiHandle } from "../../helpers/soketi";
import type { Seeded } from "../../db/fixtures";
import { connectListener, occupiedChannels, type Listener } from "./listeners";
import { once } from "./pusher-clients";
import { sessionTokens, startRealtimeEnv, stopRealtimeEnv } from "./realtime-env";

/**
 * Channel authorization as a browser meets it: real pusher-js subscribing on a real Soketi, authorized by the real
 * route. A refusal is a `pusher:subscription_error` with the route's status, and the broker never lets the client in.
 */
let soketi: SoketiHandle;
let s: Seeded;
let aliceToken: string;
const clients: Listener[] = [];

beforeAll(async () => {
  ({ soketi, s } = await startRealtimeEnv(2000));
  aliceToken = (await sessionTokens(s, "vitest")).alice;
});
afterEach(() => {
  for (const c of clients.splice(0)) c.disconnect();
});
afterAll(() => stopRealtimeEnv(soketi));

const client = async (token: string | null) => {
  const c = await connectListener(soketi, token);
  clients.push(c);
  return c;
};

describe("subscribing through the auth route on a real broker", () => {
  it("refuses another user's channel with 403: never subscribed, not on the broker", async () => {
    const alice = await client(aliceToken);
    await alice.listen(userChannel(s.alice));
    const foreign = userChannel(s.bob);
    const error = once<{ type: string; error: string }>(alice.pusher, foreign, "pusher:subscription_error");
    expect(await error).toMatchObject({ type: "AuthError", error: expect.stringMatching(/^403 /) });
    expect(alice.pusher.channel(foreign).subscribed).toBe(false);
    const channels = Object.keys(await occupiedChannels());
    // Her own channel is there (the listing works), bob's is not.
    expect(channels).toContain(userChannel(s.alice));
    expect(channels).not.toContain(foreign);
  });

  it("refuses an anonymous visitor's user channel with 401", async () => {
    const anonymous = await client(null);
    const error = once<{ error: string }>(anonymous.pusher, userChannel(s.alice), "pusher:subscription_error");
    expect((await error).error).toMatch(/^401 /);
  });

  it("lets an anonymous visitor join a published article's channel and hear it, and refuses a draft's", async () => {
    const anonymous = await client(null);
    const published = resourceChannel("ARTICLE", s.hello);
    const draft = resourceChannel("ARTICLE", s.draft);
    await anonymous.listen(published);
    const refused = once<{ error: string }>(anonymous.pusher, draft, "pusher:subscription_error");
    expect((await refused).error).toMatch(/^403 /);
    const heard = once(anonymous.pusher, published, INVALIDATE_EVENT);
    const signal = commentThreadSignal({ resource_type: "ARTICLE", resource_id: s.hello });
    await publishInvalidate(signal).delivered();
    expect(await heard).toEqual(signal.signal);
  });
});

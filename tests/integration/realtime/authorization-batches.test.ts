import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import Pusher from "pusher-js";
import * as dbClient from "@/db/client";
import { batchingChannelAuthorizer, MAX_AUTH_CHANNELS } from "@/lib/realtime/client";
import { POST as AUTH } from "@/app/api/realtime/auth/route";
import { articleFeedChannel, resourceChannel, userChannel } from "@/backend/realtime/channels";
import { signInAs } from "../../helpers/db";
import { resetRequest } from "../../helpers/next-request";
import type { SoketiHandle } from "../../helpers/soketi";
import { MISSING_ID, type Seeded } from "../../db/fixtures";
import { APP_ORIGIN, callAuth, expectedAuth } from "./auth-helpers";
import { clientOptions, connectedClient, once, withCookie } from "./pusher-clients";
import { sessionTokens, startRealtimeEnv, stopRealtimeEnv, type User } from "./realtime-env";

/**
 * POST /api/realtime/auth naming several channels (the library's client batches a tab's channels,
 * client/channel-authorizer.ts): each channel answered as its own request would be, the session, sign-in, policy
 * and versions read once, at most MAX_AUTH_CHANNELS per request; and a real pusher-js client on a real Soketi
 * subscribing through it.
 */
let soketi: SoketiHandle;
let s: Seeded;
let tokens: Record<User, string>;
const SOCKET = "4321.8765";
const clients: Pusher[] = [];

beforeAll(async () => {
  ({ soketi, s } = await startRealtimeEnv(2000));
  tokens = await sessionTokens(s, "batches");
});
afterEach(() => {
  vi.restoreAllMocks();
  for (const c of clients.splice(0)) c.disconnect();
});
afterAll(() => stopRealtimeEnv(soketi));

const batchBody = (socketId: string, channels: readonly string[]) => {
  const form = new URLSearchParams({ socket_id: socketId });
  for (const name of channels) form.append("channel_name", name);
  return form.toString();
};
type BatchBody = { channels?: Record<string, { auth?: string; channel_version?: number; status?: number; error?: string }>; error?: string };

describe("POST /api/realtime/auth with several channel_name fields", () => {
  it("answers each channel exactly as its own request would: signed with its version, or its own refusal", async () => {
    resetRequest();
    await signInAs("bob");
    const mixed = [
      userChannel(s.bob),
      resourceChannel("ARTICLE", s.hello),
      resourceChannel("GIST", s.privateGist), // bob's
      resourceChannel("ARTICLE", s.draft), // alice's draft: 403
      resourceChannel("ARTICLE", MISSING_ID), // no such article: the same 403
      userChannel(s.alice), // 403
      articleFeedChannel(), // public: 403, it needs no signature
      "private-user.not-a-uuid", // unknown: 403
      "private user", // breaks Pusher's name rules: 400
    ];
    const batch = await callAuth(batchBody(SOCKET, mixed));
    expect(batch.status).toBe(200);
    const answers = (batch.body as BatchBody).channels!;
    expect(Object.keys(answers)).toEqual(mixed);
    for (const name of mixed) {
      const alone = await callAuth({ socket_id: SOCKET, channel_name: name });
      if (alone.status === 200) expect(answers[name]).toEqual(alone.body);
      else expect(answers[name], name).toEqual({ status: alone.status, error: alone.body.error });
    }
    expect(mixed.filter((name) => answers[name].auth !== undefined)).toEqual(mixed.slice(0, 3));
    expect(answers[mixed[0]].auth).toBe(expectedAuth(soketi.app.key, soketi.app.secret, SOCKET, mixed[0]));
    expect(answers["private user"].status).toBe(400);
  });

  it("a batch costs the database what one channel does: the session, the sign-in, one policy read, one version read", async () => {
    resetRequest();
    await signInAs("bob");
    const getDb = vi.spyOn(dbClient, "getDb");
    const one = await callAuth({ socket_id: SOCKET, channel_name: resourceChannel("ARTICLE", s.hello) });
    expect(one.status).toBe(200);
    const single = getDb.mock.calls.length;
    getDb.mockClear();
    const articles = [s.hello, s.draft, MISSING_ID].map((id) => resourceChannel("ARTICLE", id));
    const batch = await callAuth(batchBody(SOCKET, articles));
    expect(Object.values((batch.body as BatchBody).channels!).map((a) => a.auth !== undefined)).toEqual([true, false, false]);
    expect(getDb.mock.calls.length).toBe(single);
  });

  it(`refuses more than ${MAX_AUTH_CHANNELS} channel_name fields with 400, before any database work; ${MAX_AUTH_CHANNELS} pass`, async () => {
    resetRequest();
    await signInAs("bob");
    const names = Array.from({ length: MAX_AUTH_CHANNELS + 1 }, (_, i) => (i === 0 ? userChannel(s.bob) : resourceChannel("ARTICLE", s.hello).replace(/.$/, String(i % 10))));
    const atCap = await callAuth(batchBody(SOCKET, names.slice(0, MAX_AUTH_CHANNELS)));
    expect(atCap.status).toBe(200);
    expect(Object.keys((atCap.body as BatchBody).channels!)).toHaveLength(new Set(names.slice(0, MAX_AUTH_CHANNELS)).size);
    const getDb = vi.spyOn(dbClient, "getDb");
    const over = await callAuth(batchBody(SOCKET, names), undefined, { signin: false });
    expect(over).toEqual({ status: 400, body: { error: `at most ${MAX_AUTH_CHANNELS} channel_name fields` } });
    expect(getDb).not.toHaveBeenCalled();
  });
});

describe("the library's client authorizing a tab's channels through the real route, on a real broker", () => {
  it("one request for the tab's channels; the refused one fails alone with its 403, the others subscribe", async () => {
    const bodies: string[][] = [];
    // The browser's fetch, answered by the app's route with bob's cookie.
    const viaRoute: typeof fetch = async (url, init) => {
      bodies.push(new URLSearchParams(String(init?.body)).getAll("channel_name"));
      return withCookie(tokens.bob, () =>
        AUTH(new Request(`${APP_ORIGIN}${String(url)}`, { ...init, headers: { ...(init?.headers as Record<string, string>), origin: APP_ORIGIN } })),
      );
    };
    const options = clientOptions(soketi.port, () => tokens.bob);
    options.channelAuthorization = {
      endpoint: "/api/realtime/auth",
      transport: "ajax",
      customHandler: batchingChannelAuthorizer({ endpoint: "/api/realtime/auth", signinDone: () => pusher.user.signinDonePromise, fetch: viaRoute }),
    };
    // signinDone runs once pusher-js asks for a channel, after this.
    const pusher = await connectedClient(soketi.app.key, options);
    clients.push(pusher);
    const readable = [userChannel(s.bob), resourceChannel("ARTICLE", s.hello), resourceChannel("GIST", s.privateGist)];
    const hidden = resourceChannel("ARTICLE", s.draft);
    // once() subscribes: all four in one task, as a tab's first render (or a reconnect) does.
    const joined = readable.map((name) => once(pusher, name, "pusher:subscription_succeeded", 10_000));
    const refused = once<{ type: string; error: string }>(pusher, hidden, "pusher:subscription_error", 10_000);
    await Promise.all(joined);
    expect(await refused).toMatchObject({ type: "AuthError", error: expect.stringMatching(/answered 403: You cannot read this resource/) });
    expect(bodies).toEqual([[...readable, hidden]]);
    expect(readable.map((name) => pusher.channel(name).subscribed)).toEqual([true, true, true]);
    expect(pusher.channel(hidden).subscribed).toBe(false);
  });
});

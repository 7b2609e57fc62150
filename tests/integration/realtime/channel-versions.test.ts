import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import Pusher from "pusher-js";
import { getDb } from "@/db/client";
import { createPusherConnection } from "@/lib/realtime/client/pusher-connection";
import { MAX_VERSION_CHANNELS } from "@/lib/realtime/server";
import { POST as AUTH } from "@/app/api/realtime/auth/route";
import { POST as VERSIONS } from "@/app/api/realtime/versions/route";
import { articleFeedChannel, resourceChannel, tagChannel, userChannel } from "@/backend/realtime/channels";
import { bookmarkSignal, notificationsSignal } from "@/backend/realtime/signals";
import { readChannelVersions, stampVersions } from "@/backend/realtime/versions";
import { toggleResourceBookmark } from "@/backend/services/bookmark.action";
import { flushAfter, resetRequest } from "../../helpers/next-request";
import { signInAs } from "../../helpers/db";
import type { SoketiHandle } from "../../helpers/soketi";
import { MISSING_ID, type Seeded } from "../../db/fixtures";
import { APP_ORIGIN } from "./auth-helpers";
import { routeSignin, withCookie } from "./pusher-clients";
import { sessionTokens, startRealtimeEnv, stopRealtimeEnv, type User } from "./realtime-env";

/**
 * Channel versions end to end: a write moves its channels' versions in its transaction (and only if it commits),
 * the channel authorization hands the tab its baseline with the subscription, each signal carries the next version,
 * and the version check answers only for channels the caller may read.
 */
let soketi: SoketiHandle;
let s: Seeded;
let tokens: Record<User, string>;

beforeAll(async () => {
  ({ soketi, s } = await startRealtimeEnv(2000));
  tokens = await sessionTokens(s, "versions");
});
afterAll(() => stopRealtimeEnv(soketi));
afterEach(() => {
  vi.unstubAllGlobals();
  resetRequest();
});

const version = async (channel: string) => (await readChannelVersions(await getDb(), [channel]))[channel];

/** POST /api/realtime/versions as the given user's browser (null: a visitor). */
async function askVersions(token: string | null, body: string, headers: Record<string, string> = {}) {
  return withCookie(token, async () => {
    const res = await VERSIONS(
      new Request(`${APP_ORIGIN}/api/realtime/versions`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: APP_ORIGIN, ...headers },
        body,
      }),
    );
    return { status: res.status, body: (await res.json()) as { versions?: Record<string, number>; error?: string } };
  });
}
const form = (channels: string[]) => new URLSearchParams(channels.map((c) => ["channel", c])).toString();

describe("the version of a channel", () => {
  it("moves with each committed write, by one per publication naming the channel, and not at all on a rollback", async () => {
    const channel = userChannel(s.carol);
    const start = await version(channel);
    const db = await getDb();
    const stamped = await db.transaction((tx) => stampVersions(tx, [notificationsSignal(s.carol), bookmarkSignal(s.carol, s.hello)]));
    expect(stamped.map((p) => p.versions)).toEqual([{ [channel]: start + 1 }, { [channel]: start + 2 }]);
    expect(await version(channel)).toBe(start + 2);

    await expect(
      db.transaction(async (tx) => {
        await stampVersions(tx, notificationsSignal(s.carol));
        throw new Error("the write failed");
      }),
    ).rejects.toThrow("the write failed");
    expect(await version(channel)).toBe(start + 2);
  });
});

describe("the baseline arrives with the subscription", () => {
  it("through the real auth route: the tab starts at the channel's version, and the next write's signal is the next one", async () => {
    const channel = userChannel(s.alice);
    await signInAs("alice");
    await toggleResourceBookmark({ resource_id: s.hello });
    await toggleResourceBookmark({ resource_id: s.hello });
    await flushAfter();
    const current = await version(channel);
    expect(current).toBeGreaterThanOrEqual(2);

    // The browser's own channel authorization (batchingChannelAuthorizer: fetch to the auth endpoint), answered by the
    // app's route with alice's cookie.
    vi.stubGlobal("fetch", async (url: string, init: RequestInit) =>
      withCookie(tokens.alice, () =>
        AUTH(new Request(`${APP_ORIGIN}${url}`, { ...init, headers: { ...(init.headers as Record<string, string>), origin: APP_ORIGIN } })),
      ),
    );
    const baselines: Array<[string, number]> = [];
    const signals: unknown[] = [];
    const created: Pusher[] = [];
    const conn = createPusherConnection({
      config: { key: soketi.app.key, wsHost: "127.0.0.1", wsPort: soketi.port, forceTLS: false, cluster: "mt1", authEndpoint: "/api/realtime/auth", signinEndpoint: "/api/realtime/signin" },
      onSignal: (_channel, data) => signals.push(data),
      onBaseline: (name, v) => baselines.push([name, v]),
      createPusher: (key, options) => {
        const p = new Pusher(key, { ...options, userAuthentication: routeSignin(() => tokens.alice) });
        created.push(p);
        return p;
      },
    });
    try {
      conn.join(channel);
      await expect.poll(() => baselines, { timeout: 10_000 }).toEqual([[channel, current]]);
      await expect.poll(() => created[0].channel(channel)?.subscribed, { timeout: 10_000 }).toBe(true);

      resetRequest();
      await signInAs("alice");
      // The writer's own tab gets the version in the action's result (the broker skips it).
      expect(await toggleResourceBookmark({ resource_id: s.hello })).toMatchObject({ versions: [[channel, current + 1]] });
      await flushAfter();
      await expect.poll(() => signals, { timeout: 10_000 }).toEqual([{ scope: "bookmarks", ids: { resource_id: s.hello }, v: current + 1 }]);
    } finally {
      conn.destroy();
    }
  });
});

describe("POST /api/realtime/versions", () => {
  it("answers every channel the caller may read, and nothing for the others", async () => {
    const readable = [userChannel(s.alice), resourceChannel("ARTICLE", s.hello), resourceChannel("ARTICLE", s.draft), tagChannel(MISSING_ID), articleFeedChannel()];
    const hidden = [userChannel(s.bob), resourceChannel("GIST", s.privateGist), resourceChannel("ARTICLE", MISSING_ID)];
    // A channel with a version, so a leak would show a number and not only a 0.
    await (await getDb()).transaction((tx) => stampVersions(tx, [notificationsSignal(s.bob), { ...notificationsSignal(s.bob), channels: [resourceChannel("GIST", s.privateGist)] }]));

    const alice = await askVersions(tokens.alice, form([...readable, ...hidden, "not-a-channel-of-this-app"]));
    expect(alice.status).toBe(200);
    expect(Object.keys(alice.body.versions!).sort()).toEqual([...readable].sort());
    for (const channel of readable) expect(alice.body.versions![channel]).toBe(await version(channel));

    // Bob reads his own channel and his private gist, not alice's channel or her draft.
    const bob = await askVersions(tokens.bob, form([...readable, ...hidden]));
    expect(Object.keys(bob.body.versions!).sort()).toEqual(
      [resourceChannel("ARTICLE", s.hello), tagChannel(MISSING_ID), articleFeedChannel(), userChannel(s.bob), resourceChannel("GIST", s.privateGist)].sort(),
    );
    expect(bob.body.versions![userChannel(s.bob)]).toBeGreaterThan(0);

    // A visitor: public channels and public resources only.
    const visitor = await askVersions(null, form([...readable, ...hidden]));
    expect(Object.keys(visitor.body.versions!).sort()).toEqual([resourceChannel("ARTICLE", s.hello), tagChannel(MISSING_ID), articleFeedChannel()].sort());
  });

  it("refuses what is not a version check: cross-site, no channel, too many, another field, a body over the cap", async () => {
    const one = form([articleFeedChannel()]);
    expect((await askVersions(tokens.alice, one, { origin: "https://evil.example" })).status).toBe(403);
    expect((await askVersions(tokens.alice, "")).status).toBe(400);
    expect((await askVersions(tokens.alice, `${one}&extra=1`)).status).toBe(400);
    expect((await askVersions(tokens.alice, form(Array.from({ length: MAX_VERSION_CHANNELS + 1 }, () => articleFeedChannel())))).status).toBe(400);
    expect((await askVersions(tokens.alice, form(["bad channel!"]))).status).toBe(400);
    const huge = `channel=${"a".repeat(30_000)}`;
    expect((await askVersions(tokens.alice, huge)).status).toBe(413);
    expect((await askVersions(tokens.alice, one)).status).toBe(200);
  });
});

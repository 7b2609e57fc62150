import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type Pusher from "pusher-js";
import type { ChannelAuthorizationHandler } from "pusher-js";
import { eq, inArray } from "drizzle-orm";
import { getDb } from "@/db/client";
import { tags, userSessions } from "@/db/schema";
import { articleFeedChannel, parseChannel, profileChannel, resourceChannel, tagChannel, userChannel } from "@/lib/realtime/channels";
import { INVALIDATE_EVENT } from "@/lib/realtime/signal";
import { publishInvalidateNow } from "@/lib/realtime/publish.server";
import { createMyGist, deleteMyGist, updateMyGist } from "@/backend/services/gist.actions";
import { updateMyProfile } from "@/backend/services/user.actions";
import { deleteSession, logout } from "@/backend/services/session.actions";
import { POST as demoLogin } from "@/app/api/auth/demo-login/route";
import { createSession } from "@/backend/session-store";
import { articleFeedSignals, publishArticleFeedSignals, type ArticleSnapshot } from "@/backend/realtime/feed-signals";
import {
  HOME_FEED_WINDOW_MS,
  publishHomeFeedSignal,
  replaceHomeFeedThrottle,
} from "@/backend/realtime/home-feed-throttle";
import { signInAs } from "../../helpers/db";
import { flushAfter, request, resetRequest } from "../../helpers/next-request";
import type { SoketiHandle } from "../../helpers/soketi";
import { failure, ok, type Seeded } from "../../db/fixtures";
import { APP_ORIGIN } from "./auth-helpers";
import { startRealtimeEnv, stopRealtimeEnv } from "./realtime-env";
import { clientOptions, connectedClient, once, routeAuthorizer, subscribed } from "./pusher-clients";

/**
 * Every Phase 4 publisher against a real Soketi, observed by real pusher-js clients: private channels authorized
 * through the real auth route, public ones subscribed as an anonymous visitor (which must never call the route).
 */
let soketi: SoketiHandle;
let s: Seeded;
let tagIds: { nextjs: number; realtime: number };
let observer: Pusher;
const tokens: Record<"alice" | "bob", string> = { alice: "", bob: "" };
let authAs: string | null = null;
/** Channel names the auth route was asked about, in order. */
const authorized: string[] = [];
const received: Array<{ channel: string; data: unknown; at: number }> = [];
const observed: string[] = [];
let markerSeq = 0;
/** Home feed fires made by the immediate throttle, so drain() can wait for them before its marker. */
const homeFires: Array<Promise<void>> = [];

beforeAll(async () => {
  ({ soketi, s } = await startRealtimeEnv(2000));
  const db = await getDb();
  const rows = await db.select({ id: tags.id, name: tags.name }).from(tags).where(inArray(tags.name, ["nextjs", "realtime"]));
  tagIds = { nextjs: rows.find((r) => r.name === "nextjs")!.id, realtime: rows.find((r) => r.name === "realtime")!.id };
  for (const name of ["alice", "bob"] as const) tokens[name] = (await createSession(s[name], "observer", "127.0.0.1")).token;

  const options = clientOptions(soketi.port, () => authAs);
  const route = (routeAuthorizer(() => authAs) as { customHandler: ChannelAuthorizationHandler }).customHandler;
  options.channelAuthorization = {
    customHandler: (params, cb) => {
      authorized.push(params.channelName);
      route(params, cb);
    },
  };
  observer = await connectedClient(soketi.app.key, options);
  await observe(userChannel(s.alice), "alice");
  await observe(userChannel(s.bob), "bob");
  await observe(resourceChannel("GIST", s.publicGist), null);
  // Public channels, as an anonymous visitor.
  await observe(profileChannel(s.alice), null);
  await observe(profileChannel(s.bob), null);
  await observe(tagChannel(tagIds.nextjs), null);
  await observe(tagChannel(tagIds.realtime), null);
  await observe(articleFeedChannel(), null);
});
afterAll(async () => {
  replaceHomeFeedThrottle(null);
  observer?.disconnect();
  await stopRealtimeEnv(soketi);
});
beforeEach(async () => {
  resetRequest();
  replaceHomeFeedThrottle({ request: () => void homeFires.push(publishHomeFeedSignal()), dispose() {}, state: () => "idle" });
  await drain();
});
afterEach(() => replaceHomeFeedThrottle(null));

async function observe(channel: string, as: keyof typeof tokens | null) {
  authAs = as && tokens[as];
  await subscribed(observer, channel);
  observer.channel(channel).bind(INVALIDATE_EVENT, (data: unknown) => received.push({ channel, data, at: Date.now() }));
  observed.push(channel);
}

/** A valid signal for any observed channel, tagged so drain() can tell it apart. */
function markerFor(channel: string, marker: number) {
  const parsed = parseChannel(channel)!;
  switch (parsed.kind) {
    case "user":
      return { scope: "notifications", ids: { marker } };
    case "resource":
      return { scope: "gist", ids: { id: parsed.resourceId, marker } };
    case "profile":
      return { scope: "user", ids: { user_id: parsed.userId, marker } };
    case "tag":
      return { scope: "tag-articles", ids: { tag_id: parsed.tagId, marker } };
    case "feed":
      return { scope: "article-feed", ids: { marker } };
  }
}
const markerOf = (data: unknown) => (data as { ids?: { marker?: number } }).ids?.marker;

/**
 * Channels are FIFO: once a marker published after the code under test has arrived on every observed channel,
 * everything that code published has arrived too, so "nothing else was sent" needs no sleeping.
 */
async function drain(): Promise<Array<{ channel: string; data: unknown }>> {
  await flushAfter();
  await Promise.all(homeFires.splice(0));
  const marker = ++markerSeq;
  await Promise.all(observed.map((ch) => publishInvalidateNow(ch, markerFor(ch, marker) as never)));
  const arrived = () => new Set(received.filter((r) => markerOf(r.data) === marker).map((r) => r.channel));
  await expect.poll(() => arrived().size, { timeout: 5_000 }).toBe(observed.length);
  return received
    .splice(0)
    .filter((r) => markerOf(r.data) === undefined)
    .map(({ channel, data }) => ({ channel, data }))
    .sort((a, b) => key(a).localeCompare(key(b)));
}
const key = (r: { channel: string; data: unknown }) => `${r.channel} ${JSON.stringify(r.data)}`;
const sorted = (...list: Array<{ channel: string; data: unknown }>) => list.sort((a, b) => key(a).localeCompare(key(b)));
const on = (channel: string, data: unknown) => ({ channel, data });

async function as<T>(user: keyof typeof tokens, action: () => Promise<T>): Promise<T> {
  resetRequest();
  await signInAs(user);
  return action();
}

describe("public channels need no authorization", () => {
  it("the anonymous subscriptions to profile, tag and feed channels never called the auth route", () => {
    expect(authorized.filter((c) => !c.startsWith("private-"))).toEqual([]);
    expect(authorized).toEqual([userChannel(s.alice), userChannel(s.bob), resourceChannel("GIST", s.publicGist)]);
  });
});

describe("gists", () => {
  it("create signals the owner's gist list only (nobody can be on a new gist's channel)", async () => {
    ok(await as("bob", () => createMyGist({ title: "p4-new.ts", is_public: true, files: [{ filename: "a.ts", content: "1" }] })));
    expect(await drain()).toEqual([on(userChannel(s.bob), { scope: "gists" })]);
  });

  it("update signals the owner's list and the gist's viewers; turning it private takes their access away", async () => {
    ok(await as("bob", () => updateMyGist({ id: s.publicGist, description: "now live" })));
    expect(await drain()).toEqual(
      sorted(on(userChannel(s.bob), { scope: "gists" }), on(resourceChannel("GIST", s.publicGist), { scope: "gist", ids: { id: s.publicGist } })),
    );

    ok(await as("bob", () => updateMyGist({ id: s.publicGist, is_public: false })));
    expect(await drain()).toEqual(
      sorted(on(userChannel(s.bob), { scope: "gists" }), on(resourceChannel("GIST", s.publicGist), { scope: "gist", ids: { id: s.publicGist } })),
    );
    // What the signalled viewer's refetch meets, and what a fresh subscription attempt meets.
    const { getGist } = await import("@/backend/services/gist.actions");
    resetRequest();
    failure(await getGist({ id: s.publicGist }), "NOT_FOUND");
    const anon = await connectedClient(soketi.app.key, clientOptions(soketi.port, () => null));
    const refused = once<{ error?: string; status?: number }>(anon, resourceChannel("GIST", s.publicGist), "pusher:subscription_error");
    expect(JSON.stringify(await refused)).toMatch(/403/);
    anon.disconnect();
    ok(await as("bob", () => updateMyGist({ id: s.publicGist, is_public: true })));
    await drain();
  });

  it("delete signals the owner's list and the gist's viewers; alice's channel hears nothing", async () => {
    const gist = ok(await as("bob", () => createMyGist({ title: "p4-doomed", is_public: true, files: [{ filename: "x", content: "" }] })));
    await observe(resourceChannel("GIST", gist.id), null); // an anonymous viewer opens it
    await drain();
    ok(await as("bob", () => deleteMyGist({ id: gist.id })));
    expect(await drain()).toEqual(
      sorted(on(userChannel(s.bob), { scope: "gists" }), on(resourceChannel("GIST", gist.id), { scope: "gist", ids: { id: gist.id } })),
    );
  });

  it("a refused write publishes nothing", async () => {
    failure(await as("alice", () => updateMyGist({ id: s.publicGist, title: "hijack" })), "FORBIDDEN");
    failure(await as("alice", () => deleteMyGist({ id: s.privateGist })), "NOT_FOUND");
    expect(await drain()).toEqual([]);
  });
});

describe("sessions", () => {
  it("signing in on a new device signals the user's channel with the new session", async () => {
    resetRequest();
    const res = await demoLogin(
      new Request(`${APP_ORIGIN}/api/auth/demo-login`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": "Mozilla/5.0 (X11; Linux) Firefox/140.0" },
        body: new URLSearchParams({ username: "alice" }),
      }),
    );
    expect(res.status).toBe(303);
    const db = await getDb();
    const [newest] = await db
      .select({ id: userSessions.id })
      .from(userSessions)
      .where(eq(userSessions.user_id, s.alice))
      .orderBy(userSessions.id)
      .then((rows) => rows.slice(-1));
    expect(await drain()).toEqual([on(userChannel(s.alice), { scope: "sessions", ids: { session_id: newest.id } })]);
  });

  it("revoking a session signals its user's channel with the revoked id; a refused revoke signals nothing", async () => {
    const other = await createSession(s.alice, "phone", "127.0.0.1");
    ok(await as("alice", () => deleteSession({ id: other.sessionId })));
    expect(await drain()).toEqual([on(userChannel(s.alice), { scope: "sessions", ids: { session_id: other.sessionId } })]);

    const bobs = await createSession(s.bob, "bob-phone", "127.0.0.1");
    failure(await as("alice", () => deleteSession({ id: bobs.sessionId })), "NOT_FOUND");
    expect(await drain()).toEqual([]);
  });

  it("logout signals the signed-out session; a second logout with the dead cookie signals nothing", async () => {
    const { sessionId } = await as("alice", () => signInAs("alice", "laptop"));
    await logout();
    expect(await drain()).toEqual([on(userChannel(s.alice), { scope: "sessions", ids: { session_id: sessionId } })]);
    request.cookies.set("session_token", "dead-token");
    await logout();
    expect(await drain()).toEqual([]);
  });

  it("a revoked session cannot subscribe to its user channel again (a reconnect is refused with 401)", async () => {
    const device = await createSession(s.alice, "revoked-device", "127.0.0.1");
    const client = await connectedClient(soketi.app.key, clientOptions(soketi.port, () => device.token));
    await subscribed(client, userChannel(s.alice));
    ok(await as("alice", () => deleteSession({ id: device.sessionId })));
    await drain();
    client.unsubscribe(userChannel(s.alice));
    const refused = once(client, userChannel(s.alice), "pusher:subscription_error");
    expect(JSON.stringify(await refused)).toMatch(/401/);
    client.disconnect();
  });
});

describe("user card", () => {
  it("a profile edit signals the card on the public profile and the own channel; a new name also the article feed", async () => {
    ok(await as("alice", () => updateMyProfile({ name: "Alice R.", bio: "bio one" })));
    expect(await drain()).toEqual(
      sorted(
        on(profileChannel(s.alice), { scope: "user", ids: { user_id: s.alice } }),
        on(userChannel(s.alice), { scope: "user", ids: { user_id: s.alice } }),
        on(profileChannel(s.alice), { scope: "user-article-feed", ids: { user_id: s.alice } }),
      ),
    );
    ok(await as("alice", () => updateMyProfile({ name: "Alice R.", bio: "bio two" })));
    expect(await drain()).toEqual(
      sorted(
        on(profileChannel(s.alice), { scope: "user", ids: { user_id: s.alice } }),
        on(userChannel(s.alice), { scope: "user", ids: { user_id: s.alice } }),
      ),
    );
  });
});

describe("article feeds (publishArticleFeedSignals, as the article actions call it)", () => {
  const snap = (over: Partial<ArticleSnapshot> = {}): ArticleSnapshot => ({
    id: s.hello,
    author_id: s.alice,
    published: true,
    tag_ids: [tagIds.nextjs, tagIds.realtime],
    ...over,
  });
  const profileFeed = () => on(profileChannel(s.alice), { scope: "user-article-feed", ids: { user_id: s.alice } });
  const tagFeed = (tag_id: number) => on(tagChannel(tag_id), { scope: "tag-articles", ids: { tag_id } });
  const home = () => on(articleFeedChannel(), { scope: "article-feed" });

  it("drafts are silent on every public channel", async () => {
    const draft = snap({ id: s.draft, published: false });
    publishArticleFeedSignals(null, draft);
    publishArticleFeedSignals(draft, { ...draft, tag_ids: [tagIds.nextjs] });
    publishArticleFeedSignals(draft, null);
    expect(await drain()).toEqual([]);
  });

  it("publishing reaches the profile, every tag of the article, and the home feed", async () => {
    publishArticleFeedSignals(snap({ published: false }), snap());
    expect(await drain()).toEqual(sorted(profileFeed(), tagFeed(tagIds.nextjs), tagFeed(tagIds.realtime), home()));
  });

  it("a tag change signals the old and the new tag", async () => {
    publishArticleFeedSignals(snap({ tag_ids: [tagIds.nextjs] }), snap({ tag_ids: [tagIds.realtime] }));
    expect(await drain()).toEqual(sorted(profileFeed(), tagFeed(tagIds.nextjs), tagFeed(tagIds.realtime), home()));
  });

  it("unpublish and delete reach the feeds the article leaves", async () => {
    publishArticleFeedSignals(snap(), snap({ published: false }));
    expect(await drain()).toEqual(sorted(profileFeed(), tagFeed(tagIds.nextjs), tagFeed(tagIds.realtime), home()));
    publishArticleFeedSignals(snap({ tag_ids: [tagIds.realtime] }), null);
    expect(await drain()).toEqual(sorted(profileFeed(), tagFeed(tagIds.realtime), home()));
  });

  it("articleFeedSignals is what publishArticleFeedSignals sends", () => {
    expect(articleFeedSignals(snap({ published: false }), snap()).map((p) => p.channels[0])).toEqual([
      profileChannel(s.alice),
      ...[tagIds.nextjs, tagIds.realtime].sort((a, b) => a - b).map(tagChannel),
      articleFeedChannel(),
    ]);
  });
});

describe("home feed throttle on a real broker (the production throttle and window)", () => {
  it("50 publishes in 2 s -> at most one signal per window, and the last publish is followed by a signal", async () => {
    replaceHomeFeedThrottle(null); // the real process-wide throttle, HOME_FEED_WINDOW_MS
    const article: ArticleSnapshot = { id: s.hello, author_id: s.alice, published: true, tag_ids: [tagIds.nextjs] };
    const started = Date.now();
    let lastRequest = 0;
    // 50 separate requests (one request's identical signals are merged by the publisher anyway).
    for (let i = 0; i < 50; i++) {
      resetRequest();
      publishArticleFeedSignals(article, article);
      lastRequest = Date.now();
      await flushAfter();
      await new Promise((r) => setTimeout(r, Math.max(0, started + (i + 1) * 40 - Date.now())));
    }
    expect(lastRequest - started).toBeGreaterThanOrEqual(1900);
    // The trailing signal comes when the first window closes.
    await expect
      .poll(() => received.filter((r) => r.channel === articleFeedChannel() && r.at >= lastRequest).length, {
        timeout: HOME_FEED_WINDOW_MS + 3_000,
        interval: 100,
      })
      .toBe(1);
    const feed = received.filter((r) => r.channel === articleFeedChannel()).map((r) => r.at - started);
    console.info(`[phase4] 50 publishes over ${lastRequest - started} ms -> home feed signals at ${feed.join(", ")} ms`);
    expect(feed.length).toBeLessThanOrEqual(Math.ceil((lastRequest - started) / HOME_FEED_WINDOW_MS) + 1);
    for (let i = 1; i < feed.length; i++) expect(feed[i] - feed[i - 1]).toBeGreaterThanOrEqual(HOME_FEED_WINDOW_MS - 100);
    // The narrow channels are not throttled: each publish reached the tag feed.
    const signals = await drain();
    expect(signals.filter((r) => r.channel === tagChannel(tagIds.nextjs))).toHaveLength(50);
    expect(signals.filter((r) => r.channel === articleFeedChannel())).toHaveLength(feed.length);
  }, 20_000);
});

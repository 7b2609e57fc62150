import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type Pusher from "pusher-js";
import { resourceChannel, userChannel } from "@/lib/realtime/channels";
import { INVALIDATE_EVENT } from "@/lib/realtime/signal";
import { publishInvalidateNow } from "@/lib/realtime/publish.server";
import { createMyComment, deleteMyComment, updateMyComment } from "@/backend/services/comment.action";
import { toggleResourceReaction } from "@/backend/services/reaction.actions";
import { toggleResourceBookmark } from "@/backend/services/bookmark.action";
import {
  createMyArticle,
  deleteMyArticle,
  getArticle,
  setArticlePublished,
  updateMyArticle,
} from "@/backend/services/article.actions";
import { createSession } from "@/backend/session-store";
import { signInAs, signOut } from "../../helpers/db";
import { flushAfter, resetRequest } from "../../helpers/next-request";
import type { SoketiHandle } from "../../helpers/soketi";
import { failure, ok, type Seeded } from "../../db/fixtures";
import { startRealtimeEnv, stopRealtimeEnv } from "./realtime-env";
import { clientOptions, connectedClient, once, subscribed } from "./pusher-clients";

/**
 * Each Phase 2/3 action against a real Soketi, observed by real pusher-js clients that subscribed through the real
 * auth route: the action's signal arrives on its channel, and nothing arrives anywhere else.
 */
let soketi: SoketiHandle;
let s: Seeded;
let observer: Pusher;
const tokens: Record<"alice" | "bob" | "carol", string> = { alice: "", bob: "", carol: "" };
let authAs: string | null = null;
/** Every signal on every observed channel, in arrival order. */
const received: Array<{ channel: string; data: unknown }> = [];
const observed: string[] = [];
let markerSeq = 0;

beforeAll(async () => {
  ({ soketi, s } = await startRealtimeEnv(2000));
  for (const name of ["alice", "bob", "carol"] as const) tokens[name] = (await createSession(s[name], "observer", "127.0.0.1")).token;
  observer = await connectedClient(soketi.app.key, clientOptions(soketi.port, () => authAs));
  await observe(userChannel(s.alice), "alice");
  await observe(userChannel(s.bob), "bob");
  await observe(userChannel(s.carol), "carol");
  await observe(resourceChannel("ARTICLE", s.hello), null);
  await observe(resourceChannel("ARTICLE", s.draft), "alice");
  await observe(resourceChannel("GIST", s.publicGist), null);
  await observe(resourceChannel("GIST", s.privateGist), "bob");
});
afterAll(async () => {
  observer?.disconnect();
  await stopRealtimeEnv(soketi);
});
beforeEach(async () => {
  resetRequest();
  await drain(); // nothing from an earlier test may leak into the next one
});

/** One connection holding every channel; each subscription is authorized as whoever may read that channel. */
async function observe(channel: string, as: keyof typeof tokens | null) {
  authAs = as && tokens[as];
  await subscribed(observer, channel);
  observer.channel(channel).bind(INVALIDATE_EVENT, (data: unknown) => received.push({ channel, data }));
  observed.push(channel);
}

const isMarker = (data: unknown) => JSON.stringify(data).includes('"marker"');

/**
 * Channels are FIFO, so once a marker published after the action has arrived on every observed channel, every
 * signal the action published has arrived too: "nothing else was sent", without sleeping.
 */
async function drain(): Promise<Array<{ channel: string; data: unknown }>> {
  const marker = ++markerSeq;
  const users = observed.filter((c) => c.startsWith("private-user."));
  const resources = observed.filter((c) => c.startsWith("private-resource."));
  await publishInvalidateNow(users, { scope: "notifications", ids: { marker } } as never);
  await publishInvalidateNow(resources, { scope: "comments", ids: { resource_id: 1, resource_type: "ARTICLE", marker } } as never);
  const arrived = () =>
    new Set(received.filter((r) => (r.data as { ids?: { marker?: number } }).ids?.marker === marker).map((r) => r.channel));
  await expect.poll(() => arrived().size, { timeout: 5_000 }).toBe(observed.length);
  // FIFO holds per channel only; across channels, compare in a fixed order.
  return received
    .splice(0)
    .filter((r) => !isMarker(r.data))
    .sort((a, b) => key(a).localeCompare(key(b)));
}
const key = (r: { channel: string; data: unknown }) => `${r.channel} ${JSON.stringify(r.data)}`;
/** The expected list in drain()'s order. */
const sorted = (...list: Array<{ channel: string; data: unknown }>) => list.sort((a, b) => key(a).localeCompare(key(b)));

/** Runs an action as a user, then lets its after() work (publishes, in-process notifications) complete. */
async function as<T>(user: keyof typeof tokens, action: () => Promise<T>): Promise<T> {
  resetRequest();
  await signInAs(user);
  const result = await action();
  await flushAfter();
  return result;
}

const on = (channel: string, data: unknown) => ({ channel, data });
const commentsOf = (type: "ARTICLE" | "GIST", id: number) =>
  on(resourceChannel(type, id), { scope: "comments", ids: { resource_id: id, resource_type: type } });
const notificationFor = (userId: number) => on(userChannel(userId), { scope: "notifications" });

describe("comments publish { scope: comments } on the thread root's channel", () => {
  it("create, reply to a reply, edit and delete on an article", async () => {
    const top = ok(await as("bob", () => createMyComment({ resource_id: s.hello, resource_type: "ARTICLE", body: "live top" })));
    // alice is notified (Phase 1); that is the only other signal.
    expect(await drain()).toEqual(sorted(commentsOf("ARTICLE", s.hello), notificationFor(s.alice)));

    // aliceReply is itself a reply (depth 2): carol's answer is depth 3 and still reaches the article's channel.
    const deep = ok(await as("carol", () => createMyComment({ resource_id: s.aliceReply, resource_type: "COMMENT", body: "deep reply" })));
    expect(deep.depth).toBe(3);
    expect(await drain()).toEqual(sorted(commentsOf("ARTICLE", s.hello), notificationFor(s.alice)));

    ok(await as("carol", () => updateMyComment({ id: deep.id, body: "deep reply, edited" })));
    expect(await drain()).toEqual([commentsOf("ARTICLE", s.hello)]);

    ok(await as("carol", () => deleteMyComment({ id: deep.id })));
    expect(await drain()).toEqual([commentsOf("ARTICLE", s.hello)]);

    ok(await as("bob", () => deleteMyComment({ id: top.id })));
    expect(await drain()).toEqual([commentsOf("ARTICLE", s.hello)]);
  });

  it("on a gist, replies included, the gist's channel carries them", async () => {
    const c = ok(await as("carol", () => createMyComment({ resource_id: s.aliceOnGist, resource_type: "COMMENT", body: "gist reply" })));
    expect(await drain()).toEqual(sorted(commentsOf("GIST", s.publicGist), notificationFor(s.alice)));
    ok(await as("carol", () => deleteMyComment({ id: c.id })));
    expect(await drain()).toEqual([commentsOf("GIST", s.publicGist)]);
  });

  it("a refused write publishes nothing", async () => {
    failure(await as("bob", () => updateMyComment({ id: s.aliceReply, body: "not mine" })), "FORBIDDEN");
    failure(await as("bob", () => deleteMyComment({ id: s.carolTop })), "FORBIDDEN");
    failure(await as("carol", () => createMyComment({ resource_id: s.draft, resource_type: "ARTICLE", body: "hidden" })), "NOT_FOUND");
    failure(await as("alice", () => createMyComment({ resource_id: s.carolNested, resource_type: "COMMENT", body: "too deep" })), "INVALID_INPUT");
    expect(await drain()).toEqual([]);
  });
});

describe("reactions publish { scope: reactions } naming the reacted resource, on the root's channel", () => {
  const reactionsOf = (channel: string, type: "ARTICLE" | "GIST" | "COMMENT", id: number) =>
    on(channel, { scope: "reactions", ids: { resource_id: id, resource_type: type } });

  it("on the article itself: added (with alice's notification), then removed", async () => {
    const hello = resourceChannel("ARTICLE", s.hello);
    const toggle = () => toggleResourceReaction({ resource_id: s.hello, resource_type: "ARTICLE", reaction_type: "FIRE" });
    expect(ok(await as("carol", toggle))).toEqual({ reacted: true });
    expect(await drain()).toEqual(sorted(reactionsOf(hello, "ARTICLE", s.hello), notificationFor(s.alice)));
    expect(ok(await as("carol", toggle))).toEqual({ reacted: false });
    expect(await drain()).toEqual([reactionsOf(hello, "ARTICLE", s.hello)]);
  });

  it("on a depth-3 comment: the article's channel, with the comment's ids", async () => {
    const toggle = () => toggleResourceReaction({ resource_id: s.carolNested, resource_type: "COMMENT", reaction_type: "HAHA" });
    ok(await as("bob", toggle));
    expect(await drain()).toEqual(sorted(reactionsOf(resourceChannel("ARTICLE", s.hello), "COMMENT", s.carolNested), notificationFor(s.carol)));
    ok(await as("bob", toggle));
    expect(await drain()).toEqual([reactionsOf(resourceChannel("ARTICLE", s.hello), "COMMENT", s.carolNested)]);
  });

  it("on a gist and on a gist's comment: the gist's channel", async () => {
    const gist = resourceChannel("GIST", s.publicGist);
    ok(await as("bob", () => toggleResourceReaction({ resource_id: s.publicGist, resource_type: "GIST", reaction_type: "WOW" })));
    expect(await drain()).toEqual([reactionsOf(gist, "GIST", s.publicGist)]); // bob's own gist: no notification
    ok(await as("alice", () => toggleResourceReaction({ resource_id: s.aliceOnGist, resource_type: "COMMENT", reaction_type: "WOW" })));
    expect(await drain()).toEqual([reactionsOf(gist, "COMMENT", s.aliceOnGist)]);
  });

  it("on a private gist, by its owner: only the private gist's channel", async () => {
    ok(await as("bob", () => toggleResourceReaction({ resource_id: s.privateGist, resource_type: "GIST", reaction_type: "LOVE" })));
    expect(await drain()).toEqual([reactionsOf(resourceChannel("GIST", s.privateGist), "GIST", s.privateGist)]);
    failure(await as("carol", () => toggleResourceReaction({ resource_id: s.privateGist, resource_type: "GIST", reaction_type: "LOVE" })), "NOT_FOUND");
    expect(await drain()).toEqual([]);
  });
});

describe("bookmarks publish { scope: bookmarks } on the user's own channel only", () => {
  it("add and remove", async () => {
    const signal = on(userChannel(s.carol), { scope: "bookmarks", ids: { resource_id: s.hello } });
    expect(ok(await as("carol", () => toggleResourceBookmark({ resource_id: s.hello })))).toEqual({ bookmarked: true });
    expect(await drain()).toEqual([signal]);
    expect(ok(await as("carol", () => toggleResourceBookmark({ resource_id: s.hello })))).toEqual({ bookmarked: false });
    expect(await drain()).toEqual([signal]);
    failure(await as("carol", () => toggleResourceBookmark({ resource_id: s.draft })), "NOT_FOUND");
    expect(await drain()).toEqual([]);
  });
});

describe("article writes publish { scope: dashboard-articles } to the author and { scope: article } to its page", () => {
  const dashboard = () => on(userChannel(s.alice), { scope: "dashboard-articles" });
  const page = (id: number) => on(resourceChannel("ARTICLE", id), { scope: "article", ids: { id } });

  it("create (dashboard only), edit, publish, unpublish, delete", async () => {
    const created = ok(await as("alice", () => createMyArticle({ title: `Live article ${Date.now()}`, body: "b", tags: ["realtime"] })));
    expect(await drain()).toEqual([dashboard()]);
    await observe(resourceChannel("ARTICLE", created.id), "alice"); // alice's own draft page

    ok(await as("alice", () => updateMyArticle({ id: created.id, title: "Renamed" })));
    expect(await drain()).toEqual(sorted(dashboard(), page(created.id)));
    ok(await as("alice", () => setArticlePublished({ id: created.id, published: true })));
    expect(await drain()).toEqual(sorted(dashboard(), page(created.id)));
    ok(await as("alice", () => setArticlePublished({ id: created.id, published: false })));
    expect(await drain()).toEqual(sorted(dashboard(), page(created.id)));
    ok(await as("alice", () => deleteMyArticle({ id: created.id })));
    expect(await drain()).toEqual(sorted(dashboard(), page(created.id)));
    observer.unsubscribe(resourceChannel("ARTICLE", created.id));
    observed.splice(observed.indexOf(resourceChannel("ARTICLE", created.id)), 1);
  });

  it("readers who bookmarked it hear edits, unpublish and delete on their own channels", async () => {
    const created = ok(await as("alice", () => createMyArticle({ title: `Bookmarked ${Date.now()}`, body: "b" })));
    ok(await as("alice", () => setArticlePublished({ id: created.id, published: true })));
    ok(await as("bob", () => toggleResourceBookmark({ resource_id: created.id })));
    ok(await as("carol", () => toggleResourceBookmark({ resource_id: created.id })));
    await drain();
    const bookmarkers = [userChannel(s.bob), userChannel(s.carol)].map((ch) => on(ch, { scope: "bookmarks", ids: { resource_id: created.id } }));

    ok(await as("alice", () => updateMyArticle({ id: created.id, title: "Renamed while bookmarked" })));
    expect(await drain()).toEqual(sorted(dashboard(), ...bookmarkers));
    ok(await as("alice", () => setArticlePublished({ id: created.id, published: false })));
    expect(await drain()).toEqual(sorted(dashboard(), ...bookmarkers));
    ok(await as("alice", () => deleteMyArticle({ id: created.id })));
    expect(await drain()).toEqual(sorted(dashboard(), ...bookmarkers));
  });

  it("a foreign edit is refused and silent", async () => {
    failure(await as("bob", () => updateMyArticle({ id: s.hello, title: "hijack" })), "FORBIDDEN");
    failure(await as("bob", () => setArticlePublished({ id: s.draft, published: true })), "NOT_FOUND");
    expect(await drain()).toEqual([]);
  });
});

describe("a reader who loses access", () => {
  it("hears the unpublish, refetches NOT_FOUND, is refused on resubscribe; until it leaves it hears only ids", async () => {
    const created = ok(await as("alice", () => createMyArticle({ title: `Soon gone ${Date.now()}`, body: "secret words" })));
    ok(await as("alice", () => setArticlePublished({ id: created.id, published: true })));
    await drain();
    const channel = resourceChannel("ARTICLE", created.id);
    const reader = await connectedClient(soketi.app.key, clientOptions(soketi.port, () => null)); // anonymous
    try {
      await subscribed(reader, channel);
      const heard: unknown[] = [];
      reader.channel(channel).bind(INVALIDATE_EVENT, (d: unknown) => heard.push(d));

      const signal = once(reader, channel, INVALIDATE_EVENT);
      ok(await as("alice", () => setArticlePublished({ id: created.id, published: false })));
      expect(await signal).toEqual({ scope: "article", ids: { id: created.id } });

      // The page's refetch: the read path now refuses the anonymous reader, exactly like a missing article.
      resetRequest();
      signOut();
      failure(await getArticle({ username: "alice", handle: created.handle }), "NOT_FOUND");

      // Residual: the broker cannot evict a member, so a client that ignores the signal stays subscribed and keeps
      // hearing signals until it leaves or disconnects. They carry ids only; the words of the article never travel.
      ok(await as("alice", () => updateMyArticle({ id: created.id, body: "more secret words" })));
      await expect.poll(() => heard.length).toBe(2);
      expect(JSON.stringify(heard)).not.toContain("secret");

      // The well-behaved page leaves; any later subscription (a reload, a reconnect) is refused by the auth route.
      reader.unsubscribe(channel);
      const refused = once<{ type: string; error: string }>(reader, channel, "pusher:subscription_error");
      reader.subscribe(channel);
      expect(await refused).toMatchObject({ type: "AuthError", error: expect.stringMatching(/^403 /) });
    } finally {
      reader.disconnect();
    }
    await drain();
  });
});

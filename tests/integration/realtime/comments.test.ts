import { describe, expect, it } from "vitest";
import { createMyComment, deleteMyComment, updateMyComment } from "@/backend/services/comment.action";
import { resourceChannel, userChannel } from "@/backend/realtime/channels";
import { failure, ok } from "../../db/fixtures";
import { on, sorted } from "./listeners";
import { observedApp } from "./observed-app";

/**
 * Comment actions against a real Soketi, observed by a real pusher-js client on every channel of the seeded data:
 * `{ scope: comments }` with the thread root's ids on the root's channel (whatever the depth), the author's
 * notification on their own channel (development mode: in-process, after the response), nothing anywhere else; and
 * the action's result carries the signal for the writer's own tab.
 */
const app = observedApp();

const commentsOf = (type: "ARTICLE" | "GIST", id: string) => on(resourceChannel(type, id), { scope: "comments", ids: { resource_id: id, resource_type: type } });
const notificationFor = (userId: string) => on(userChannel(userId), { scope: "notifications" });

describe("comments publish { scope: comments } on the thread root's channel", () => {
  it("create, reply to a reply, edit and delete on an article", async () => {
    const { s } = app;
    const top = ok(await app.as("bob", () => createMyComment({ resource_id: s.hello, resource_type: "ARTICLE", body: "live top" })));
    // alice is notified; that is the only other signal.
    expect(await app.drain()).toEqual(sorted(commentsOf("ARTICLE", s.hello), notificationFor(s.alice)));

    // aliceReply is itself a reply (depth 2): carol's answer is depth 3 and still reaches the article's channel.
    const deep = ok(await app.as("carol", () => createMyComment({ resource_id: s.aliceReply, resource_type: "COMMENT", body: "deep reply" })));
    expect(deep.depth).toBe(3);
    expect(await app.drain()).toEqual(sorted(commentsOf("ARTICLE", s.hello), notificationFor(s.alice)));

    ok(await app.as("carol", () => updateMyComment({ id: deep.id, body: "deep reply, edited" })));
    expect(await app.drain()).toEqual([commentsOf("ARTICLE", s.hello)]);

    ok(await app.as("carol", () => deleteMyComment({ id: deep.id })));
    expect(await app.drain()).toEqual([commentsOf("ARTICLE", s.hello)]);

    ok(await app.as("bob", () => deleteMyComment({ id: top.id })));
    expect(await app.drain()).toEqual([commentsOf("ARTICLE", s.hello)]);
  });

  it("on a gist, replies included, the gist's channel carries them", async () => {
    const { s } = app;
    const c = ok(await app.as("carol", () => createMyComment({ resource_id: s.aliceOnGist, resource_type: "COMMENT", body: "gist reply" })));
    expect(await app.drain()).toEqual(sorted(commentsOf("GIST", s.publicGist), notificationFor(s.alice)));
    ok(await app.as("carol", () => deleteMyComment({ id: c.id })));
    expect(await app.drain()).toEqual([commentsOf("GIST", s.publicGist)]);
  });

  it("a refused write publishes nothing", async () => {
    const { s } = app;
    failure(await app.as("bob", () => updateMyComment({ id: s.aliceReply, body: "not mine" })), "FORBIDDEN");
    failure(await app.as("bob", () => deleteMyComment({ id: s.carolTop })), "FORBIDDEN");
    failure(await app.as("carol", () => createMyComment({ resource_id: s.draft, resource_type: "ARTICLE", body: "hidden" })), "NOT_FOUND");
    failure(await app.as("alice", () => createMyComment({ resource_id: s.carolNested, resource_type: "COMMENT", body: "too deep" })), "INVALID_INPUT");
    expect(await app.drain()).toEqual([]);
    // The same path carries a permitted write's signal.
    ok(await app.as("alice", () => updateMyComment({ id: s.aliceReply, body: "Yes: every tab holds its own subscription." })));
    expect(await app.drain()).toEqual([commentsOf("ARTICLE", s.hello)]);
  });
});

describe("comment actions return their signals for the writer's own tab", () => {
  it("createMyComment returns the comments signal of the thread root, for a top-level comment and a deep reply alike", async () => {
    const { s } = app;
    const root = { scope: "comments", ids: { resource_id: s.hello, resource_type: "ARTICLE" } };
    const top = await app.as("bob", () => createMyComment({ resource_id: s.hello, resource_type: "ARTICLE", body: "with signals" }));
    expect(top).toMatchObject({ ok: true, signals: [root] });
    const deep = await app.as("carol", () => createMyComment({ resource_id: s.aliceReply, resource_type: "COMMENT", body: "deep, with signals" }));
    expect(deep).toMatchObject({ ok: true, data: { depth: 3 }, signals: [root] });
    // What was returned is also what the other tabs got.
    expect(await app.drain()).toEqual(sorted(commentsOf("ARTICLE", s.hello), commentsOf("ARTICLE", s.hello), notificationFor(s.alice), notificationFor(s.alice)));

    expect(await app.as("carol", () => updateMyComment({ id: ok(deep).id, body: "edited" }))).toMatchObject({ signals: [root] });
    expect(await app.as("carol", () => deleteMyComment({ id: ok(deep).id }))).toMatchObject({ signals: [root] });
    expect(await app.as("bob", () => deleteMyComment({ id: ok(top).id }))).toMatchObject({ signals: [root] });
    await app.drain();
  });

  it("a refused write returns no signals and publishes nothing", async () => {
    const { s } = app;
    const refused = await app.as("bob", () => updateMyComment({ id: s.aliceReply, body: "not mine" }));
    expect(refused).toEqual({ ok: false, error: { code: "FORBIDDEN", message: expect.any(String) } });
    const hidden = await app.as("carol", () => createMyComment({ resource_id: s.draft, resource_type: "ARTICLE", body: "hidden" }));
    expect(hidden).toEqual({ ok: false, error: { code: "NOT_FOUND", message: expect.any(String) } });
    expect(await app.drain()).toEqual([]);
  });
});

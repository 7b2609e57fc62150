import { describe, expect, it } from "vitest";
import { toggleResourceReaction } from "@/backend/services/reaction.actions";
import { resourceChannel, userChannel } from "@/backend/realtime/channels";
import { failure, ok } from "../../db/fixtures";
import { on, sorted } from "./listeners";
import { observedApp } from "./observed-app";

/**
 * Reaction toggles against a real Soketi, observed on every channel of the seeded data: `{ scope: reactions }`
 * naming the reacted resource, on its root's channel; the owner's notification when one is added (not for their
 * own resource, not on removal); nothing anywhere else.
 */
const app = observedApp();

const reactionsOf = (channel: string, type: "ARTICLE" | "GIST" | "COMMENT", id: string) =>
  on(channel, { scope: "reactions", ids: { resource_id: id, resource_type: type } });
const notificationFor = (userId: string) => on(userChannel(userId), { scope: "notifications" });

describe("reactions publish { scope: reactions } naming the reacted resource, on the root's channel", () => {
  it("on the article itself: added (with alice's notification), then removed", async () => {
    const { s } = app;
    const hello = resourceChannel("ARTICLE", s.hello);
    const toggle = () => toggleResourceReaction({ resource_id: s.hello, resource_type: "ARTICLE", reaction_type: "FIRE" });
    const added = await app.as("carol", toggle);
    expect(ok(added)).toEqual({ reacted: true });
    expect(await app.drain()).toEqual(sorted(reactionsOf(hello, "ARTICLE", s.hello), notificationFor(s.alice)));
    const removed = await app.as("carol", toggle);
    expect(ok(removed)).toEqual({ reacted: false });
    expect(await app.drain()).toEqual([reactionsOf(hello, "ARTICLE", s.hello)]);
    // The writer's own tab gets the same signal back.
    expect(added).toMatchObject({ signals: [reactionsOf(hello, "ARTICLE", s.hello).data] });
    expect(removed).toMatchObject({ signals: [reactionsOf(hello, "ARTICLE", s.hello).data] });
  });

  it("on a depth-3 comment: the article's channel, with the comment's ids", async () => {
    const { s } = app;
    const toggle = () => toggleResourceReaction({ resource_id: s.carolNested, resource_type: "COMMENT", reaction_type: "HAHA" });
    ok(await app.as("bob", toggle));
    expect(await app.drain()).toEqual(sorted(reactionsOf(resourceChannel("ARTICLE", s.hello), "COMMENT", s.carolNested), notificationFor(s.carol)));
    ok(await app.as("bob", toggle));
    expect(await app.drain()).toEqual([reactionsOf(resourceChannel("ARTICLE", s.hello), "COMMENT", s.carolNested)]);
  });

  it("on a gist and on a gist's comment: the gist's channel", async () => {
    const { s } = app;
    const gist = resourceChannel("GIST", s.publicGist);
    ok(await app.as("bob", () => toggleResourceReaction({ resource_id: s.publicGist, resource_type: "GIST", reaction_type: "WOW" })));
    expect(await app.drain()).toEqual([reactionsOf(gist, "GIST", s.publicGist)]); // bob's own gist: no notification
    ok(await app.as("alice", () => toggleResourceReaction({ resource_id: s.aliceOnGist, resource_type: "COMMENT", reaction_type: "WOW" })));
    expect(await app.drain()).toEqual([reactionsOf(gist, "COMMENT", s.aliceOnGist)]);
  });

  it("on a private gist, by its owner: only the private gist's channel; a reader who may not see it is refused in silence", async () => {
    const { s } = app;
    ok(await app.as("bob", () => toggleResourceReaction({ resource_id: s.privateGist, resource_type: "GIST", reaction_type: "LOVE" })));
    expect(await app.drain()).toEqual([reactionsOf(resourceChannel("GIST", s.privateGist), "GIST", s.privateGist)]);
    const refused = await app.as("carol", () => toggleResourceReaction({ resource_id: s.privateGist, resource_type: "GIST", reaction_type: "LOVE" }));
    failure(refused, "NOT_FOUND");
    expect(refused).not.toHaveProperty("signals");
    expect(await app.drain()).toEqual([]);
  });
});

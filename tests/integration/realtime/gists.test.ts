import { describe, expect, it } from "vitest";
import { createMyGist, deleteMyGist, getGist, updateMyGist } from "@/backend/services/gist.actions";
import { resourceChannel, userChannel } from "@/backend/realtime/channels";
import { resetRequest } from "../../helpers/next-request";
import { failure, ok } from "../../db/fixtures";
import { connectListener, on, sorted } from "./listeners";
import { observedApp } from "./observed-app";
import { once } from "./pusher-clients";

/**
 * Gist writes against a real Soketi, observed on every channel of the seeded data: the owner's gist list on their
 * own channel, and the gist's page on its resource channel for an existing gist; nothing anywhere else.
 */
const app = observedApp();

const gists = () => on(userChannel(app.s.bob), { scope: "gists" });
const gistPage = (id: string) => on(resourceChannel("GIST", id), { scope: "gist", ids: { id } });

describe("gists", () => {
  it("create signals the owner's gist list only (nobody can be on a new gist's channel)", async () => {
    const created = await app.as("bob", () => createMyGist({ title: "new.ts", is_public: true, files: [{ filename: "a.ts", content: "1" }] }));
    expect(await app.drain()).toEqual([gists()]);
    expect(created).toMatchObject({ ok: true, signals: [gists().data] });
  });

  it("update signals the owner's list and the gist's viewers; turning it private takes their access away", async () => {
    const { s } = app;
    ok(await app.as("bob", () => updateMyGist({ id: s.publicGist, description: "now live" })));
    expect(await app.drain()).toEqual(sorted(gists(), gistPage(s.publicGist)));

    ok(await app.as("bob", () => updateMyGist({ id: s.publicGist, is_public: false })));
    expect(await app.drain()).toEqual(sorted(gists(), gistPage(s.publicGist)));
    // What the signalled viewer's refetch meets, and what a fresh subscription attempt meets.
    resetRequest();
    failure(await getGist({ id: s.publicGist }), "NOT_FOUND");
    const anon = await connectListener(app.soketi, null);
    try {
      const refused = once<{ error?: string; status?: number }>(anon.pusher, resourceChannel("GIST", s.publicGist), "pusher:subscription_error");
      expect(JSON.stringify(await refused)).toMatch(/403/);
    } finally {
      anon.disconnect();
    }
    ok(await app.as("bob", () => updateMyGist({ id: s.publicGist, is_public: true })));
    expect(await app.drain()).toEqual(sorted(gists(), gistPage(s.publicGist)));
  });

  it("delete signals the owner's list and the gist's viewers; nobody else hears anything", async () => {
    const gist = ok(await app.as("bob", () => createMyGist({ title: "doomed", is_public: true, files: [{ filename: "x", content: "" }] })));
    await app.observer.listen(resourceChannel("GIST", gist.id), null); // an anonymous viewer opens it
    await app.drain();
    ok(await app.as("bob", () => deleteMyGist({ id: gist.id })));
    expect(await app.drain()).toEqual(sorted(gists(), gistPage(gist.id)));
    app.observer.forget(resourceChannel("GIST", gist.id));
  });

  it("a refused write publishes nothing and returns no signals", async () => {
    const { s } = app;
    const foreign = await app.as("alice", () => updateMyGist({ id: s.publicGist, title: "hijack" }));
    failure(foreign, "FORBIDDEN");
    expect(foreign).not.toHaveProperty("signals");
    failure(await app.as("alice", () => deleteMyGist({ id: s.privateGist })), "NOT_FOUND");
    expect(await app.drain()).toEqual([]);
    // The owner's own edit on the same gist does reach its viewers.
    ok(await app.as("bob", () => updateMyGist({ id: s.privateGist, description: "Private scratch notes." })));
    expect(await app.drain()).toEqual(sorted(gists(), gistPage(s.privateGist)));
  });
});

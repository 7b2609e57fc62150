import { describe, expect, it } from "vitest";
import { toggleResourceBookmark } from "@/backend/services/bookmark.action";
import { userChannel } from "@/backend/realtime/channels";
import { realtime } from "@/backend/realtime/server";
import { bookmarkSignal } from "@/backend/realtime/signals";
import { capturePublications } from "@/lib/realtime/testing";
import { failure, ok } from "../../db/fixtures";
import { on } from "./listeners";
import { observedApp } from "./observed-app";

/**
 * Bookmark toggles against a real Soketi, observed on every channel of the seeded data: `{ scope: bookmarks }`
 * naming the article, on the user's own channel only (a bookmark is private), and nothing anywhere else.
 */
const app = observedApp();

describe("bookmarks publish { scope: bookmarks } on the user's own channel only", () => {
  it("add and remove; a hidden article is refused in silence", async () => {
    const { s } = app;
    const signal = on(userChannel(s.carol), { scope: "bookmarks", ids: { resource_id: s.hello } });
    const added = await app.as("carol", () => toggleResourceBookmark({ resource_id: s.hello }));
    expect(ok(added)).toEqual({ bookmarked: true });
    expect(added).toMatchObject({ signals: [signal.data] });
    expect(await app.drain()).toEqual([signal]);
    expect(ok(await app.as("carol", () => toggleResourceBookmark({ resource_id: s.hello })))).toEqual({ bookmarked: false });
    expect(await app.drain()).toEqual([signal]);
    const refused = await app.as("carol", () => toggleResourceBookmark({ resource_id: s.draft }));
    failure(refused, "NOT_FOUND");
    expect(refused).not.toHaveProperty("signals");
    expect(await app.drain()).toEqual([]);
  });

  it("captured (@/lib/realtime/testing): the same publication the broker delivers, and nothing reaches the broker", async () => {
    const { s } = app;
    const captured = await capturePublications(realtime, () => app.as("carol", () => toggleResourceBookmark({ resource_id: s.hello })));
    expect(ok(captured.value)).toEqual({ bookmarked: true });
    expect(captured.publications).toEqual([bookmarkSignal(s.carol, s.hello)]);
    expect(captured).toPublishOnlyTo([userChannel(s.carol)]);
    expect(await app.drain()).toEqual([]);
    // Uncaptured, the toggle back is delivered: exactly what the capture recorded.
    ok(await app.as("carol", () => toggleResourceBookmark({ resource_id: s.hello })));
    expect(await app.drain()).toEqual([on(userChannel(s.carol), captured.publications[0].signal)]);
  });
});

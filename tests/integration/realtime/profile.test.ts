import { describe, expect, it } from "vitest";
import { updateMyProfile } from "@/backend/services/user.actions";
import { profileChannel, userChannel } from "@/backend/realtime/channels";
import { ok } from "../../db/fixtures";
import { on, sorted } from "./listeners";
import { observedApp } from "./observed-app";

/**
 * Profile edits against a real Soketi, observed on every channel of the seeded data: the user card on the public
 * profile channel and on the user's own channel; a new name also refreshes their article feed.
 */
const app = observedApp();

describe("user card", () => {
  it("a profile edit signals the card on the public profile and the own channel; a new name also the article feed", async () => {
    const { s } = app;
    const card = { scope: "user", ids: { user_id: s.alice } };
    const renamed = await app.as("alice", () => updateMyProfile({ name: "Alice R.", bio: "bio one" }));
    expect(await app.drain()).toEqual(
      sorted(
        on(profileChannel(s.alice), card),
        on(userChannel(s.alice), card),
        on(profileChannel(s.alice), { scope: "user-article-feed", ids: { user_id: s.alice } }),
      ),
    );
    expect(renamed).toMatchObject({ ok: true, signals: [card, { scope: "user-article-feed", ids: { user_id: s.alice } }] });

    ok(await app.as("alice", () => updateMyProfile({ name: "Alice R.", bio: "bio two" })));
    expect(await app.drain()).toEqual(sorted(on(profileChannel(s.alice), card), on(userChannel(s.alice), card)));
  });
});

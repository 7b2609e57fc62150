import { describe, expect, it } from "vitest";
import { articleFeedSignals, type ArticleSnapshot } from "@/backend/realtime/feed-signals";
import { gistSignals } from "@/backend/realtime/gist-signals";
import { profileSignals } from "@/backend/realtime/profile-signals";
import { sessionSignal } from "@/backend/realtime/session-signals";
import { parseChannel } from "@/lib/realtime/channels";
import { resolveSignal } from "@/lib/realtime/scopes";

const article = (over: Partial<ArticleSnapshot> = {}): ArticleSnapshot => ({
  id: 10,
  author_id: 1,
  published: true,
  tag_ids: [3, 4],
  ...over,
});

const profile = (user_id: number) => ({ channels: [`profile.${user_id}`], signal: { scope: "user-article-feed", ids: { user_id } } });
const tag = (tag_id: number) => ({ channels: [`tag.${tag_id}`], signal: { scope: "tag-articles", ids: { tag_id } } });
const home = { channels: ["feed.articles"], signal: { scope: "article-feed" } };

describe("articleFeedSignals", () => {
  it("is silent for drafts: create, edit, retag and delete of a draft announce nothing publicly", () => {
    const draft = article({ published: false });
    expect(articleFeedSignals(null, draft)).toEqual([]);
    expect(articleFeedSignals(draft, { ...draft, tag_ids: [9] })).toEqual([]);
    expect(articleFeedSignals(draft, null)).toEqual([]);
    expect(articleFeedSignals(null, null)).toEqual([]);
  });

  it("publishing signals the author's profile, each of the article's tags, and the home feed", () => {
    expect(articleFeedSignals(article({ published: false }), article())).toEqual([profile(1), tag(3), tag(4), home]);
  });

  it("unpublishing and deleting a published article signal the feeds it leaves", () => {
    expect(articleFeedSignals(article(), article({ published: false }))).toEqual([profile(1), tag(3), tag(4), home]);
    expect(articleFeedSignals(article(), null)).toEqual([profile(1), tag(3), tag(4), home]);
  });

  it("a tag change on a published article signals old and new tags, each once", () => {
    expect(articleFeedSignals(article({ tag_ids: [4, 3] }), article({ tag_ids: [4, 7] }))).toEqual([
      profile(1),
      tag(3),
      tag(4),
      tag(7),
      home,
    ]);
  });

  it("tags the article had only as a draft are not signalled on publish with other tags", () => {
    expect(articleFeedSignals(article({ published: false, tag_ids: [9] }), article({ tag_ids: [3] }))).toEqual([
      profile(1),
      tag(3),
      home,
    ]);
  });

  it("builds only signals the scope registry accepts on their channel", () => {
    for (const { channels, signal } of [
      ...articleFeedSignals(article(), article({ tag_ids: [5] })),
      ...gistSignals(2, 8),
      ...profileSignals(2, true),
      sessionSignal(2, 77),
    ]) {
      for (const name of channels) expect(resolveSignal(signal, parseChannel(name))).not.toBeNull();
    }
  });
});

describe("other Phase 4 signal builders", () => {
  it("gists: the owner's list always, the gist's page when it existed before", () => {
    expect(gistSignals(2, null)).toEqual([{ channels: ["private-user.2"], signal: { scope: "gists" } }]);
    expect(gistSignals(2, 8)).toEqual([
      { channels: ["private-user.2"], signal: { scope: "gists" } },
      { channels: ["private-resource.GIST.8"], signal: { scope: "gist", ids: { id: 8 } } },
    ]);
  });

  it("profile: the card on the public and the own channel; the article feed only when the name changed", () => {
    const card = { channels: ["profile.2", "private-user.2"], signal: { scope: "user", ids: { user_id: 2 } } };
    expect(profileSignals(2, false)).toEqual([card]);
    expect(profileSignals(2, true)).toEqual([card, profile(2)]);
  });

  it("sessions: on the user's own channel, naming the session", () => {
    expect(sessionSignal(2, 77)).toEqual({ channels: ["private-user.2"], signal: { scope: "sessions", ids: { session_id: 77 } } });
  });
});

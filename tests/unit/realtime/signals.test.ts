import { describe, expect, it } from "vitest";
import { queryKeys } from "@/lib/query-keys";
import { articleFeedChannel, channels, profileChannel, resourceChannel, tagChannel, userChannel } from "@/backend/realtime/channels";
import { scopes, type AppPublication } from "@/backend/realtime/scopes";
import {
  articleChangeSignals,
  articleState,
  bookmarkSignal,
  commentThreadSignal,
  gistSignals,
  notificationsSignal,
  profileSignals,
  reactionSignal,
  sessionSignal,
  type ArticleState,
} from "@/backend/realtime/signals";
import { uuid } from "../../helpers/uuids";

/**
 * The host's signal builders (src/backend/realtime/signals.ts): what each write announces, on which channels. Pure
 * functions over ids; every publication they build must be one the scope registry accepts on each of its channels,
 * which is what a subscriber there (and the publisher's own check) uses.
 */
const ALICE = uuid("alice");
const BOB = uuid("bob");
const CAROL = uuid("carol");
const ARTICLE = uuid("article");
const GIST = uuid("gist");
const COMMENT = uuid("comment");
const [TAG_A, TAG_B, TAG_C, TAG_D] = ["tag-a", "tag-b", "tag-c", "tag-d"].map(uuid);

/** What a subscriber on each channel would invalidate (null: it would ignore the signal there). */
const keysOf = (p: AppPublication) => p.channels.map((name) => scopes.keys(p.signal, channels.parse(name)));

const PUBLIC_KINDS = new Set(["tag", "profile", "feed"]);
/** The part of a list that goes to public channels (profile, tag and home feeds). */
const publicPart = (list: AppPublication[]) => list.filter((p) => p.channels.some((c) => PUBLIC_KINDS.has(channels.parse(c)!.kind)));

const dashboard = (author = ALICE) => ({ channels: [userChannel(author)], signal: { scope: "dashboard-articles" } });
const page = (id = ARTICLE) => ({ channels: [resourceChannel("ARTICLE", id)], signal: { scope: "article", ids: { id } } });
const profileFeed = (user_id: string) => ({ channels: [profileChannel(user_id)], signal: { scope: "user-article-feed", ids: { user_id } } });
const tagFeed = (tag_id: string) => ({ channels: [tagChannel(tag_id)], signal: { scope: "tag-articles", ids: { tag_id } } });
const home = { channels: [articleFeedChannel()], signal: { scope: "article-feed" } };
/** Tag feeds in the builder's fixed (sorted) order. */
const tagFeeds = (...ids: string[]) => [...ids].sort().map(tagFeed);

describe("notifications", () => {
  it("go to the recipient's own channel, and refresh their list and badge", () => {
    const p = notificationsSignal(ALICE);
    expect(p).toEqual({ channels: [`private-user.${ALICE}`], signal: { scope: "notifications" } });
    expect(keysOf(p)).toEqual([[queryKeys.myNotifications(), queryKeys.unreadNotificationCount()]]);
  });
});

describe("comments", () => {
  it("go to the thread root's channel with the root's ids, whatever the depth of the comment", () => {
    const p = commentThreadSignal({ resource_type: "ARTICLE", resource_id: ARTICLE });
    expect(p).toEqual({
      channels: [`private-resource.ARTICLE.${ARTICLE}`],
      signal: { scope: "comments", ids: { resource_id: ARTICLE, resource_type: "ARTICLE" } },
    });
    expect(keysOf(p)).toEqual([[queryKeys.comments(ARTICLE, "ARTICLE")]]);
    expect(commentThreadSignal({ resource_type: "GIST", resource_id: GIST }).channels).toEqual([`private-resource.GIST.${GIST}`]);
  });
});

describe("reactions", () => {
  it("name the reacted resource and travel on the page's (root's) channel", () => {
    const onArticle = reactionSignal({ resource_type: "ARTICLE", resource_id: ARTICLE }, { resource_type: "ARTICLE", resource_id: ARTICLE });
    expect(keysOf(onArticle)).toEqual([[queryKeys.reaction(ARTICLE, "ARTICLE")]]);

    const onComment = reactionSignal({ resource_type: "COMMENT", resource_id: COMMENT }, { resource_type: "GIST", resource_id: GIST });
    expect(onComment).toEqual({
      channels: [`private-resource.GIST.${GIST}`],
      signal: { scope: "reactions", ids: { resource_id: COMMENT, resource_type: "COMMENT" } },
    });
    // Only the comment's counts, not the gist's.
    expect(keysOf(onComment)).toEqual([[queryKeys.reaction(COMMENT, "COMMENT")]]);
  });
});

describe("bookmarks", () => {
  it("stay on the user's own channel and name the article", () => {
    const p = bookmarkSignal(CAROL, ARTICLE);
    expect(p).toEqual({ channels: [`private-user.${CAROL}`], signal: { scope: "bookmarks", ids: { resource_id: ARTICLE } } });
    expect(keysOf(p)).toEqual([[queryKeys.myBookmarks(), queryKeys.bookmarkStatus(ARTICLE)]]);
  });
});

describe("article changes: the author's dashboard, the open page, bookmarkers", () => {
  const draft: ArticleState = { id: ARTICLE, author_id: ALICE, published: false, tag_ids: [TAG_A] };
  const published: ArticleState = { ...draft, published: true };

  it("a create refreshes only the author's dashboard (a new draft has no open page)", () => {
    expect(articleChangeSignals(null, draft)).toEqual([dashboard()]);
  });

  it.each([
    ["an edit", draft, draft],
    ["a publish", draft, published],
    ["an unpublish", published, draft],
    ["a delete", published, null],
  ] as const)("%s refreshes the dashboard and every open page of the article first", (_label, before, after) => {
    const list = articleChangeSignals(before, after);
    expect(list.slice(0, 2)).toEqual([dashboard(), page()]);
    expect(list.slice(0, 2).map(keysOf)).toEqual([[[queryKeys.dashboardArticles()]], [[queryKeys.articlePages()]]]);
  });

  it("readers who bookmarked it hear it on their own channels: one publication, one channel each", () => {
    const list = articleChangeSignals(published, { ...published, tag_ids: [] }, [BOB, CAROL]);
    expect(list.slice(0, 3)).toEqual([
      dashboard(),
      page(),
      { channels: [userChannel(BOB), userChannel(CAROL)], signal: { scope: "bookmarks", ids: { resource_id: ARTICLE } } },
    ]);
    expect(keysOf(list[2])).toEqual([
      [queryKeys.myBookmarks(), queryKeys.bookmarkStatus(ARTICLE)],
      [queryKeys.myBookmarks(), queryKeys.bookmarkStatus(ARTICLE)],
    ]);
    // No bookmarkers, no bookmark publication (not one with an empty channel list).
    expect(articleChangeSignals(published, published, []).some((p) => p.signal.scope === "bookmarks")).toBe(false);
  });

  it("the open-page key is a prefix of the article page's key, and of nothing else", () => {
    const [prefix] = queryKeys.articlePages();
    expect(queryKeys.article("alice", "hello-realtime")[0]).toBe(prefix);
    expect(queryKeys.articleFeed()[0]).not.toBe(prefix);
  });

  it("reads the state from a loaded article", () => {
    expect(articleState({ id: ARTICLE, author: { id: ALICE }, published_at: new Date(), tags: [{ id: TAG_A }, { id: TAG_B }] })).toEqual({
      id: ARTICLE,
      author_id: ALICE,
      published: true,
      tag_ids: [TAG_A, TAG_B],
    });
    expect(articleState({ id: ARTICLE, author: { id: ALICE }, published_at: null, tags: [] }).published).toBe(false);
  });

  it("nothing before and nothing after announces nothing", () => {
    expect(articleChangeSignals(null, null)).toEqual([]);
  });
});

describe("article changes: the public feeds (profile, tags, home), from the published side only", () => {
  const article = (over: Partial<ArticleState> = {}): ArticleState => ({
    id: ARTICLE,
    author_id: ALICE,
    published: true,
    tag_ids: [TAG_A, TAG_B],
    ...over,
  });

  it("is silent for drafts: create, edit, retag and delete of a draft announce nothing publicly", () => {
    const draft = article({ published: false });
    expect(articleChangeSignals(null, draft)).toEqual([dashboard()]);
    expect(articleChangeSignals(draft, { ...draft, tag_ids: [TAG_D] })).toEqual([dashboard(), page()]);
    expect(articleChangeSignals(draft, null)).toEqual([dashboard(), page()]);
    for (const list of [articleChangeSignals(null, draft), articleChangeSignals(draft, draft), articleChangeSignals(draft, null)]) {
      expect(publicPart(list)).toEqual([]);
    }
  });

  it("publishing signals the author's profile, each of the article's tags, and the home feed", () => {
    expect(articleChangeSignals(article({ published: false }), article())).toEqual([
      dashboard(),
      page(),
      profileFeed(ALICE),
      ...tagFeeds(TAG_A, TAG_B),
      home,
    ]);
  });

  it("a published article created at once (no draft before) reaches the feeds, but no page yet", () => {
    expect(articleChangeSignals(null, article())).toEqual([dashboard(), profileFeed(ALICE), ...tagFeeds(TAG_A, TAG_B), home]);
  });

  it("unpublishing and deleting a published article signal the feeds it leaves", () => {
    expect(publicPart(articleChangeSignals(article(), article({ published: false })))).toEqual([profileFeed(ALICE), ...tagFeeds(TAG_A, TAG_B), home]);
    expect(publicPart(articleChangeSignals(article(), null))).toEqual([profileFeed(ALICE), ...tagFeeds(TAG_A, TAG_B), home]);
  });

  it("a tag change on a published article signals old and new tags, each once", () => {
    expect(publicPart(articleChangeSignals(article({ tag_ids: [TAG_B, TAG_A] }), article({ tag_ids: [TAG_B, TAG_C] })))).toEqual([
      profileFeed(ALICE),
      ...tagFeeds(TAG_A, TAG_B, TAG_C),
      home,
    ]);
  });

  it("tags the article had only as a draft are not signalled on publish with other tags", () => {
    expect(publicPart(articleChangeSignals(article({ published: false, tag_ids: [TAG_D] }), article({ tag_ids: [TAG_A] })))).toEqual([
      profileFeed(ALICE),
      tagFeed(TAG_A),
      home,
    ]);
  });

  it("the home feed is the throttled notice scope; the profile and tag feeds are not throttled", () => {
    expect(scopes.spec("article-feed")?.throttleMs).toBeGreaterThan(0);
    expect(scopes.spec("user-article-feed")?.throttleMs).toBeUndefined();
    expect(scopes.spec("tag-articles")?.throttleMs).toBeUndefined();
  });
});

describe("gists, profile, sessions", () => {
  it("gists: the owner's list always, the gist's page when it existed before", () => {
    expect(gistSignals(BOB, null)).toEqual([{ channels: [`private-user.${BOB}`], signal: { scope: "gists" } }]);
    expect(gistSignals(BOB, GIST)).toEqual([
      { channels: [`private-user.${BOB}`], signal: { scope: "gists" } },
      { channels: [`private-resource.GIST.${GIST}`], signal: { scope: "gist", ids: { id: GIST } } },
    ]);
    expect(gistSignals(BOB, GIST).map(keysOf)).toEqual([[[queryKeys.gists()]], [[queryKeys.gist(GIST)]]]);
  });

  it("profile: the card on the public and the own channel; the article feed only when the name changed", () => {
    const card = { channels: [`profile.${BOB}`, `private-user.${BOB}`], signal: { scope: "user", ids: { user_id: BOB } } };
    expect(profileSignals(BOB, false)).toEqual([card]);
    expect(profileSignals(BOB, true)).toEqual([card, profileFeed(BOB)]);
    expect(keysOf(profileSignals(BOB, false)[0])).toEqual([[queryKeys.user(BOB)], [queryKeys.user(BOB)]]);
  });

  it("sessions: on the user's own channel, naming the session", () => {
    const session = uuid("session");
    expect(sessionSignal(BOB, session)).toEqual({ channels: [`private-user.${BOB}`], signal: { scope: "sessions", ids: { session_id: session } } });
    expect(keysOf(sessionSignal(BOB, session))).toEqual([[queryKeys.mySessions(), queryKeys.currentSession()]]);
  });
});

describe("every builder", () => {
  it("builds only publications the scope registry accepts on each of their channels", () => {
    const all: AppPublication[] = [
      notificationsSignal(ALICE),
      commentThreadSignal({ resource_type: "GIST", resource_id: GIST }),
      reactionSignal({ resource_type: "COMMENT", resource_id: COMMENT }, { resource_type: "ARTICLE", resource_id: ARTICLE }),
      bookmarkSignal(CAROL, ARTICLE),
      ...articleChangeSignals(
        { id: ARTICLE, author_id: ALICE, published: true, tag_ids: [TAG_A] },
        { id: ARTICLE, author_id: ALICE, published: true, tag_ids: [TAG_B] },
        [BOB, CAROL],
      ),
      ...gistSignals(BOB, GIST),
      ...profileSignals(BOB, true),
      sessionSignal(BOB, uuid("session")),
    ];
    // Every scope a write can announce is covered by this list.
    expect(new Set(all.map((p) => p.signal.scope))).toEqual(new Set(scopes.names));
    for (const p of all) {
      expect(p.channels.length).toBeGreaterThan(0);
      for (const [i, keys] of keysOf(p).entries()) expect(keys, `${p.signal.scope} on ${p.channels[i]}`).not.toBeNull();
    }
  });

  it("refuses, when building, an id that is not a canonical UUID (a channel name is never made of one)", () => {
    expect(() => notificationsSignal("12")).toThrow(RangeError);
    expect(() => bookmarkSignal(ALICE.toUpperCase(), ARTICLE)).toThrow(RangeError);
    expect(() => commentThreadSignal({ resource_type: "ARTICLE", resource_id: "not-a-uuid" })).toThrow(RangeError);
  });
});

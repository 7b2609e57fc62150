import { afterEach, describe, expect, it } from "vitest";
import { act, cleanup, render } from "@testing-library/react";
import { QueryClient, QueryClientProvider, type QueryKey } from "@tanstack/react-query";
import { queryKeys } from "@/lib/query-keys";
import { resourceChannel, userChannel } from "@/lib/realtime/channels";
import { RealtimeProvider, createImmediateInvalidator, useResourceChannel } from "@/lib/realtime/client";
import { INVALIDATE_EVENT } from "@/lib/realtime/signal";
import { FAKE_CONFIG, createFakePusher } from "./fake-pusher";

/**
 * Signals go through the real RealtimeProvider (real registry, real dispatch, real scope table); only pusher-js is
 * replaced. A QueryClient holds many cached queries, all valid; after one signal exactly the scope's keys are
 * invalidated and every other query is untouched.
 */
const USER = 5;
const ARTICLE = 7;
const GIST = 3;

const CACHED: Record<string, QueryKey> = {
  comments7: queryKeys.comments(ARTICLE, "ARTICLE"),
  comments8: queryKeys.comments(8, "ARTICLE"),
  commentsGist: queryKeys.comments(GIST, "GIST"),
  reactionArticle: queryKeys.reaction(ARTICLE, "ARTICLE"),
  reactionComment44: queryKeys.reaction(44, "COMMENT"),
  reactionComment45: queryKeys.reaction(45, "COMMENT"),
  reactionGist: queryKeys.reaction(GIST, "GIST"),
  bookmark7: queryKeys.bookmarkStatus(ARTICLE),
  bookmark8: queryKeys.bookmarkStatus(8),
  myBookmarks: queryKeys.myBookmarks(),
  dashboard: queryKeys.dashboardArticles(),
  articlePage: queryKeys.article("alice", "hello-realtime"),
  articleFeed: queryKeys.articleFeed(),
  userFeed: queryKeys.userArticleFeed(USER),
  notifications: queryKeys.myNotifications(),
  unread: queryKeys.unreadNotificationCount(),
  gist: queryKeys.gist(GIST),
  gists: queryKeys.gists(),
};

function Page() {
  useResourceChannel("ARTICLE", ARTICLE);
  useResourceChannel("GIST", GIST);
  return null;
}

function setup() {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
  for (const key of Object.values(CACHED)) queryClient.setQueryData(key, { cached: true });
  const fake = createFakePusher();
  render(
    <QueryClientProvider client={queryClient}>
      {/* Immediate: this test is about which keys, not when (the coalescing policy has its own tests). */}
      <RealtimeProvider config={FAKE_CONFIG} userId={USER} createPusher={fake.factory} createInvalidator={createImmediateInvalidator}>
        <Page />
      </RealtimeProvider>
    </QueryClientProvider>,
  );
  const invalidated = () =>
    Object.entries(CACHED)
      .filter(([, key]) => queryClient.getQueryState(key)?.isInvalidated)
      .map(([name]) => name)
      .sort();
  const send = (channel: string, signal: unknown) => act(() => fake.emit(channel, INVALIDATE_EVENT, signal));
  return { fake, invalidated, send };
}

afterEach(() => cleanup());

const user = userChannel(USER);
const article = resourceChannel("ARTICLE", ARTICLE);
const gist = resourceChannel("GIST", GIST);

describe("each Phase 2/3 scope invalidates exactly its keys", () => {
  it.each([
    ["comments on the article", article, { scope: "comments", ids: { resource_id: ARTICLE, resource_type: "ARTICLE" } }, ["comments7"]],
    ["comments on the gist", gist, { scope: "comments", ids: { resource_id: GIST, resource_type: "GIST" } }, ["commentsGist"]],
    ["reactions on the article", article, { scope: "reactions", ids: { resource_id: ARTICLE, resource_type: "ARTICLE" } }, ["reactionArticle"]],
    ["reactions on a comment of the article", article, { scope: "reactions", ids: { resource_id: 44, resource_type: "COMMENT" } }, ["reactionComment44"]],
    ["reactions on the gist", gist, { scope: "reactions", ids: { resource_id: GIST, resource_type: "GIST" } }, ["reactionGist"]],
    ["a bookmark toggle", user, { scope: "bookmarks", ids: { resource_id: ARTICLE } }, ["bookmark7", "myBookmarks"]],
    ["dashboard articles", user, { scope: "dashboard-articles" }, ["dashboard"]],
    ["an article edit/unpublish/delete", article, { scope: "article", ids: { id: ARTICLE } }, ["articlePage"]],
  ] as const)("%s", async (_label, channel, signal, expected) => {
    const { fake, invalidated, send } = setup();
    expect(fake.subscribed().sort()).toEqual([article, gist, user].sort());
    await send(channel, signal);
    expect(invalidated()).toEqual([...expected].sort());
  });
});

describe("signals that must not invalidate anything", () => {
  it.each([
    ["a resource scope on the user channel", user, { scope: "comments", ids: { resource_id: ARTICLE, resource_type: "ARTICLE" } }],
    ["a user scope on a resource channel", article, { scope: "bookmarks", ids: { resource_id: ARTICLE } }],
    ["dashboard articles on a resource channel", article, { scope: "dashboard-articles" }],
    ["comments without ids", article, { scope: "comments" }],
    ["comments naming a COMMENT root", article, { scope: "comments", ids: { resource_id: 44, resource_type: "COMMENT" } }],
    ["an unknown scope", article, { scope: "everything" }],
    ["content instead of ids", article, { scope: "comments", ids: { resource_id: ARTICLE, resource_type: "ARTICLE" }, body: "hi" }],
    ["a channel nobody joined", resourceChannel("ARTICLE", 8), { scope: "comments", ids: { resource_id: 8, resource_type: "ARTICLE" } }],
  ] as const)("%s", async (_label, channel, signal) => {
    const { invalidated, send } = setup();
    await send(channel, signal);
    expect(invalidated()).toEqual([]);
  });
});

import { expect } from "vitest";
import { act } from "@testing-library/react";
import type { QueryKey } from "@tanstack/react-query";
import { INVALIDATE_EVENT, noticeKey } from "@/lib/realtime";
import { createImmediateInvalidator, useRealtimeChannel, type RealtimeClientConfig } from "@/lib/realtime/client";
import { articleFeedChannel, profileChannel, resourceChannel, tagChannel, userChannel } from "@/backend/realtime/channels";
import { queryKeys } from "@/lib/query-keys";
import { uuid } from "../../helpers/uuids";
import { newQueryClient, renderApp } from "./app";
import { FAKE_CONFIG, createFakePusher } from "./fake-pusher";

/** Ids of the cached tab below: one of each thing, and a sibling that no signal about the first may touch. */
export const ids = {
  user: uuid("cache:user"),
  otherUser: uuid("cache:other-user"),
  article: uuid("cache:article"),
  otherArticle: uuid("cache:other-article"),
  gist: uuid("cache:gist"),
  otherGist: uuid("cache:other-gist"),
  comment: uuid("cache:comment"),
  otherComment: uuid("cache:other-comment"),
  tag: uuid("cache:tag"),
  otherTag: uuid("cache:other-tag"),
  session: uuid("cache:session"),
};

/** The channels the tab holds: its user channel, and one of every other kind. */
export const held = {
  user: userChannel(ids.user),
  article: resourceChannel("ARTICLE", ids.article),
  gist: resourceChannel("GIST", ids.gist),
  tag: tagChannel(ids.tag),
  profile: profileChannel(ids.user),
  feed: articleFeedChannel(),
};

/** Every query the tab has cached, by a short name. */
export const CACHED: Record<string, QueryKey> = {
  comments: queryKeys.comments(ids.article, "ARTICLE"),
  otherComments: queryKeys.comments(ids.otherArticle, "ARTICLE"),
  gistComments: queryKeys.comments(ids.gist, "GIST"),
  articleReactions: queryKeys.reaction(ids.article, "ARTICLE"),
  commentReactions: queryKeys.reaction(ids.comment, "COMMENT"),
  otherCommentReactions: queryKeys.reaction(ids.otherComment, "COMMENT"),
  gistReactions: queryKeys.reaction(ids.gist, "GIST"),
  bookmarkButton: queryKeys.bookmarkStatus(ids.article),
  otherBookmarkButton: queryKeys.bookmarkStatus(ids.otherArticle),
  myBookmarks: queryKeys.myBookmarks(),
  dashboard: queryKeys.dashboardArticles(),
  articlePage: queryKeys.article("alice", "hello-realtime"),
  homeFeed: queryKeys.articleFeed(),
  homeFeedNotice: noticeKey("article-feed"),
  userFeed: queryKeys.userArticleFeed(ids.user),
  otherUserFeed: queryKeys.userArticleFeed(ids.otherUser),
  tagFeed: queryKeys.tagArticles(ids.tag),
  otherTagFeed: queryKeys.tagArticles(ids.otherTag),
  notifications: queryKeys.myNotifications(),
  unread: queryKeys.unreadNotificationCount(),
  gist: queryKeys.gist(ids.gist),
  otherGist: queryKeys.gist(ids.otherGist),
  gists: queryKeys.gists(),
  sessions: queryKeys.mySessions(),
  currentSession: queryKeys.currentSession(),
  userCard: queryKeys.user(ids.user),
  otherUserCard: queryKeys.user(ids.otherUser),
};

function Join({ channels }: { channels: string[] }) {
  return channels.map((name) => <Channel key={name} name={name} />);
}

function Channel({ name }: { name: string }) {
  useRealtimeChannel(name);
  return null;
}

/**
 * A tab whose cache holds every query above, all valid, on the real provider (real channel registry, real
 * dispatch, the app's scope registry) with pusher-js replaced and the immediate invalidator: these tests are about
 * which keys a signal reaches, not when (the coalescing policy has its own tests).
 */
export function renderScopeCache({ config = FAKE_CONFIG }: { config?: RealtimeClientConfig } = {}) {
  const queryClient = newQueryClient();
  const fake = createFakePusher();
  const fill = () => {
    for (const key of Object.values(CACHED)) queryClient.setQueryData(key, { cached: true });
  };
  fill();
  renderApp(<Join channels={[held.article, held.gist, held.tag, held.profile, held.feed]} />, {
    config,
    userId: ids.user,
    createPusher: fake.factory,
    createInvalidator: createImmediateInvalidator,
    queryClient,
  });
  // The precondition of every row: the tab holds exactly these channels.
  expect(fake.subscribed().sort()).toEqual(Object.values(held).sort());
  const invalidated = () =>
    Object.entries(CACHED)
      .filter(([, key]) => queryClient.getQueryState(key)?.isInvalidated)
      .map(([name]) => name)
      .sort();
  const send = (channel: string, signal: unknown) => act(() => fake.emit(channel, INVALIDATE_EVENT, signal));
  return {
    fake,
    send,
    /** Delivers one signal and names the cached queries it invalidated (sorted); all are valid again afterwards. */
    async invalidatedBy(channel: string, signal: unknown) {
      await send(channel, signal);
      const names = invalidated();
      fill();
      return names;
    },
  };
}

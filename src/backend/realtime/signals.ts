/**
 * What each write announces: the publications (a signal and its channels) that server actions and the Inngest
 * notification step hand to publishInvalidate. Content never travels, only ids; who may hear a channel is the
 * channel policy's business. Pure functions over ids, so each write's announcement is tested without a broker.
 */
import type { ResourceType, RootResourceType } from "@/lib/resource-types";
import { articleFeedChannel, profileChannel, resourceChannel, tagChannel, userChannel } from "./channels";
import type { AppPublication } from "./scopes";

/** A thread's root: the article or gist whose channel carries everything said under it. */
export type ThreadRoot = { resource_type: RootResourceType; resource_id: string };

/** A user's notifications changed (a new row, or rows marked read): their badge and list refetch on every tab. */
export function notificationsSignal(userId: string): AppPublication {
  return { channels: [userChannel(userId)], signal: { scope: "notifications" } };
}

/**
 * Any change in a thread (a comment, a reply at any depth, an edit, a delete) refetches the root's one comments
 * query, so it travels on the root's channel with the root's ids: a reply to a reply still reaches the article page.
 */
export function commentThreadSignal(root: ThreadRoot): AppPublication {
  return {
    channels: [resourceChannel(root.resource_type, root.resource_id)],
    signal: { scope: "comments", ids: { resource_id: root.resource_id, resource_type: root.resource_type } },
  };
}

/**
 * A reaction changes the counts of the reacted resource only. It travels on the channel of the page that shows it
 * (the root: the article or gist itself, or a comment's thread root) and names the reacted resource, so the page
 * refetches that one `["reaction", id, type]` query and none of its siblings.
 */
export function reactionSignal(target: { resource_type: ResourceType; resource_id: string }, root: ThreadRoot): AppPublication {
  return {
    channels: [resourceChannel(root.resource_type, root.resource_id)],
    signal: { scope: "reactions", ids: { resource_id: target.resource_id, resource_type: target.resource_type } },
  };
}

/** Bookmarks are private: only the user's own tabs and devices hear about them (button and bookmarks page). */
export function bookmarkSignal(userId: string, articleId: string): AppPublication {
  return { channels: [userChannel(userId)], signal: { scope: "bookmarks", ids: { resource_id: articleId } } };
}

/** What an article write changed, as far as who sees it goes; null before a create and after a delete. */
export type ArticleState = { id: string; author_id: string; published: boolean; tag_ids: readonly string[] };

/** The state of a loaded article (detail or summary). */
export function articleState(article: {
  id: string;
  author: { id: string };
  published_at: Date | null;
  tags: readonly { id: string }[];
}): ArticleState {
  return { id: article.id, author_id: article.author.id, published: article.published_at !== null, tag_ids: article.tags.map((t) => t.id) };
}

const unique = (ids: readonly string[]) => [...new Set(ids)].sort();

/**
 * Everything one committed article write announces:
 * - the author's other tabs refresh their dashboard list;
 * - an open page of the article refetches itself, which is also how a reader learns that an unpublish or delete
 *   took their access away (the refetch answers NOT_FOUND and the page leaves the channel); a brand-new draft has
 *   no open page yet, so nobody is on its channel;
 * - readers who bookmarked it see it on their bookmarks page (title, excerpt, or gone): one signal, their channels;
 * - the public feeds, from the published side only (a draft is nobody's business on a public channel, so draft ->
 *   draft announces nothing, and a tag the article had only as a draft is not signalled): the author's profile,
 *   every tag it had or has (an article leaving a tag must leave that tag's page too), and the home feed, whose
 *   scope is throttled by the publisher.
 */
export function articleChangeSignals(
  before: ArticleState | null,
  after: ArticleState | null,
  bookmarkers: readonly string[] = [],
): AppPublication[] {
  const state = after ?? before;
  if (!state) return [];
  const list: AppPublication[] = [{ channels: [userChannel(state.author_id)], signal: { scope: "dashboard-articles" } }];
  if (before) list.push({ channels: [resourceChannel("ARTICLE", state.id)], signal: { scope: "article", ids: { id: state.id } } });
  if (bookmarkers.length > 0) {
    list.push({ channels: bookmarkers.map(userChannel), signal: { scope: "bookmarks", ids: { resource_id: state.id } } });
  }
  const visible = [before, after].filter((s): s is ArticleState => s !== null && s.published);
  if (visible.length === 0) return list;
  for (const user_id of unique(visible.map((s) => s.author_id))) {
    list.push({ channels: [profileChannel(user_id)], signal: { scope: "user-article-feed", ids: { user_id } } });
  }
  for (const tag_id of unique(visible.flatMap((s) => s.tag_ids))) {
    list.push({ channels: [tagChannel(tag_id)], signal: { scope: "tag-articles", ids: { tag_id } } });
  }
  list.push({ channels: [articleFeedChannel()], signal: { scope: "article-feed" } });
  return list;
}

/**
 * A gist write refreshes the owner's gist list on their other tabs and devices, and (for an existing gist) every
 * open page of it: that refetch is also how a viewer learns that the gist turned private or was deleted (it answers
 * NOT_FOUND, the page says so and leaves the channel). A new gist has no page open yet: the auth route refuses an
 * unknown id, so nobody can be on its channel.
 */
export function gistSignals(ownerId: string, changedGistId: string | null): AppPublication[] {
  const list: AppPublication = { channels: [userChannel(ownerId)], signal: { scope: "gists" } };
  if (changedGistId === null) return [list];
  return [list, { channels: [resourceChannel("GIST", changedGistId)], signal: { scope: "gist", ids: { id: changedGistId } } }];
}

/**
 * A profile edit refreshes the user card for profile visitors (public channel) and for the user's own other tabs
 * (their settings form). A new name also shows on each card of their article feed, so that refetches too.
 */
export function profileSignals(userId: string, nameChanged: boolean): AppPublication[] {
  const card: AppPublication = { channels: [profileChannel(userId), userChannel(userId)], signal: { scope: "user", ids: { user_id: userId } } };
  if (!nameChanged) return [card];
  return [card, { channels: [profileChannel(userId)], signal: { scope: "user-article-feed", ids: { user_id: userId } } }];
}

/**
 * A sign-in or a revocation, on the user's own channel: every device refreshes its sessions list and re-checks its
 * own session, and the device whose session it was signs itself out (SessionWatcher).
 */
export function sessionSignal(userId: string, sessionId: string): AppPublication {
  return { channels: [userChannel(userId)], signal: { scope: "sessions", ids: { session_id: sessionId } } };
}

/**
 * The scope registry: every live resource of the app, and the TanStack query keys (src/lib/query-keys.ts) its
 * signal refreshes. The publisher checks signals against it, every tab maps received signals to keys with it, the
 * writer's own tab applies its action's signals with it, and a resync after missed signals derives from it. Adding
 * a live resource starts with one entry here (docs/adding-a-live-resource.md). Isomorphic.
 */
import { z } from "zod";
import { defineScopes, noticeKey, scope, type RegistryPublication, type RegistrySignal } from "@/lib/realtime";
import { UUID_PATTERN } from "@/lib/ids";
import { queryKeys } from "@/lib/query-keys";
import { RESOURCE_TYPES, ROOT_RESOURCE_TYPES } from "@/lib/resource-types";
import { channels } from "./channels";

const id = z.string().regex(UUID_PATTERN, "must be a lowercase UUID");
const none = z.object({});

/** A few seconds: a new article shows up as a pill quickly, and a burst of writes costs one signal per window. */
export const HOME_FEED_WINDOW_MS = 5_000;

export const scopes = defineScopes(channels, {
  notifications: scope({
    carriedBy: ["user"],
    ids: none,
    keys: () => [queryKeys.myNotifications(), queryKeys.unreadNotificationCount()],
  }),
  // Any change in a thread (a reply at any depth, an edit, a delete) refetches the root's one comments query.
  comments: scope({
    carriedBy: ["resource"],
    ids: z.object({ resource_id: id, resource_type: z.enum(ROOT_RESOURCE_TYPES) }),
    keys: ({ resource_id, resource_type }) => [queryKeys.comments(resource_id, resource_type)],
    fromChannel: { resource_id: "id", resource_type: "type" },
  }),
  // An open article page (edit, unpublish, delete). Its key is by URL, which a signal does not carry, so this
  // refetches the article page(s) of the receiving tab: one at most, and others cached only turn stale.
  article: scope({
    carriedBy: ["resource"],
    ids: z.object({ id }),
    keys: () => [queryKeys.articlePages()],
  }),
  // Reactions on a comment travel on its thread's root channel; the ids name the reacted resource itself, so a
  // resync (which cannot know which comments) refreshes every reaction count on the page.
  reactions: scope({
    carriedBy: ["resource"],
    ids: z.object({ resource_id: id, resource_type: z.enum(RESOURCE_TYPES) }),
    keys: ({ resource_id, resource_type }) => [queryKeys.reaction(resource_id, resource_type)],
  }),
  // The bookmarks page and, when the article is named, its bookmark button (a resync refreshes every button).
  bookmarks: scope({
    carriedBy: ["user"],
    ids: z.object({ resource_id: id.optional() }),
    keys: ({ resource_id }) => [queryKeys.myBookmarks(), ...(resource_id === undefined ? [] : [queryKeys.bookmarkStatus(resource_id)])],
  }),
  "dashboard-articles": scope({
    carriedBy: ["user"],
    ids: none,
    keys: () => [queryKeys.dashboardArticles()],
  }),
  gists: scope({
    carriedBy: ["user"],
    ids: none,
    keys: () => [queryKeys.gists()],
  }),
  gist: scope({
    carriedBy: ["resource"],
    ids: z.object({ id }),
    keys: ({ id }) => [queryKeys.gist(id)],
    fromChannel: { id: "id" },
  }),
  "user-article-feed": scope({
    carriedBy: ["profile"],
    ids: z.object({ user_id: id }),
    keys: ({ user_id }) => [queryKeys.userArticleFeed(user_id)],
    fromChannel: { user_id: "userId" },
  }),
  "tag-articles": scope({
    carriedBy: ["tag"],
    ids: z.object({ tag_id: id }),
    keys: ({ tag_id }) => [queryKeys.tagArticles(tag_id)],
    fromChannel: { tag_id: "tagId" },
  }),
  // A sign-in or a revocation. Every device of the user re-asks whether its own session is still valid (the
  // current-session query, read by SessionWatcher); the one whose session is gone signs itself out. session_id
  // names the session for logs and tests; the verdict comes from the server, never from the signal.
  sessions: scope({
    carriedBy: ["user"],
    ids: z.object({ session_id: id.optional() }),
    keys: () => [queryKeys.mySessions(), queryKeys.currentSession()],
  }),
  user: scope({
    carriedBy: ["user", "profile"],
    ids: z.object({ user_id: id }),
    keys: ({ user_id }) => [queryKeys.user(user_id)],
    fromChannel: { user_id: "userId" },
  }),
  // The home feed is public and very wide: its signal (at most one per window, per server process) only raises a
  // local notice, the "New articles" pill; each visitor refetches when they click it. No resync: after a gap
  // nothing says whether articles arrived, and a pill on every reconnect or offline poll would be noise.
  "article-feed": scope({
    carriedBy: ["feed"],
    ids: none,
    keys: () => [noticeKey("article-feed")],
    resync: false,
    throttleMs: HOME_FEED_WINDOW_MS,
  }),
});

/** What a write announces: one signal of this registry and the channels it goes to. */
export type AppPublication = RegistryPublication<typeof scopes>;
export type AppSignal = RegistrySignal<typeof scopes>;

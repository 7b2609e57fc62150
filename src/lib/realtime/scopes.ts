/**
 * The scope registry: for each scope, the channel kinds that may carry it, the ids its signal must name, and the
 * TanStack query keys it invalidates. Publisher and subscriber both read this one table, so a new live resource
 * is one entry here. Isomorphic: no server imports.
 */
import { z } from "zod";
import type { QueryKey } from "@tanstack/react-query";
import { queryKeys } from "@/lib/query-keys";
import { RESOURCE_TYPES, ROOT_RESOURCE_TYPES } from "@/lib/resource-types";
import { UUID_PATTERN, type ChannelKind, type ParsedChannel } from "./channels";
import { noticeKey } from "./notices";
import type { Signal } from "./signal";

const id = z.string().regex(UUID_PATTERN);
const none = z.object({});

type ScopeDef<Ids extends z.ZodType> = {
  carriedBy: readonly ChannelKind[];
  ids: Ids;
  keys: (ids: z.output<Ids>) => readonly QueryKey[];
  /** Keys to refresh for this scope on a channel after signals may have been missed (no ids available then). */
  resync?: (channel: ParsedChannel) => readonly QueryKey[];
};

const scope = <Ids extends z.ZodType>(def: ScopeDef<Ids>) => def;

export const SCOPES = {
  notifications: scope({
    carriedBy: ["user"],
    ids: none,
    keys: () => [queryKeys.myNotifications(), queryKeys.unreadNotificationCount()],
    resync: () => [queryKeys.myNotifications(), queryKeys.unreadNotificationCount()],
  }),
  comments: scope({
    carriedBy: ["resource"],
    ids: z.object({ resource_id: id, resource_type: z.enum(ROOT_RESOURCE_TYPES) }),
    keys: ({ resource_id, resource_type }) => [queryKeys.comments(resource_id, resource_type)],
    resync: (ch) => (ch.kind === "resource" ? [queryKeys.comments(ch.resourceId, ch.resourceType)] : []),
  }),
  // An open article page (edit, unpublish, delete). Its key is by URL, which a signal does not carry, so this
  // refetches the article page(s) of the receiving tab: one at most, and others cached only turn stale.
  article: scope({
    carriedBy: ["resource"],
    ids: z.object({ id }),
    keys: () => [queryKeys.articlePages()],
    resync: (ch) => (ch.kind === "resource" && ch.resourceType === "ARTICLE" ? [queryKeys.articlePages()] : []),
  }),
  // Reactions on a comment travel on its thread's root channel; the ids name the comment itself.
  reactions: scope({
    carriedBy: ["resource"],
    ids: z.object({ resource_id: id, resource_type: z.enum(RESOURCE_TYPES) }),
    keys: ({ resource_id, resource_type }) => [queryKeys.reaction(resource_id, resource_type)],
    resync: (ch) => (ch.kind === "resource" ? [queryKeys.reaction(ch.resourceId, ch.resourceType)] : []),
  }),
  bookmarks: scope({
    carriedBy: ["user"],
    ids: z.object({ resource_id: id.optional() }),
    keys: ({ resource_id }) => [
      queryKeys.myBookmarks(),
      ...(resource_id === undefined ? [] : [queryKeys.bookmarkStatus(resource_id)]),
    ],
    resync: () => [queryKeys.myBookmarks()],
  }),
  "dashboard-articles": scope({
    carriedBy: ["user"],
    ids: none,
    keys: () => [queryKeys.dashboardArticles()],
    resync: () => [queryKeys.dashboardArticles()],
  }),
  gists: scope({
    carriedBy: ["user"],
    ids: none,
    keys: () => [queryKeys.gists()],
    resync: () => [queryKeys.gists()],
  }),
  gist: scope({
    carriedBy: ["resource"],
    ids: z.object({ id }),
    keys: ({ id }) => [queryKeys.gist(id)],
    resync: (ch) => (ch.kind === "resource" && ch.resourceType === "GIST" ? [queryKeys.gist(ch.resourceId)] : []),
  }),
  "user-article-feed": scope({
    carriedBy: ["profile"],
    ids: z.object({ user_id: id }),
    keys: ({ user_id }) => [queryKeys.userArticleFeed(user_id)],
    resync: (ch) => (ch.kind === "profile" ? [queryKeys.userArticleFeed(ch.userId)] : []),
  }),
  "tag-articles": scope({
    carriedBy: ["tag"],
    ids: z.object({ tag_id: id }),
    keys: ({ tag_id }) => [queryKeys.tagArticles(tag_id)],
    resync: (ch) => (ch.kind === "tag" ? [queryKeys.tagArticles(ch.tagId)] : []),
  }),
  // A sign-in or a revocation. Every device of the user re-asks whether its own session is still valid (the
  // current-session query, read by SessionWatcher); the one whose session is gone signs itself out. session_id
  // names the session for logs and tests; the verdict comes from the server, never from the signal.
  sessions: scope({
    carriedBy: ["user"],
    ids: z.object({ session_id: id.optional() }),
    keys: () => [queryKeys.mySessions(), queryKeys.currentSession()],
    resync: () => [queryKeys.mySessions(), queryKeys.currentSession()],
  }),
  user: scope({
    carriedBy: ["user", "profile"],
    ids: z.object({ user_id: id }),
    keys: ({ user_id }) => [queryKeys.user(user_id)],
    resync: (ch) => (ch.kind === "user" || ch.kind === "profile" ? [queryKeys.user(ch.userId)] : []),
  }),
  // The home feed is public and very wide, so its signal (at most one per throttle window, server-side) only raises
  // a local notice, the "New articles" pill; each visitor refetches when they click it. No resync: after a gap
  // nothing says whether articles arrived, and a pill on every reconnect or offline poll would be noise.
  "article-feed": scope({
    carriedBy: ["feed"],
    ids: none,
    keys: () => [noticeKey("article-feed")],
  }),
} as const;

export type Scope = keyof typeof SCOPES;
type RequiredKeys<T> = { [K in keyof T]-?: Record<never, never> extends Pick<T, K> ? never : K }[keyof T];
export type ScopeIds<S extends Scope> = z.input<(typeof SCOPES)[S]["ids"]>;
export const SCOPE_NAMES = Object.keys(SCOPES) as Scope[];

/** A signal typed per scope, for publishers: `{ scope: "comments", ids: { resource_id, resource_type } }`. */
export type InvalidateSignal = {
  // ids may be left out only when the scope requires none.
  [S in Scope]: [RequiredKeys<ScopeIds<S>>] extends [never]
    ? { scope: S; ids?: ScopeIds<S> }
    : { scope: S; ids: ScopeIds<S> };
}[Scope];

export function isScope(name: string): name is Scope {
  return Object.hasOwn(SCOPES, name);
}

export function scopeCarriedBy(scope: Scope, kind: ChannelKind): boolean {
  return SCOPES[scope].carriedBy.includes(kind);
}

/**
 * The query keys a signal invalidates, or null when its scope is unknown, its ids are missing or wrong, or (given a
 * channel) that channel kind does not carry the scope.
 */
export function resolveSignal(signal: Signal, channel?: ParsedChannel | null): readonly QueryKey[] | null {
  if (!isScope(signal.scope)) return null;
  const def = SCOPES[signal.scope] as ScopeDef<z.ZodType<Record<string, unknown>>>;
  if (channel && !def.carriedBy.includes(channel.kind)) return null;
  const ids = def.ids.safeParse(signal.ids ?? {});
  return ids.success ? def.keys(ids.data) : null;
}

/** Every key a channel's scopes cover, for refreshing after a gap in delivery. */
export function resyncKeys(channel: ParsedChannel): readonly QueryKey[] {
  return SCOPE_NAMES.flatMap((name) => {
    const def = SCOPES[name] as ScopeDef<z.ZodType>;
    return def.carriedBy.includes(channel.kind) && def.resync ? def.resync(channel) : [];
  });
}

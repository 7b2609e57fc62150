/**
 * TechDiary's TanStack Query keys, defined once: pages build their queries from these, and the realtime
 * scope registry invalidates by the same builders, so a renamed key cannot silently break live updates.
 */
import type { ResourceType } from "@/lib/resource-types";

export const queryKeys = {
  articleFeed: () => ["article-feed"] as const,
  article: (username: string, handle: string) => ["article", username, handle] as const,
  /** Prefix of every article(username, handle) key: a content-free signal knows the article's id, not its URL. */
  articlePages: () => ["article"] as const,
  userArticleFeed: (userId: string) => ["user-article-feed", userId] as const,
  tagArticles: (tagId: string) => ["tag-articles", tagId] as const,
  comments: (resourceId: string, resourceType: ResourceType) => ["comments", resourceId, resourceType] as const,
  reaction: (resourceId: string, resourceType: ResourceType) => ["reaction", resourceId, resourceType] as const,
  bookmarkStatus: (resourceId: string) => ["bookmark-status", resourceId] as const,
  myBookmarks: () => ["my-bookmarks"] as const,
  dashboardArticles: () => ["dashboard-articles"] as const,
  myNotifications: () => ["my-notifications"] as const,
  unreadNotificationCount: () => ["unread-notification-count"] as const,
  mySessions: () => ["mySessions"] as const,
  /** Whether this device's own session is still valid (SessionWatcher); refreshed by the sessions scope. */
  currentSession: () => ["current-session"] as const,
  gists: () => ["gists"] as const,
  gist: (id: string) => ["gist", id] as const,
  user: (userId: string) => ["user", userId] as const,
} as const;

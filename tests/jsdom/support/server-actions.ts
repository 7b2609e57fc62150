import { vi, type Mock } from "vitest";

/**
 * Stand-ins for every server action the components call, and for next/navigation's router: jsdom has no server
 * (a real action would reach for the database), so tests/helpers/setup-jsdom.ts replaces the action modules with
 * these for every jsdom test file and resets them before each test (a reset mock answers undefined). A test sets
 * what the actions answer: `actions.getComments.mockResolvedValue(ok([...]))`. A mutation's action answers
 * `ok(data, [signals])` where the real one publishes (see tests/jsdom/support/fixtures.ts), so the writer's own tab
 * (useServerAction) has something to apply.
 */
function mocks<const Names extends readonly string[]>(...names: Names): { [K in Names[number]]: Mock } {
  return Object.fromEntries(names.map((name) => [name, vi.fn()])) as { [K in Names[number]]: Mock };
}

/** One object per action module, with exactly the functions the real module exports (checked below). */
export const actionModules = {
  article: mocks(
    "articleFeed",
    "userArticleFeed",
    "tagArticles",
    "getTag",
    "getArticle",
    "myArticles",
    "createMyArticle",
    "updateMyArticle",
    "setArticlePublished",
    "deleteMyArticle",
  ),
  bookmark: mocks("bookmarkStatus", "toggleResourceBookmark", "myBookmarks"),
  comment: mocks("getComments", "createMyComment", "updateMyComment", "deleteMyComment"),
  gist: mocks("gistList", "getGist", "createMyGist", "updateMyGist", "deleteMyGist"),
  notification: mocks("myNotifications", "unreadNotificationCount", "markNotificationRead", "markAllNotificationsRead"),
  reaction: mocks("getResourceReactions", "toggleResourceReaction"),
  session: mocks("getSession", "authID", "mySessions", "deleteSession", "logout", "currentSessionStatus"),
  user: mocks("getUserProfile", "updateMyProfile"),
};

// A renamed or added action must show up here, or the test stand-in silently lacks it.
type Exported<M> = { [K in keyof M as M[K] extends (...args: never[]) => unknown ? K : never]: Mock };
actionModules satisfies {
  article: Exported<typeof import("@/backend/services/article.actions")>;
  bookmark: Exported<typeof import("@/backend/services/bookmark.action")>;
  comment: Exported<typeof import("@/backend/services/comment.action")>;
  gist: Exported<typeof import("@/backend/services/gist.actions")>;
  notification: Exported<typeof import("@/backend/services/notification.actions")>;
  reaction: Exported<typeof import("@/backend/services/reaction.actions")>;
  session: Exported<typeof import("@/backend/services/session.actions")>;
  user: Exported<typeof import("@/backend/services/user.actions")>;
};

type Modules = typeof actionModules;
/** Every action by name (names are unique across modules). */
export const actions = Object.assign({}, ...Object.values(actionModules)) as Modules["article"] &
  Modules["bookmark"] &
  Modules["comment"] &
  Modules["gist"] &
  Modules["notification"] &
  Modules["reaction"] &
  Modules["session"] &
  Modules["user"];

/** useRouter()'s answer in every jsdom test; usePathname() is "/". */
export const router = { push: vi.fn(), replace: vi.fn(), refresh: vi.fn(), back: vi.fn(), prefetch: vi.fn() };

export function resetServerActions() {
  for (const stubs of Object.values(actionModules)) for (const fn of Object.values(stubs)) fn.mockReset();
  for (const fn of Object.values(router)) fn.mockReset();
}

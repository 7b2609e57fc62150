import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { act, render, screen, waitFor } from "@testing-library/react";
import { createRealtimeTestKit, type MemoryPusher, type RealtimeTestKit } from "@/lib/realtime/testing";
import { resourceChannel, userChannel } from "@/backend/realtime/channels";
import { scopes } from "@/backend/realtime/scopes";
import { articleChangeSignals, commentThreadSignal, type ArticleState } from "@/backend/realtime/signals";
import { CurrentUserProvider, type CurrentUser } from "@/components/session/CurrentUser";
import { ArticleView } from "@/components/article/ArticleView";
import { uuid } from "../../helpers/uuids";
import { alice, articleDetail, bob, notFound, ok, reactionCounts, threadComment } from "../support/fixtures";
import { held, ids, renderScopeCache } from "../support/scope-cache";
import { actions } from "../support/server-actions";

/**
 * The article page on its resource channel (edits, unpublish, delete), and where an article write's publications
 * land in a tab's cache.
 */
const article = articleDetail("articles");
const ARTICLE = article.id;
const ROOT = { resource_type: "ARTICLE", resource_id: ARTICLE } as const;
const CHANNEL = resourceChannel("ARTICLE", ARTICLE);
const COMMENT = uuid("comment:articles");

let rt: RealtimeTestKit;
let fake: MemoryPusher;
let errors: MockInstance;

beforeEach(() => {
  errors = vi.spyOn(console, "error");
  actions.getArticle.mockResolvedValue(ok(article));
  actions.getComments.mockResolvedValue(ok([threadComment(COMMENT, ROOT, null, 1, bob, "Top comment")]));
  actions.getResourceReactions.mockResolvedValue(ok(reactionCounts(0)));
  actions.bookmarkStatus.mockResolvedValue(ok({ bookmarked: false }));
});
afterEach(() => errors.mockRestore());

/** A tab (StrictMode, the library's provider on the test kit's in-memory broker) showing the article page. */
function renderPage(user: CurrentUser | null = null) {
  rt = createRealtimeTestKit({ scopes, userChannel: user && userChannel(user.id), strict: true });
  fake = rt.pusher;
  return render(
    <CurrentUserProvider user={user}>
      <ArticleView username="alice" handle={article.handle} initialArticle={article} />
    </CurrentUserProvider>,
    { wrapper: rt.wrapper },
  );
}
const signal = (data: unknown) => rt.emit(CHANNEL, data);
const articleSignal = () => articleChangeSignals({ id: ARTICLE, author_id: alice.id, published: true, tag_ids: [] }, null).find((p) => p.signal.scope === "article")!.signal;
// React's own notice about act() in this environment is not the app's output.
const appErrors = () => errors.mock.calls.filter((args) => !String(args[0]).includes("support act("));
const subscribes = () => fake.log.filter((l) => l === `subscribe ${CHANNEL}`).length;

describe("the article page on its resource channel", () => {
  it("the page, its comment section and every reaction bar share one subscription", async () => {
    renderPage();
    await screen.findByTestId(`comment-${COMMENT}`);
    await screen.findByTestId(`reaction-COMMENT-${COMMENT}-UNICORN`);
    expect(fake.subscribed()).toEqual([CHANNEL]);
    expect(subscribes()).toBe(1);
  });

  it("an article signal after an edit shows the new text", async () => {
    renderPage();
    actions.getArticle.mockResolvedValue(ok({ ...article, title: "Hello, edited" }));
    await signal(articleSignal());
    await screen.findByRole("heading", { name: "Hello, edited" });
  });

  it("losing access (unpublish, delete): the page says so, without an error, and leaves the channel", async () => {
    renderPage();
    await screen.findByTestId(`comment-${COMMENT}`);
    actions.getArticle.mockResolvedValue(notFound("No such article."));
    await signal(articleSignal());
    await screen.findByRole("heading", { name: "This article is no longer available" });
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.queryByTestId(`comment-${COMMENT}`)).toBeNull();
    await waitFor(() => expect(fake.log).toContain(`unsubscribe ${CHANNEL}`));
    expect(fake.subscribed()).toEqual([]);
    // A late signal (a modified client could still receive one) finds nobody listening and fetches nothing.
    const calls = actions.getArticle.mock.calls.length;
    await signal(articleSignal());
    await signal(commentThreadSignal(ROOT).signal);
    expect(actions.getArticle.mock.calls.length).toBe(calls);
    expect(actions.getComments).toHaveBeenCalledTimes(1);
    expect(appErrors()).toEqual([]);
  });

  it("a refused subscription is quiet: no error shown or logged, and the page keeps working", async () => {
    renderPage(alice);
    await screen.findByTestId(`comment-${COMMENT}`);
    await act(() => fake.emit(CHANNEL, "pusher:subscription_error", { type: "AuthError", error: "403 You cannot read this resource.", status: 403 }));
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.getByRole("heading", { name: "Hello, realtime" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Post comment" })).toBeTruthy();
    expect(appErrors()).toEqual([]);
  });
});

describe("which cached queries an article write reaches", () => {
  it.each([
    ["dashboard articles", held.user, { scope: "dashboard-articles" }, ["dashboard"]],
    ["an article edit, unpublish or delete (by URL: the tab's article pages)", held.article, { scope: "article", ids: { id: ids.article } }, ["articlePage"]],
  ] as const)("%s: exactly its keys", async (_label, channel, data, expected) => {
    const tab = renderScopeCache();
    expect(await tab.invalidatedBy(channel, data)).toEqual(expected);
  });

  it("every publication of a published article's edit, delivered to the channels this tab holds, reaches the pages that show it", async () => {
    const tab = renderScopeCache();
    const before: ArticleState = { id: ids.article, author_id: ids.user, published: true, tag_ids: [ids.tag] };
    const after: ArticleState = { ...before, tag_ids: [ids.tag, uuid("tag:articles-new")] };
    const channels = new Set(Object.values(held));
    const reached = new Set<string>();
    for (const publication of articleChangeSignals(before, after, [ids.user])) {
      for (const channel of publication.channels) {
        if (!channels.has(channel)) continue;
        for (const name of await tab.invalidatedBy(channel, publication.signal)) reached.add(name);
      }
    }
    expect([...reached].sort()).toEqual(
      ["dashboard", "articlePage", "myBookmarks", "bookmarkButton", "userFeed", "tagFeed", "homeFeedNotice"].sort(),
    );
  });

  it.each([
    ["dashboard articles on a resource channel", held.article, { scope: "dashboard-articles" }, { scope: "article", ids: { id: ids.article } }, ["articlePage"]],
    ["an article signal on the user channel", held.user, { scope: "article", ids: { id: ids.article } }, { scope: "dashboard-articles" }, ["dashboard"]],
    ["an article signal without its id", held.article, { scope: "article" }, { scope: "article", ids: { id: ids.article } }, ["articlePage"]],
  ] as const)("ignored: %s", async (_label, channel, data, valid, expected) => {
    const tab = renderScopeCache();
    await tab.send(channel, data);
    expect(await tab.invalidatedBy(channel, valid)).toEqual(expected);
  });
});

import { StrictMode } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, render, screen, waitFor } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { resourceChannel } from "@/lib/realtime/channels";
import { RealtimeProvider, createImmediateInvalidator } from "@/lib/realtime/client";
import { INVALIDATE_EVENT } from "@/lib/realtime/signal";
import { CurrentUserProvider } from "@/components/session/CurrentUser";
import { FAKE_CONFIG, createFakePusher } from "./fake-pusher";

const actions = vi.hoisted(() => ({
  getArticle: vi.fn(),
  getComments: vi.fn(),
  createMyComment: vi.fn(),
  updateMyComment: vi.fn(),
  deleteMyComment: vi.fn(),
  getResourceReactions: vi.fn(),
  toggleResourceReaction: vi.fn(),
  bookmarkStatus: vi.fn(),
  toggleResourceBookmark: vi.fn(),
}));
vi.mock("@/backend/services/article.actions", () => ({ getArticle: actions.getArticle }));
vi.mock("@/backend/services/comment.action", () => ({
  getComments: actions.getComments,
  createMyComment: actions.createMyComment,
  updateMyComment: actions.updateMyComment,
  deleteMyComment: actions.deleteMyComment,
}));
vi.mock("@/backend/services/reaction.actions", () => ({
  getResourceReactions: actions.getResourceReactions,
  toggleResourceReaction: actions.toggleResourceReaction,
}));
vi.mock("@/backend/services/bookmark.action", () => ({
  bookmarkStatus: actions.bookmarkStatus,
  toggleResourceBookmark: actions.toggleResourceBookmark,
}));

import { ArticleView } from "@/components/article/ArticleView";
import { CommentSection } from "@/components/comment/CommentSection";

const ARTICLE = 7;
const CHANNEL = resourceChannel("ARTICLE", ARTICLE);
const alice = { id: 1, username: "alice", name: "Alice" };
const bob = { id: 2, username: "bob", name: "Bob" };
const at = new Date(Date.UTC(2026, 0, 15, 10));
const article = {
  id: ARTICLE,
  title: "Hello, realtime",
  handle: "hello-realtime",
  excerpt: "",
  body: "First paragraph.",
  published_at: at,
  created_at: at,
  updated_at: at,
  author: alice,
  tags: [],
  comment_count: 1,
  reaction_count: 0,
};
const comment = (id: number, parent_id: number | null, body: string) => ({
  id,
  body,
  resource_id: parent_id ?? ARTICLE,
  resource_type: parent_id ? "COMMENT" : "ARTICLE",
  parent_id,
  depth: parent_id ? 2 : 1,
  created_at: at,
  updated_at: at,
  author: bob,
});
const reactions = (count: number) => [{ reaction_type: "UNICORN", count, reacted: false }];
const ok = <T,>(data: T) => ({ ok: true as const, data });

let fake: ReturnType<typeof createFakePusher>;
let errors: { mock: { calls: unknown[][] }; mockRestore(): void };

beforeEach(() => {
  vi.clearAllMocks();
  fake = createFakePusher();
  errors = vi.spyOn(console, "error");
  actions.getArticle.mockResolvedValue(ok(article));
  actions.getComments.mockResolvedValue(ok([comment(10, null, "Top comment")]));
  actions.getResourceReactions.mockResolvedValue(ok(reactions(0)));
  actions.bookmarkStatus.mockResolvedValue(ok({ bookmarked: false }));
});
afterEach(() => {
  cleanup();
  errors.mockRestore();
});

function renderPage(ui: React.ReactNode, user: typeof alice | null = null) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <CurrentUserProvider user={user}>
          <RealtimeProvider
            config={FAKE_CONFIG}
            userId={user?.id ?? null}
            createPusher={fake.factory}
            createInvalidator={createImmediateInvalidator}
          >
            {ui}
          </RealtimeProvider>
        </CurrentUserProvider>
      </QueryClientProvider>
    </StrictMode>,
  );
}

const articlePage = () => <ArticleView username="alice" handle="hello-realtime" initialArticle={article} />;
const signal = (data: unknown) => act(() => fake.emit(CHANNEL, INVALIDATE_EVENT, data));
// React's own notice about act() in this environment is not the app's output.
const appErrors = () => errors.mock.calls.filter((args) => !String(args[0]).includes("support act("));
const subscribes = () => fake.log.filter((l) => l === `subscribe ${CHANNEL}`).length;

describe("the article page on its resource channel", () => {
  it("the page, its comment section and every reaction bar share one subscription", async () => {
    renderPage(articlePage());
    await screen.findByTestId("comment-10");
    await screen.findByTestId("reaction-COMMENT-10-UNICORN");
    expect(fake.subscribed()).toEqual([CHANNEL]);
    expect(subscribes()).toBe(1);
  });

  it("a comments signal refetches the thread: a new reply appears, nested under its parent", async () => {
    renderPage(articlePage());
    await screen.findByTestId("comment-10");
    actions.getComments.mockResolvedValue(ok([comment(10, null, "Top comment"), comment(11, 10, "A live reply")]));
    await signal({ scope: "comments", ids: { resource_id: ARTICLE, resource_type: "ARTICLE" } });
    const reply = await screen.findByTestId("comment-11");
    expect(reply.getAttribute("data-depth")).toBe("2");
  });

  it("a reactions signal naming a comment refetches that comment's counts only", async () => {
    renderPage(articlePage());
    await screen.findByTestId("reaction-COMMENT-10-UNICORN");
    await waitFor(() => expect(actions.getResourceReactions).toHaveBeenCalledTimes(2));
    actions.getResourceReactions.mockImplementation(async ({ resource_id }: { resource_id: number }) =>
      ok(reactions(resource_id === 10 ? 3 : 0)),
    );
    await signal({ scope: "reactions", ids: { resource_id: 10, resource_type: "COMMENT" } });
    await waitFor(() => expect(screen.getByTestId("reaction-COMMENT-10-UNICORN").textContent).toBe("3"));
    expect(actions.getResourceReactions).toHaveBeenCalledTimes(3);
    expect(actions.getResourceReactions).toHaveBeenLastCalledWith({ resource_id: 10, resource_type: "COMMENT" });
    expect(screen.getByTestId(`reaction-ARTICLE-${ARTICLE}-UNICORN`).textContent).toBe("0");
  });

  it("an article signal after an edit shows the new text", async () => {
    renderPage(articlePage());
    actions.getArticle.mockResolvedValue(ok({ ...article, title: "Hello, edited" }));
    await signal({ scope: "article", ids: { id: ARTICLE } });
    await screen.findByRole("heading", { name: "Hello, edited" });
  });

  it("losing access (unpublish, delete): the page says so, without an error, and leaves the channel", async () => {
    renderPage(articlePage());
    await screen.findByTestId("comment-10");
    actions.getArticle.mockResolvedValue({ ok: false, error: { code: "NOT_FOUND", message: "No such article." } });
    await signal({ scope: "article", ids: { id: ARTICLE } });
    await screen.findByRole("heading", { name: "This article is no longer available" });
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.queryByTestId("comment-10")).toBeNull();
    await waitFor(() => expect(fake.log).toContain(`unsubscribe ${CHANNEL}`));
    expect(fake.subscribed()).toEqual([]);
    // A late signal (a modified client could still receive one) finds nobody listening and fetches nothing.
    const calls = actions.getArticle.mock.calls.length;
    await signal({ scope: "article", ids: { id: ARTICLE } });
    expect(actions.getArticle.mock.calls.length).toBe(calls);
    expect(appErrors()).toEqual([]);
  });

  it("a refused subscription is quiet: no error shown or logged, and the page keeps working", async () => {
    renderPage(articlePage(), alice);
    await screen.findByTestId("comment-10");
    await act(() => fake.emit(CHANNEL, "pusher:subscription_error", { type: "AuthError", error: "403 You cannot read this resource.", status: 403 }));
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.getByRole("heading", { name: "Hello, realtime" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Post comment" })).toBeTruthy();
    expect(appErrors()).toEqual([]);
  });
});

describe("the comment section on its own (a gist page)", () => {
  it("joins the gist's channel and follows its comments signal", async () => {
    const gist = resourceChannel("GIST", 3);
    actions.getComments.mockResolvedValue(ok([]));
    renderPage(<CommentSection resource_id={3} resource_type="GIST" />);
    await screen.findByText("No comments yet.");
    expect(fake.subscribed()).toEqual([gist]);
    actions.getComments.mockResolvedValue(ok([{ ...comment(20, null, "On the gist"), resource_id: 3, resource_type: "GIST" }]));
    await act(() => fake.emit(gist, INVALIDATE_EVENT, { scope: "comments", ids: { resource_id: 3, resource_type: "GIST" } }));
    await screen.findByTestId("comment-20");
  });
});

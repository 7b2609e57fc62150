import { beforeEach, describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import type { ReactNode } from "react";
import { renderWithRealtime, type RealtimeTestKit } from "@/lib/realtime/testing";
import { resourceChannel, userChannel } from "@/backend/realtime/channels";
import { scopes } from "@/backend/realtime/scopes";
import { commentThreadSignal, notificationsSignal, reactionSignal } from "@/backend/realtime/signals";
import { CurrentUserProvider, type CurrentUser } from "@/components/session/CurrentUser";
import { ArticleView } from "@/components/article/ArticleView";
import { CommentSection } from "@/components/comment/CommentSection";
import { uuid } from "../../helpers/uuids";
import { alice, articleDetail, bob, carol, ok, reactionCounts, threadComment } from "../support/fixtures";
import { held, ids, renderScopeCache } from "../support/scope-cache";
import { actions } from "../support/server-actions";

/**
 * Comments and reactions: the thread of an article or gist (one comments query per root), reaction counts (one
 * query per reacted resource), how their signals reach a page on the root's channel, and the writer's own tab,
 * which refreshes from the signals its action returned.
 */
const article = articleDetail("comments");
const ARTICLE = article.id;
const ROOT = { resource_type: "ARTICLE", resource_id: ARTICLE } as const;
const CHANNEL = resourceChannel("ARTICLE", ARTICLE);
const c = (name: string) => uuid(`comment:${name}`);

// The flat list the action returns, deliberately not in tree order.
const THREAD = [
  threadComment(c("3rd-level"), ROOT, c("reply"), 3, carol, "Tried it with three tabs, all updated.", 3),
  threadComment(c("later-top"), ROOT, null, 1, carol, "Bookmarked for later.", 4),
  threadComment(c("top"), ROOT, null, 1, bob, "Great intro. Does this work with several tabs open?", 1),
  threadComment(c("reply"), ROOT, c("top"), 2, alice, "Yes: every tab holds its own subscription.", 2),
];
const TOP = c("top");

let tab: RealtimeTestKit;
beforeEach(() => {
  actions.getArticle.mockResolvedValue(ok(article));
  actions.getComments.mockResolvedValue(ok(THREAD));
  actions.getResourceReactions.mockImplementation(async ({ resource_id }: { resource_id: string }) => ok(reactionCounts(resource_id === TOP ? 1 : 0)));
  actions.bookmarkStatus.mockResolvedValue(ok({ bookmarked: false }));
});

/** A tab of the app (StrictMode, the library's provider on the test kit's in-memory broker). */
function renderPage(ui: ReactNode, user: CurrentUser | null = null) {
  const view = renderWithRealtime(<CurrentUserProvider user={user}>{ui}</CurrentUserProvider>, { render, scopes, userChannel: user && userChannel(user.id), strict: true });
  tab = view;
  return view;
}
const commentSection = () => <CommentSection resource_id={ARTICLE} resource_type="ARTICLE" />;
const articlePage = () => <ArticleView username="alice" handle={article.handle} initialArticle={article} />;
const signal = (data: unknown, channel = CHANNEL) => tab.emit(channel, data);
const findComment = (id: string) => screen.findByTestId(`comment-${id}`);
const repliesOf = (id: string) => screen.getByRole("list", { name: `Replies to comment ${id}` });
const reactionsOf = (type: string, id: string) => screen.getByTestId(`reaction-${type}-${id}-UNICORN`);
const reactionCalls = (id: string) => actions.getResourceReactions.mock.calls.filter(([arg]) => arg.resource_id === id).length;

describe("the comment section", () => {
  it("renders a three-level thread from one flat comments query", async () => {
    renderPage(commentSection(), alice);

    const top = await findComment(TOP);
    expect(actions.getComments).toHaveBeenCalledTimes(1);
    expect(actions.getComments).toHaveBeenCalledWith({ resource_id: ARTICLE, resource_type: "ARTICLE" });

    expect(top.dataset.depth).toBe("1");
    expect(within(top).getByText(THREAD[2].body)).toBeTruthy();
    const level2 = within(repliesOf(TOP)).getByTestId(`comment-${c("reply")}`);
    expect(level2.dataset.depth).toBe("2");
    const level3 = within(repliesOf(c("reply"))).getByTestId(`comment-${c("3rd-level")}`);
    expect(level3.dataset.depth).toBe("3");
    expect(screen.getByTestId(`comment-${c("later-top")}`).dataset.depth).toBe("1");
    // The anchor that notification links (`#comment-<id>`) jump to.
    expect(top.id).toBe(`comment-${TOP}`);

    // Top-level comments oldest first.
    const order = screen.getAllByTestId(/^comment-[0-9a-f-]{36}$/).map((el) => el.dataset.testid);
    expect(order).toEqual(["top", "reply", "3rd-level", "later-top"].map((n) => `comment-${c(n)}`));

    // Replies stop at the third level; Edit and Delete only on one's own comment.
    expect(within(top).getByRole("button", { name: "Reply" })).toBeTruthy();
    expect(within(level3).queryByRole("button", { name: "Reply" })).toBeNull();
    expect(within(level2).getByRole("button", { name: "Edit" })).toBeTruthy();
    expect(within(level2).getByRole("button", { name: "Delete" })).toBeTruthy();
    expect(within(top).queryByRole("button", { name: "Edit" })).toBeNull();

    // Reactions per comment, with the count as the button's text.
    await waitFor(() => expect(reactionsOf("COMMENT", TOP).textContent).toBe("1"));
    expect(within(top).getByRole("button", { name: "UNICORN reaction", pressed: false })).toBeTruthy();
  });

  it("shows the action's error message instead of swallowing it, and keeps what was typed", async () => {
    actions.createMyComment.mockResolvedValue({ ok: false, error: { code: "INVALID_INPUT", message: "body: Comment is at most 5000 characters" } });
    renderPage(commentSection(), alice);
    await findComment(TOP);

    fireEvent.change(screen.getByLabelText("Write a comment"), { target: { value: "x" } });
    fireEvent.click(screen.getByRole("button", { name: "Post comment" }));

    expect((await screen.findByRole("alert")).textContent).toContain("Comment is at most 5000 characters");
    expect((screen.getByLabelText("Write a comment") as HTMLTextAreaElement).value).toBe("x");
  });

  it("asks anonymous visitors to sign in and offers no comment form", async () => {
    renderPage(commentSection());
    await findComment(TOP);
    expect(screen.queryByLabelText("Write a comment")).toBeNull();
    expect(screen.queryByRole("button", { name: "Reply" })).toBeNull();
    expect(screen.getByRole("link", { name: "Log in" })).toBeTruthy();
  });

  it("on a gist page, joins the gist's channel and follows its comments signal", async () => {
    const gist = uuid("gist:comments");
    const gistRoot = { resource_type: "GIST", resource_id: gist } as const;
    actions.getComments.mockResolvedValue(ok([]));
    renderPage(<CommentSection resource_id={gist} resource_type="GIST" />);
    await screen.findByText("No comments yet.");
    expect(tab.joined()).toEqual([resourceChannel("GIST", gist)]);
    actions.getComments.mockResolvedValue(ok([threadComment(c("on-gist"), gistRoot, null, 1, bob, "On the gist")]));
    await signal(commentThreadSignal(gistRoot).signal, resourceChannel("GIST", gist));
    await findComment(c("on-gist"));
  });
});

describe("live comments and reactions on the article page (its resource channel)", () => {
  it("a comments signal refetches the thread: a new reply appears, nested under its parent", async () => {
    renderPage(articlePage());
    await findComment(TOP);
    actions.getComments.mockResolvedValue(ok([...THREAD, threadComment(c("live"), ROOT, TOP, 2, bob, "A live reply", 5)]));
    await signal(commentThreadSignal(ROOT).signal);
    const reply = await findComment(c("live"));
    expect(reply.dataset.depth).toBe("2");
    expect(within(repliesOf(TOP)).getByTestId(`comment-${c("live")}`)).toBe(reply);
  });

  it("a reactions signal naming a comment refetches that comment's counts only", async () => {
    renderPage(articlePage());
    await waitFor(() => expect(reactionsOf("COMMENT", TOP).textContent).toBe("1"));
    const initial = actions.getResourceReactions.mock.calls.length; // the article and each of the four comments
    expect(initial).toBe(5);
    actions.getResourceReactions.mockImplementation(async ({ resource_id }: { resource_id: string }) => ok(reactionCounts(resource_id === TOP ? 3 : 0)));
    await signal(reactionSignal({ resource_type: "COMMENT", resource_id: TOP }, ROOT).signal);
    await waitFor(() => expect(reactionsOf("COMMENT", TOP).textContent).toBe("3"));
    expect(actions.getResourceReactions).toHaveBeenCalledTimes(initial + 1);
    expect(actions.getResourceReactions).toHaveBeenLastCalledWith({ resource_id: TOP, resource_type: "COMMENT" });
    expect(reactionsOf("ARTICLE", ARTICLE).textContent).toBe("0");
  });
});

describe("the writer's own tab (useServerAction applies the signals its action returned)", () => {
  it("posting a comment refetches the thread, and nothing the returned signal does not name", async () => {
    const posted = threadComment(c("posted"), ROOT, null, 1, alice, "My first comment", 6);
    actions.createMyComment.mockImplementation(async () => {
      actions.getComments.mockResolvedValue(ok([...THREAD, posted])); // the write is in
      return ok({ ...posted, root: ROOT }, [commentThreadSignal(ROOT)]);
    });
    renderPage(articlePage(), alice);
    await findComment(TOP);
    await waitFor(() => expect(reactionsOf("COMMENT", TOP).textContent).toBe("1"));
    const reactionFetches = actions.getResourceReactions.mock.calls.length;

    fireEvent.change(screen.getByLabelText("Write a comment"), { target: { value: "My first comment" } });
    fireEvent.click(screen.getByRole("button", { name: "Post comment" }));

    await findComment(posted.id);
    expect(actions.createMyComment).toHaveBeenCalledWith({ resource_id: ARTICLE, resource_type: "ARTICLE", body: "My first comment" });
    expect(actions.getComments).toHaveBeenCalledTimes(2);
    // The thread's refetch is in; the existing comments' reactions, the article's and the bookmark were not asked
    // again (only the new comment's bar fetched its own counts).
    await waitFor(() => expect(reactionsOf("COMMENT", posted.id).textContent).toBe("0"));
    expect(actions.getResourceReactions).toHaveBeenCalledTimes(reactionFetches + 1);
    expect(reactionCalls(posted.id)).toBe(1);
    expect(actions.getArticle).not.toHaveBeenCalled();
    expect(actions.bookmarkStatus).toHaveBeenCalledTimes(1);
  });

  it("clears only the text it posted: what was typed while the post settled stays in the box", async () => {
    const posted = threadComment(c("first-of-many"), ROOT, null, 1, alice, "First", 6);
    let commit!: () => void;
    actions.createMyComment.mockImplementation(
      () =>
        new Promise((resolve) => {
          commit = () => {
            actions.getComments.mockResolvedValue(ok([...THREAD, posted]));
            resolve(ok({ ...posted, root: ROOT }, [commentThreadSignal(ROOT)]));
          };
        }),
    );
    renderPage(commentSection(), alice);
    await findComment(TOP);
    const box = () => screen.getByLabelText("Write a comment") as HTMLTextAreaElement;

    fireEvent.change(box(), { target: { value: "First" } });
    fireEvent.click(screen.getByRole("button", { name: "Post comment" }));
    await waitFor(() => expect(actions.createMyComment).toHaveBeenCalledTimes(1));
    // The writer goes on while the post settles: the next comment replaces the text in the box.
    fireEvent.change(box(), { target: { value: "Second, typed while the first was posting" } });
    commit();

    await findComment(posted.id);
    await waitFor(() => expect(screen.getByRole("button", { name: "Post comment" }).hasAttribute("disabled")).toBe(false));
    expect(box().value).toBe("Second, typed while the first was posting");

    // Kept typing after the posted text: only the continuation stays.
    fireEvent.change(box(), { target: { value: "Second" } });
    fireEvent.click(screen.getByRole("button", { name: "Post comment" }));
    await waitFor(() => expect(actions.createMyComment).toHaveBeenCalledTimes(2));
    fireEvent.change(box(), { target: { value: "Second and a third" } });
    commit();
    await waitFor(() => expect(box().value).toBe("and a third"));

    // Untouched while posting: the box empties, as before.
    fireEvent.click(screen.getByRole("button", { name: "Post comment" }));
    await waitFor(() => expect(actions.createMyComment).toHaveBeenCalledTimes(3));
    commit();
    await waitFor(() => expect(box().value).toBe(""));
    expect(actions.createMyComment).toHaveBeenLastCalledWith({ resource_id: ARTICLE, resource_type: "ARTICLE", body: "and a third" });
  });

  it("posts a reply as a comment on the COMMENT, and the root's thread refetches", async () => {
    const reply = threadComment(c("thanks"), ROOT, TOP, 2, alice, "Thanks!", 7);
    actions.createMyComment.mockImplementation(async () => {
      actions.getComments.mockResolvedValue(ok([...THREAD, reply]));
      return ok({ ...reply, root: ROOT }, [commentThreadSignal(ROOT)]);
    });
    renderPage(commentSection(), alice);
    const top = await findComment(TOP);

    fireEvent.click(within(top).getByRole("button", { name: "Reply" }));
    fireEvent.change(within(top).getByLabelText("Write a reply"), { target: { value: "Thanks!" } });
    fireEvent.click(within(top).getByRole("button", { name: "Post reply" }));

    await waitFor(() => expect(within(repliesOf(TOP)).getByTestId(`comment-${reply.id}`)).toBeTruthy());
    expect(actions.createMyComment).toHaveBeenCalledWith({ resource_id: TOP, resource_type: "COMMENT", body: "Thanks!" });
    expect(actions.getComments).toHaveBeenCalledTimes(2);
    expect(within(top).queryByLabelText("Write a reply")).toBeNull(); // the form closed on success
  });

  it("deleting one's comment refetches the thread and the comment is gone", async () => {
    const mine = c("reply");
    actions.deleteMyComment.mockImplementation(async () => {
      actions.getComments.mockResolvedValue(ok(THREAD.filter((x) => x.id !== mine && x.id !== c("3rd-level"))));
      return ok({ id: mine, deleted_ids: [mine, c("3rd-level")], root: ROOT }, [commentThreadSignal(ROOT)]);
    });
    renderPage(commentSection(), alice);
    const own = await findComment(mine);
    fireEvent.click(within(own).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(screen.queryByTestId(`comment-${mine}`)).toBeNull());
    expect(screen.queryByTestId(`comment-${c("3rd-level")}`)).toBeNull();
    expect(actions.getComments).toHaveBeenCalledTimes(2);
  });

  it("a reaction on a comment refetches that comment's counts only", async () => {
    let reacted = false;
    actions.toggleResourceReaction.mockImplementation(async ({ resource_id }: { resource_id: string }) => {
      reacted = true;
      return ok({ reacted: true }, [reactionSignal({ resource_type: "COMMENT", resource_id }, ROOT)]);
    });
    actions.getResourceReactions.mockImplementation(async ({ resource_id }: { resource_id: string }) =>
      ok(resource_id === TOP ? reactionCounts(reacted ? 2 : 1, reacted) : reactionCounts(0)),
    );
    renderPage(articlePage(), alice);
    await waitFor(() => expect(reactionsOf("COMMENT", TOP).textContent).toBe("1"));
    const before = actions.getResourceReactions.mock.calls.length;

    fireEvent.click(reactionsOf("COMMENT", TOP));
    await waitFor(() => expect(reactionsOf("COMMENT", TOP).getAttribute("aria-pressed")).toBe("true"));
    expect(reactionsOf("COMMENT", TOP).textContent).toBe("2");
    expect(actions.toggleResourceReaction).toHaveBeenCalledWith({ resource_id: TOP, resource_type: "COMMENT", reaction_type: "UNICORN" });
    expect(actions.getResourceReactions).toHaveBeenCalledTimes(before + 1);
    expect(actions.getResourceReactions).toHaveBeenLastCalledWith({ resource_id: TOP, resource_type: "COMMENT" });
    expect(actions.getComments).toHaveBeenCalledTimes(1);
  });
});

describe("which cached queries the comments and reactions scopes reach", () => {
  const threadOf = (type: "ARTICLE" | "GIST", id: string) => commentThreadSignal({ resource_type: type, resource_id: id }).signal;
  const article_ = { resource_type: "ARTICLE", resource_id: ids.article } as const;
  const gist_ = { resource_type: "GIST", resource_id: ids.gist } as const;

  it.each([
    ["comments on the article", held.article, threadOf("ARTICLE", ids.article), ["comments"]],
    ["comments on the gist", held.gist, threadOf("GIST", ids.gist), ["gistComments"]],
    ["reactions on the article", held.article, reactionSignal(article_, article_).signal, ["articleReactions"]],
    ["reactions on a comment of the article", held.article, reactionSignal({ resource_type: "COMMENT", resource_id: ids.comment }, article_).signal, ["commentReactions"]],
    ["reactions on the gist", held.gist, reactionSignal(gist_, gist_).signal, ["gistReactions"]],
  ] as const)("%s: exactly its keys", async (_label, channel, data, expected) => {
    const tab = renderScopeCache();
    expect(await tab.invalidatedBy(channel, data)).toEqual(expected);
  });

  // Each is followed by a valid signal on the same channel: only that one's keys are invalid afterwards.
  const notifications = notificationsSignal(ids.user).signal;
  it.each([
    ["a thread's signal on the user channel", held.user, threadOf("ARTICLE", ids.article), notifications, ["notifications", "unread"]],
    ["comments without ids", held.article, { scope: "comments" }, threadOf("ARTICLE", ids.article), ["comments"]],
    ["comments naming a COMMENT as the root", held.article, { scope: "comments", ids: { resource_id: ids.comment, resource_type: "COMMENT" } }, threadOf("ARTICLE", ids.article), ["comments"]],
    ["reactions without a type", held.article, { scope: "reactions", ids: { resource_id: ids.comment } }, threadOf("ARTICLE", ids.article), ["comments"]],
  ] as const)("ignored: %s", async (_label, channel, data, valid, expected) => {
    const tab = renderScopeCache();
    await tab.send(channel, data);
    expect(await tab.invalidatedBy(channel, valid)).toEqual(expected);
  });
});

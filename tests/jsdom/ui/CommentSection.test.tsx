import { beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { renderWithProviders } from "./render";

const actions = vi.hoisted(() => ({
  getComments: vi.fn(),
  createMyComment: vi.fn(),
  updateMyComment: vi.fn(),
  deleteMyComment: vi.fn(),
  getResourceReactions: vi.fn(),
  toggleResourceReaction: vi.fn(),
}));

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

import { CommentSection } from "@/components/comment/CommentSection";

/** A readable UUID: u(10) is 00000000-0000-4000-8000-000000000010. */
const u = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const ARTICLE = u(7);
const alice = { id: u(1), username: "alice", name: "Alice Rahman" };
const bob = { id: u(2), username: "bob", name: "Bob Karim" };
const carol = { id: u(3), username: "carol", name: "Carol Hossain" };

const at = (minute: number) => new Date(Date.UTC(2026, 0, 15, 10, minute));
const comment = (id: number, parent_id: number | null, depth: number, author: typeof alice, body: string, minute: number) => ({
  id: u(id),
  body,
  resource_id: parent_id === null ? ARTICLE : u(parent_id),
  resource_type: parent_id ? "COMMENT" : "ARTICLE",
  parent_id: parent_id === null ? null : u(parent_id),
  depth,
  created_at: at(minute),
  updated_at: at(minute),
  author,
});

// The flat list the action returns, deliberately not in tree order.
const THREAD = [
  comment(12, 11, 3, carol, "Tried it with three tabs, all updated.", 3),
  comment(13, null, 1, carol, "Bookmarked for later.", 4),
  comment(10, null, 1, bob, "Great intro. Does this work with several tabs open?", 1),
  comment(11, 10, 2, alice, "Yes: every tab holds its own subscription.", 2),
];

beforeEach(() => {
  vi.clearAllMocks();
  actions.getComments.mockResolvedValue({ ok: true, data: THREAD });
  actions.getResourceReactions.mockImplementation(async ({ resource_id }: { resource_id: string }) => ({
    ok: true,
    data: [{ reaction_type: "UNICORN", count: resource_id === u(10) ? 1 : 0, reacted: false }],
  }));
});

function repliesOf(id: number) {
  return screen.getByRole("list", { name: `Replies to comment ${u(id)}` });
}
const byComment = (id: number) => screen.getByTestId(`comment-${u(id)}`);
const findComment = (id: number) => screen.findByTestId(`comment-${u(id)}`);

describe("CommentSection", () => {
  it("renders a three-level thread from one flat comments query", async () => {
    renderWithProviders(<CommentSection resource_id={ARTICLE} resource_type="ARTICLE" />, { user: alice });

    const top = await findComment(10);
    expect(actions.getComments).toHaveBeenCalledTimes(1);
    expect(actions.getComments).toHaveBeenCalledWith({ resource_id: ARTICLE, resource_type: "ARTICLE" });

    expect(top).toHaveProperty("dataset.depth", "1");
    expect(within(top).getByText(THREAD[2].body)).toBeTruthy();
    const level2 = within(repliesOf(10)).getByTestId(`comment-${u(11)}`);
    expect(level2.dataset.depth).toBe("2");
    const level3 = within(repliesOf(11)).getByTestId(`comment-${u(12)}`);
    expect(level3.dataset.depth).toBe("3");
    expect(byComment(13).dataset.depth).toBe("1");
    // The anchor that notification links (`#comment-<id>`) jump to.
    expect(top.id).toBe(`comment-${u(10)}`);

    // Top-level comments oldest first.
    const ids = screen.getAllByTestId(/^comment-[0-9a-f-]{36}$/).map((el) => el.dataset.testid);
    expect(ids).toEqual([10, 11, 12, 13].map((n) => `comment-${u(n)}`));

    // Replies stop at the third level; Edit and Delete only on one's own comment.
    expect(within(top).getByRole("button", { name: "Reply" })).toBeTruthy();
    expect(within(level3).queryByRole("button", { name: "Reply" })).toBeNull();
    expect(within(level2).getByRole("button", { name: "Edit" })).toBeTruthy();
    expect(within(level2).getByRole("button", { name: "Delete" })).toBeTruthy();
    expect(within(top).queryByRole("button", { name: "Edit" })).toBeNull();

    // Reactions per comment, with the count as the button's text.
    await waitFor(() => expect(screen.getByTestId(`reaction-COMMENT-${u(10)}-UNICORN`).textContent).toBe("1"));
    expect(within(top).getByRole("button", { name: "UNICORN reaction", pressed: false })).toBeTruthy();
  });

  it("posts a reply as a comment on the COMMENT and refetches the thread", async () => {
    actions.createMyComment.mockResolvedValue({ ok: true, data: { id: u(14) } });
    renderWithProviders(<CommentSection resource_id={ARTICLE} resource_type="ARTICLE" />, { user: alice });
    const top = await findComment(10);

    fireEvent.click(within(top).getByRole("button", { name: "Reply" }));
    fireEvent.change(within(top).getByLabelText("Write a reply"), { target: { value: "Thanks!" } });
    fireEvent.click(within(top).getByRole("button", { name: "Post reply" }));

    await waitFor(() =>
      expect(actions.createMyComment).toHaveBeenCalledWith({ resource_id: u(10), resource_type: "COMMENT", body: "Thanks!" }),
    );
    await waitFor(() => expect(actions.getComments).toHaveBeenCalledTimes(2));
  });

  it("shows the action's error message instead of swallowing it", async () => {
    actions.createMyComment.mockResolvedValue({
      ok: false,
      error: { code: "INVALID_INPUT", message: "body: Comment is at most 5000 characters" },
    });
    renderWithProviders(<CommentSection resource_id={ARTICLE} resource_type="ARTICLE" />, { user: alice });
    await findComment(10);

    fireEvent.change(screen.getByLabelText("Write a comment"), { target: { value: "x" } });
    fireEvent.click(screen.getByRole("button", { name: "Post comment" }));

    expect((await screen.findByRole("alert")).textContent).toContain("Comment is at most 5000 characters");
    expect((screen.getByLabelText("Write a comment") as HTMLTextAreaElement).value).toBe("x");
  });

  it("asks anonymous visitors to sign in and offers no comment form", async () => {
    renderWithProviders(<CommentSection resource_id={ARTICLE} resource_type="ARTICLE" />);
    await findComment(10);
    expect(screen.queryByLabelText("Write a comment")).toBeNull();
    expect(screen.queryByRole("button", { name: "Reply" })).toBeNull();
    expect(screen.getByRole("link", { name: "Log in" })).toBeTruthy();
  });
});

import { describe, expect, it } from "vitest";
import { buildCommentTree } from "@/components/comment/comment-tree";

const c = (id: number, parent_id: number | null, minute: number) => ({
  id,
  parent_id,
  created_at: new Date(Date.UTC(2026, 0, 1, 0, minute)),
});

describe("buildCommentTree", () => {
  it("nests replies under their parents, oldest first, with levels", () => {
    const tree = buildCommentTree([c(4, null, 4), c(3, 2, 3), c(1, null, 1), c(2, 1, 2), c(5, 1, 5)]);
    expect(tree.map((n) => n.comment.id)).toEqual([1, 4]);
    expect(tree[0].level).toBe(1);
    expect(tree[0].replies.map((n) => n.comment.id)).toEqual([2, 5]);
    expect(tree[0].replies[0].level).toBe(2);
    expect(tree[0].replies[0].replies.map((n) => [n.comment.id, n.level])).toEqual([[3, 3]]);
  });

  it("keeps a reply whose parent is missing visible at the top level", () => {
    const tree = buildCommentTree([c(1, null, 1), c(9, 42, 2)]);
    expect(tree.map((n) => n.comment.id)).toEqual([1, 9]);
  });

  it("does not loop on a self-parented or cyclic list", () => {
    const tree = buildCommentTree([c(1, 1, 1), c(2, 3, 2), c(3, 2, 3)]);
    expect(tree.map((n) => n.comment.id)).toEqual([1]);
  });
});

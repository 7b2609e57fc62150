import { describe, expect, it } from "vitest";
import { buildCommentTree } from "@/components/comment/comment-tree";

/** A readable UUID: u(3) is 00000000-0000-4000-8000-000000000003. */
const u = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const c = (id: number, parent_id: number | null, minute: number) => ({
  id: u(id),
  parent_id: parent_id === null ? null : u(parent_id),
  created_at: new Date(Date.UTC(2026, 0, 1, 0, minute)),
});
const ids = (nodes: { comment: { id: string } }[]) => nodes.map((n) => n.comment.id);

describe("buildCommentTree", () => {
  it("nests replies under their parents, oldest first, with levels", () => {
    const tree = buildCommentTree([c(4, null, 4), c(3, 2, 3), c(1, null, 1), c(2, 1, 2), c(5, 1, 5)]);
    expect(ids(tree)).toEqual([u(1), u(4)]);
    expect(tree[0].level).toBe(1);
    expect(ids(tree[0].replies)).toEqual([u(2), u(5)]);
    expect(tree[0].replies[0].level).toBe(2);
    expect(tree[0].replies[0].replies.map((n) => [n.comment.id, n.level])).toEqual([[u(3), 3]]);
  });

  it("orders siblings of the same instant by id, as the server does (uuid order is the order of the lowercase text)", () => {
    const late = "ffffffff-0000-4000-8000-000000000000";
    const early = "0fffffff-0000-4000-8000-000000000000";
    const tree = buildCommentTree([
      { id: late, parent_id: null, created_at: "2026-01-01T00:00:00.000Z" },
      { id: u(9), parent_id: null, created_at: "2026-01-01T00:01:00.000Z" },
      { id: early, parent_id: null, created_at: "2026-01-01T00:00:00.000Z" },
    ]);
    expect(ids(tree)).toEqual([early, late, u(9)]);
  });

  it("keeps a reply whose parent is missing visible at the top level", () => {
    const tree = buildCommentTree([c(1, null, 1), c(9, 42, 2)]);
    expect(ids(tree)).toEqual([u(1), u(9)]);
  });

  it("does not loop on a self-parented or cyclic list", () => {
    const tree = buildCommentTree([c(1, 1, 1), c(2, 3, 2), c(3, 2, 3)]);
    expect(ids(tree)).toEqual([u(1)]);
  });
});

/** Comments arrive as one flat list (top-level and replies at any depth); the UI nests them. */
export const MAX_COMMENT_DEPTH = 3;

export type FlatComment = {
  id: string;
  parent_id: string | null;
  created_at: Date | string;
};

export type CommentNode<C extends FlatComment> = { comment: C; level: number; replies: CommentNode<C>[] };

function time(value: Date | string) {
  const t = new Date(value).getTime();
  return Number.isNaN(t) ? 0 : t;
}

/**
 * Builds the thread from parent_id. Siblings are oldest first. A reply whose parent is not in the list
 * is shown at the top level rather than dropped, so no comment the server returned ever disappears.
 */
export function buildCommentTree<C extends FlatComment>(comments: readonly C[]): CommentNode<C>[] {
  const ids = new Set(comments.map((c) => c.id));
  const childrenOf = new Map<string | null, C[]>();
  for (const c of comments) {
    const parent = c.parent_id !== null && ids.has(c.parent_id) && c.parent_id !== c.id ? c.parent_id : null;
    const list = childrenOf.get(parent) ?? [];
    list.push(c);
    childrenOf.set(parent, list);
  }
  // Ties (same instant) fall back to the id, as the server orders them: random UUIDs, but the same order every time.
  const order = (a: C, b: C) => time(a.created_at) - time(b.created_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const seen = new Set<string>();
  const build = (parent: string | null, level: number): CommentNode<C>[] =>
    (childrenOf.get(parent) ?? [])
      .slice()
      .sort(order)
      .filter((c) => !seen.has(c.id) && seen.add(c.id))
      .map((c) => ({ comment: c, level, replies: build(c.id, level + 1) }));
  return build(null, 1);
}

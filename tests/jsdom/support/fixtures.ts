import type { CurrentUser } from "@/components/session/CurrentUser";
import type { AppPublication } from "@/backend/realtime/scopes";
import type { Signal } from "@/lib/realtime";
import { uuid } from "../../helpers/uuids";

/** Shared people and content for the jsdom tests; every id is a stable UUID (tests/helpers/uuids.ts). */
export const alice: CurrentUser = { id: uuid("alice"), username: "alice", name: "Alice Rahman" };
export const bob: CurrentUser = { id: uuid("bob"), username: "bob", name: "Bob Karim" };
export const carol: CurrentUser = { id: uuid("carol"), username: "carol", name: "Carol Hossain" };

export const at = (minute = 0) => new Date(Date.UTC(2026, 0, 15, 10, minute));

/**
 * A successful action result. `publications`: what the real action publishes; their signals come back in the
 * result exactly as runAction returns them, for the writer's own tab (useServerAction) to apply.
 */
export function ok<T>(data: T, publications?: readonly AppPublication[]): { ok: true; data: T; signals?: Signal[] } {
  if (!publications?.length) return { ok: true, data };
  return { ok: true, data, signals: publications.map((p) => p.signal as Signal) };
}

export const notFound = (message = "Not found.") => ({ ok: false as const, error: { code: "NOT_FOUND" as const, message } });

export type ArticleFixture = ReturnType<typeof articleDetail>;

export function articleDetail(name = "hello-realtime", over: Record<string, unknown> = {}) {
  return {
    id: uuid(`article:${name}`),
    title: "Hello, realtime",
    handle: name,
    excerpt: "",
    body: "First paragraph.",
    published_at: at(),
    created_at: at(),
    updated_at: at(),
    author: alice,
    tags: [] as { id: string; name: string }[],
    comment_count: 1,
    reaction_count: 0,
    ...over,
  };
}

/** An entry of a feed (home, tag, profile). */
export function articleSummary(name: string, title: string, over: Record<string, unknown> = {}) {
  return {
    id: uuid(`article:${name}`),
    title,
    handle: name,
    excerpt: "",
    published_at: at(),
    author: { id: alice.id, username: alice.username, name: alice.name },
    tags: [{ id: uuid("tag:nextjs"), name: "nextjs" }],
    ...over,
  };
}

/** A comment of a thread: `parent` null for a top-level comment on `root`, else the parent comment's id. */
export function threadComment(
  id: string,
  root: { resource_type: "ARTICLE" | "GIST"; resource_id: string },
  parent: string | null,
  depth: number,
  author: CurrentUser,
  body: string,
  minute = 0,
) {
  return {
    id,
    body,
    resource_id: parent ?? root.resource_id,
    resource_type: parent ? "COMMENT" : root.resource_type,
    parent_id: parent,
    depth,
    created_at: at(minute),
    updated_at: at(minute),
    author,
  };
}

export function gistDetail(name = "debounce", over: Record<string, unknown> = {}) {
  return {
    id: uuid(`gist:${name}`),
    title: `${name}.ts`,
    description: "",
    is_public: true,
    created_at: at(),
    updated_at: at(),
    owner: { id: bob.id, username: bob.username, name: bob.name },
    files: [{ id: uuid(`gist-file:${name}`), filename: `${name}.ts`, language: "typescript", content: "export {}" }],
    ...over,
  };
}

export const reactionCounts = (unicorns: number, reacted = false) => [{ reaction_type: "UNICORN", count: unicorns, reacted }];

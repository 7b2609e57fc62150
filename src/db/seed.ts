import { and, eq } from "drizzle-orm";
import type { Db } from "./client";
import { articleTag, articles, comments, gistFiles, gists, reactions, tags, users } from "./schema";
import type { ReactionType, ResourceType } from "./schema";
import type { Id } from "@/lib/ids";

const DEMO_USERS = [
  { username: "alice", name: "Alice Rahman", email: "alice@example.test", bio: "Writes about realtime web apps." },
  { username: "bob", name: "Bob Karim", email: "bob@example.test", bio: "Gists and small tools." },
  { username: "carol", name: "Carol Hossain", email: "carol@example.test", bio: "Reads everything, reacts to most." },
] as const;

export type DemoUsername = (typeof DEMO_USERS)[number]["username"];
export const DEMO_USERNAMES = DEMO_USERS.map((u) => u.username);

/**
 * Demo rows carry explicit, distinct timestamps. Ids are random UUIDs and say nothing about insertion order, and rows
 * written in one statement (or within the same millisecond, PGlite's clock resolution) would share their default
 * now(): lists ordered by time would then fall back to the random ids. With these, the thread reads in the order the
 * conversation happened, and the dashboard and gist lists in the order things were written.
 */
const at = (iso: string) => {
  const date = new Date(iso);
  return { created_at: date, updated_at: date };
};

/** Inserts the demo data; running it again changes nothing. */
export async function seed(db: Db) {
  await db.insert(users).values([...DEMO_USERS]).onConflictDoNothing();
  const rows = await db.select().from(users);
  const id = (username: DemoUsername) => rows.find((u) => u.username === username)!.id;
  const alice = id("alice");
  const bob = id("bob");
  const carol = id("carol");

  await db.insert(tags).values([{ name: "nextjs" }, { name: "realtime" }, { name: "postgres" }]).onConflictDoNothing();
  const tagRows = await db.select().from(tags);
  const tagId = (name: string) => tagRows.find((t) => t.name === name)!.id;

  await db
    .insert(articles)
    .values([
      {
        title: "Hello, realtime",
        handle: "hello-realtime",
        excerpt: "Signals, not payloads: how TechDiary keeps pages fresh.",
        body: "A write commits first. Then a tiny signal tells every open page which queries to refetch.\n\nThe socket never carries content, so a lost or forged signal can only cause a refetch.",
        published_at: new Date("2026-01-15T09:00:00Z"),
        author_id: alice,
        ...at("2026-01-15T09:00:00Z"),
      },
      {
        title: "Draft: channels and permissions",
        handle: "alice-draft",
        excerpt: "Not ready yet.",
        body: "Who may subscribe to a resource channel? Exactly who may read the resource.",
        published_at: null,
        author_id: alice,
        ...at("2026-01-20T16:00:00Z"),
      },
    ])
    .onConflictDoNothing();
  const [hello] = await db
    .select()
    .from(articles)
    .where(and(eq(articles.author_id, alice), eq(articles.handle, "hello-realtime")));
  await db
    .insert(articleTag)
    .values([
      { article_id: hello.id, tag_id: tagId("nextjs") },
      { article_id: hello.id, tag_id: tagId("realtime") },
    ])
    .onConflictDoNothing();

  const existingGists = await db.select().from(gists).where(eq(gists.owner_id, bob));
  if (existingGists.length === 0) {
    const [pub] = await db
      .insert(gists)
      .values({
        title: "debounce.ts",
        description: "A tiny trailing debounce.",
        is_public: true,
        owner_id: bob,
        ...at("2026-01-10T12:00:00Z"),
      })
      .returning();
    const [priv] = await db
      .insert(gists)
      .values({
        title: "notes.md",
        description: "Private scratch notes.",
        is_public: false,
        owner_id: bob,
        ...at("2026-01-12T08:00:00Z"),
      })
      .returning();
    await db.insert(gistFiles).values([
      {
        gist_id: pub.id,
        filename: "debounce.ts",
        language: "typescript",
        content: "export function debounce(fn: () => void, ms: number) {\n  let t: ReturnType<typeof setTimeout> | undefined;\n  return () => {\n    clearTimeout(t);\n    t = setTimeout(fn, ms);\n  };\n}\n",
      },
      { gist_id: priv.id, filename: "notes.md", language: "markdown", content: "- only bob can read this\n" },
    ]);
  }

  const commentOn = async (resource_type: ResourceType, resource_id: Id, user_id: Id, body: string, time: string) => {
    const where = and(
      eq(comments.resource_type, resource_type),
      eq(comments.resource_id, resource_id),
      eq(comments.user_id, user_id),
      eq(comments.body, body),
    );
    const [found] = await db.select().from(comments).where(where);
    if (found) return found;
    const [created] = await db.insert(comments).values({ resource_type, resource_id, user_id, body, ...at(time) }).returning();
    return created;
  };
  const first = await commentOn("ARTICLE", hello.id, bob, "Great intro. Does this work with several tabs open?", "2026-01-15T10:00:00Z");
  const reply = await commentOn("COMMENT", first.id, alice, "Yes: every tab holds its own subscription.", "2026-01-15T10:12:00Z");
  await commentOn("COMMENT", reply.id, carol, "Tried it with three tabs, all updated.", "2026-01-15T10:30:00Z");
  await commentOn("ARTICLE", hello.id, carol, "Bookmarked for later.", "2026-01-15T11:05:00Z");
  const publicGist = (await db.select().from(gists).where(and(eq(gists.owner_id, bob), eq(gists.is_public, true))))[0];
  if (publicGist) await commentOn("GIST", publicGist.id, alice, "Handy, thanks!", "2026-01-10T13:00:00Z");

  const react = (resource_type: ResourceType, resource_id: Id, user_id: Id, reaction_type: ReactionType) =>
    db.insert(reactions).values({ resource_type, resource_id, user_id, reaction_type }).onConflictDoNothing();
  await react("ARTICLE", hello.id, bob, "FIRE");
  await react("ARTICLE", hello.id, carol, "LOVE");
  await react("COMMENT", first.id, alice, "UNICORN");

  return { alice, bob, carol, helloArticleId: hello.id };
}

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { count, eq } from "drizzle-orm";
import { closeDb, type Db } from "@/db/client";
import { seed } from "@/db/seed";
import { articles, comments, gists, reactions, users } from "@/db/schema";
import { freshDb } from "../helpers/db";

let db: Db;
beforeAll(async () => {
  db = await freshDb();
});
afterAll(() => closeDb());

describe("migrations and seed", () => {
  it("creates the demo users, articles and gists", async () => {
    const names = (await db.select().from(users)).map((u) => u.username).sort();
    expect(names).toEqual(["alice", "bob", "carol"]);
    const arts = await db.select().from(articles);
    expect(arts.find((a) => a.handle === "hello-realtime")?.published_at).toBeInstanceOf(Date);
    expect(arts.find((a) => a.handle === "alice-draft")?.published_at).toBeNull();
    const g = await db.select().from(gists);
    expect(g.map((x) => x.is_public).sort()).toEqual([false, true]);
  });

  it("has a three-level comment thread", async () => {
    const all = await db.select().from(comments);
    const top = all.find((c) => c.resource_type === "ARTICLE")!;
    const reply = all.find((c) => c.resource_type === "COMMENT" && c.resource_id === top.id)!;
    const nested = all.find((c) => c.resource_type === "COMMENT" && c.resource_id === reply.id);
    expect(nested).toBeDefined();
  });

  it("is idempotent", async () => {
    const before = await Promise.all([users, articles, comments, reactions, gists].map((t) => db.select({ n: count() }).from(t)));
    await seed(db);
    await seed(db);
    const after = await Promise.all([users, articles, comments, reactions, gists].map((t) => db.select({ n: count() }).from(t)));
    expect(after).toEqual(before);
  });

  it("enforces one reaction per user, resource and type", async () => {
    const [r] = await db.select().from(reactions).limit(1);
    await expect(
      db.insert(reactions).values({ resource_id: r.resource_id, resource_type: r.resource_type, reaction_type: r.reaction_type, user_id: r.user_id }),
    ).rejects.toThrow();
    const rows = await db.select().from(reactions).where(eq(reactions.user_id, r.user_id));
    expect(rows.length).toBeGreaterThan(0);
  });
});

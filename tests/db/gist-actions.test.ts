import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { comments, gistFiles, gists, reactions } from "@/db/schema";
import { createMyGist, deleteMyGist, getGist, gistList, updateMyGist } from "@/backend/services/gist.actions";
import { signInAs } from "../helpers/db";
import { MALFORMED_IDS, MISSING_ID, type Seeded, failure, ok, rowCounts, setupSeededDb } from "./fixtures";

let db: Db;
let s: Seeded;
setupSeededDb((r) => ({ db, s } = r));

const written = () => rowCounts(gists, gistFiles, comments, reactions);
const gistRow = async (id: string) => (await db.select().from(gists).where(eq(gists.id, id)))[0];
const filesOf = async (id: string) => db.select().from(gistFiles).where(eq(gistFiles.gist_id, id));
const file = { filename: "a.ts", content: "export const a = 1;\n" };

describe("gist reads", () => {
  it("lists public gists to everyone and private ones to their owner", async () => {
    const anon = ok(await gistList({}));
    expect(anon.map((g) => g.id)).toEqual([s.publicGist]);
    expect(anon[0]).toMatchObject({ title: "debounce.ts", is_public: true, files_count: 1, owner: { username: "bob" } });
    await signInAs("alice");
    expect(ok(await gistList({})).map((g) => g.id)).toEqual([s.publicGist]);
    await signInAs("bob");
    // Newest first: the seed wrote the private gist after the public one.
    expect(ok(await gistList({})).map((g) => g.id)).toEqual([s.privateGist, s.publicGist]);
  });

  it("shows a gist with owner and files only to those who may read it", async () => {
    const g = ok(await getGist({ id: s.publicGist }));
    expect(g.owner).toEqual({ id: s.bob, username: "bob", name: "Bob Karim" });
    expect(g.files).toEqual([expect.objectContaining({ filename: "debounce.ts", language: "typescript" })]);
    failure(await getGist({ id: s.privateGist }), "NOT_FOUND");
    await signInAs("carol");
    failure(await getGist({ id: s.privateGist }), "NOT_FOUND");
    failure(await getGist({ id: MISSING_ID }), "NOT_FOUND");
    for (const id of MALFORMED_IDS) expect(failure(await getGist({ id }), "INVALID_INPUT")).toMatch(/^id: must be a UUID/);
    expect(ok(await getGist({ id: ` ${s.publicGist.toUpperCase()}\n` })).id).toBe(s.publicGist);
    await signInAs("bob");
    expect(ok(await getGist({ id: s.privateGist })).files[0].content).toContain("only bob");
  });
});

describe("createMyGist", () => {
  it("creates a gist with files, inferring the language, listed by file name", async () => {
    await signInAs("carol");
    const g = ok(
      await createMyGist({
        title: "snippets",
        is_public: false,
        files: [file, { filename: "notes.md", content: "# hi", language: "markdown" }, { filename: "Makefile", content: "all:" }],
      }),
    );
    expect(g).toMatchObject({ title: "snippets", description: "", is_public: false, owner: { username: "carol" } });
    // By name, ignoring case (as GitHub lists a gist's files), not in the order given: ids carry no order.
    expect(g.files.map((f) => [f.filename, f.language])).toEqual([
      ["a.ts", "typescript"],
      ["Makefile", "text"],
      ["notes.md", "markdown"],
    ]);
    expect(ok(await getGist({ id: g.id })).files).toEqual(g.files);
    await signInAs("alice");
    failure(await getGist({ id: g.id }), "NOT_FOUND");
  });

  it("refuses invalid input with a clear message and writes nothing", async () => {
    await signInAs("carol");
    const before = await written();
    expect(failure(await createMyGist({ title: "t", is_public: true, files: [] }), "INVALID_INPUT")).toMatch(/at least one file/);
    expect(failure(await createMyGist({ title: "t", is_public: true, files: Array(11).fill(file) }), "INVALID_INPUT")).toMatch(/at most 10/);
    expect(failure(await createMyGist({ title: "t", is_public: true, files: [file, file] }), "INVALID_INPUT")).toMatch(/unique/);
    expect(
      failure(await createMyGist({ title: "t", is_public: true, files: [{ filename: "../x", content: "" }] }), "INVALID_INPUT"),
    ).toMatch(/slash/);
    expect(failure(await createMyGist({ title: "", is_public: true, files: [file] }), "INVALID_INPUT")).toMatch(/title/i);
    failure(await createMyGist({ title: "t", files: [file] } as never), "INVALID_INPUT");
    expect(await written()).toEqual(before);
  });

  it("refuses signed-out callers and writes nothing", async () => {
    const before = await written();
    failure(await createMyGist({ title: "t", is_public: true, files: [file] }), "UNAUTHORIZED");
    expect(await written()).toEqual(before);
  });
});

describe("updateMyGist", () => {
  it("updates fields and replaces files", async () => {
    await signInAs("bob");
    const g = ok(await createMyGist({ title: "v1", is_public: true, files: [file] }));
    const u = ok(await updateMyGist({ id: g.id, title: "v2", is_public: false, files: [{ filename: "b.py", content: "print(1)" }] }));
    expect(u).toMatchObject({ title: "v2", is_public: false, was_public: true });
    expect(u.files.map((f) => [f.filename, f.language])).toEqual([["b.py", "python"]]);
    expect(ok(await updateMyGist({ id: g.id, description: "desc" }))).toMatchObject({ title: "v2", description: "desc" });
    expect(await filesOf(g.id)).toHaveLength(1);
    expect(ok(await updateMyGist({ id: g.id.toUpperCase(), title: "v3" }))).toMatchObject({ id: g.id, title: "v3" });
    failure(await updateMyGist({ id: "12", title: "v4" }), "INVALID_INPUT");
  });

  it("refuses foreign, invalid and signed-out requests; nothing changes", async () => {
    const [pub, priv, pubFiles] = [await gistRow(s.publicGist), await gistRow(s.privateGist), await filesOf(s.publicGist)];
    failure(await updateMyGist({ id: s.publicGist, title: "anon" }), "UNAUTHORIZED");
    await signInAs("alice");
    failure(await updateMyGist({ id: s.publicGist, title: "mine now", files: [file] }), "FORBIDDEN");
    failure(await updateMyGist({ id: s.privateGist, title: "mine now" }), "NOT_FOUND");
    await signInAs("bob");
    expect(failure(await updateMyGist({ id: s.publicGist, files: [] }), "INVALID_INPUT")).toMatch(/at least one file/);
    expect(await gistRow(s.publicGist)).toEqual(pub);
    expect(await gistRow(s.privateGist)).toEqual(priv);
    expect(await filesOf(s.publicGist)).toEqual(pubFiles);
  });
});

describe("deleteMyGist", () => {
  it("refuses foreign, invalid and signed-out requests; nothing deleted", async () => {
    const before = await written();
    failure(await deleteMyGist({ id: s.publicGist }), "UNAUTHORIZED");
    await signInAs("carol");
    failure(await deleteMyGist({ id: s.publicGist }), "FORBIDDEN");
    failure(await deleteMyGist({ id: s.privateGist }), "NOT_FOUND");
    failure(await deleteMyGist({ id: 1.5 as unknown as string }), "INVALID_INPUT");
    failure(await deleteMyGist({ id: "not-a-uuid" }), "INVALID_INPUT");
    failure(await deleteMyGist({ id: MISSING_ID }), "NOT_FOUND");
    expect(await written()).toEqual(before);
  });

  it("deletes the gist with its files, comments and reactions", async () => {
    await db.insert(reactions).values([
      { resource_type: "GIST", resource_id: s.publicGist, user_id: s.carol, reaction_type: "FIRE" },
      { resource_type: "COMMENT", resource_id: s.aliceOnGist, user_id: s.bob, reaction_type: "LOVE" },
    ]);
    await signInAs("bob");
    expect(ok(await deleteMyGist({ id: s.publicGist }))).toEqual({ id: s.publicGist, was_public: true });
    expect(await gistRow(s.publicGist)).toBeUndefined();
    expect(await filesOf(s.publicGist)).toEqual([]);
    expect(await db.select().from(comments).where(eq(comments.id, s.aliceOnGist))).toEqual([]);
    expect((await db.select().from(reactions)).filter((r) => r.resource_id === s.publicGist && r.resource_type === "GIST")).toEqual([]);
    expect((await db.select().from(reactions)).filter((r) => r.resource_id === s.aliceOnGist && r.resource_type === "COMMENT")).toEqual(
      [],
    );
  });
});

"use server";

import { asc, count, desc, eq, inArray, or, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db/client";
import { gistFiles, gists, users } from "@/db/schema";
import { ActionError, type ActionResult, runAction } from "@/backend/action-result";
import { getSession } from "@/backend/services/session.actions";
import { requireUser } from "@/backend/current-user";
import { assertReadable } from "@/backend/permissions";
import { deleteRootDependents } from "@/backend/queries/comment-thread";
import { languageOf } from "@/backend/gist-language";
import { publishInvalidate } from "@/backend/realtime/server";
import { gistSignals } from "@/backend/realtime/signals";
import { stampVersions } from "@/backend/realtime/versions";
import { type Id, Uuid } from "@/lib/ids";

type Owner = { id: Id; username: string; name: string };
export type GistSummary = {
  id: Id;
  title: string;
  description: string;
  is_public: boolean;
  created_at: Date;
  updated_at: Date;
  owner: Owner;
  files_count: number;
};
export type GistFile = { id: Id; filename: string; language: string; content: string };
export type GistDetail = Omit<GistSummary, "files_count"> & { files: GistFile[] };

const FileInput = z.object({
  filename: z
    .string()
    .trim()
    .min(1, "File name is required")
    .max(100, "File name is at most 100 characters")
    .refine((n) => !/[/\\\0]/.test(n) && n !== "." && n !== "..", "File name cannot contain slashes"),
  content: z.string().max(200_000, "A file is at most 200000 characters"),
  language: z.string().trim().min(1).max(40).optional(),
});
const Files = z
  .array(FileInput)
  .min(1, "A gist needs at least one file")
  .max(10, "A gist has at most 10 files")
  .refine((files) => new Set(files.map((f) => f.filename)).size === files.length, "File names must be unique");
const Title = z.string().trim().min(1, "Title is required").max(200, "Title is at most 200 characters");
const Description = z.string().trim().max(1000, "Description is at most 1000 characters");

const summaryColumns = {
  id: gists.id,
  title: gists.title,
  description: gists.description,
  is_public: gists.is_public,
  created_at: gists.created_at,
  updated_at: gists.updated_at,
  owner: { id: users.id, username: users.username, name: users.name },
};

/** Everyone's public gists plus the caller's private ones, newest first. */
export async function gistList(input: Record<string, never> = {}): Promise<ActionResult<GistSummary[]>> {
  return runAction(z.object({}).optional(), input, async () => {
    const { user } = await getSession();
    const db = await getDb();
    const visible = user ? or(eq(gists.is_public, true), eq(gists.owner_id, user.id)) : eq(gists.is_public, true);
    const rows = await db
      .select(summaryColumns)
      .from(gists)
      .innerJoin(users, eq(users.id, gists.owner_id))
      .where(visible)
      .orderBy(desc(gists.created_at), desc(gists.id));
    if (rows.length === 0) return [];
    const counts = await db
      .select({ gist_id: gistFiles.gist_id, n: count() })
      .from(gistFiles)
      .where(
        inArray(
          gistFiles.gist_id,
          rows.map((r) => r.id),
        ),
      )
      .groupBy(gistFiles.gist_id);
    const filesOf = new Map(counts.map((c) => [c.gist_id, Number(c.n)]));
    return rows.map((r) => ({ ...r, files_count: filesOf.get(r.id) ?? 0 }));
  });
}

async function gistDetail(id: Id): Promise<GistDetail> {
  const db = await getDb();
  const [row] = await db.select(summaryColumns).from(gists).innerJoin(users, eq(users.id, gists.owner_id)).where(eq(gists.id, id));
  if (!row) throw new ActionError("NOT_FOUND", "No such gist.");
  const files = await db
    .select({ id: gistFiles.id, filename: gistFiles.filename, language: gistFiles.language, content: gistFiles.content })
    .from(gistFiles)
    .where(eq(gistFiles.gist_id, id))
    // By name, case-insensitively, as GitHub lists a gist's files (random UUID ids carry no insertion order).
    .orderBy(asc(sql`lower(${gistFiles.filename})`), asc(gistFiles.filename));
  return { ...row, files };
}

export async function getGist(input: { id: string }): Promise<ActionResult<GistDetail>> {
  return runAction(z.object({ id: Uuid }), input, async ({ id }) => {
    await assertReadable(await getSession(), "GIST", id);
    return gistDetail(id);
  });
}

function fileRows(gistId: Id, files: z.output<typeof Files>) {
  return files.map((f) => ({
    gist_id: gistId,
    filename: f.filename,
    content: f.content,
    language: f.language ?? languageOf(f.filename),
  }));
}

const CreateInput = z.object({ title: Title, description: Description.optional(), is_public: z.boolean(), files: Files });

export async function createMyGist(input: z.input<typeof CreateInput>): Promise<ActionResult<GistDetail>> {
  return runAction(CreateInput, input, async ({ title, description, is_public, files }) => {
    const me = await requireUser();
    const db = await getDb();
    const { id, announced } = await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(gists)
        .values({ title, description: description ?? "", is_public, owner_id: me.id })
        .returning({ id: gists.id });
      await tx.insert(gistFiles).values(fileRows(row.id, files));
      return { id: row.id, announced: await stampVersions(tx, gistSignals(me.id, null)) };
    });
    publishInvalidate(announced);
    return gistDetail(id);
  });
}

/** A gist the caller may change: hidden ones are NOT_FOUND, readable foreign ones FORBIDDEN. */
async function ownGist(id: Id) {
  const me = await requireUser();
  await assertReadable(await getSession(), "GIST", id);
  const db = await getDb();
  const [row] = await db.select({ owner_id: gists.owner_id, is_public: gists.is_public }).from(gists).where(eq(gists.id, id));
  if (!row) throw new ActionError("NOT_FOUND", "No such gist.");
  if (row.owner_id !== me.id) throw new ActionError("FORBIDDEN", "You can only change your own gists.");
  return { db, row, me };
}

const UpdateInput = z.object({
  id: Uuid,
  title: Title.optional(),
  description: Description.optional(),
  is_public: z.boolean().optional(),
  files: Files.optional(),
});

/** Edits fields; `files`, when given, replaces the whole file list. */
export async function updateMyGist(
  input: z.input<typeof UpdateInput>,
): Promise<ActionResult<GistDetail & { was_public: boolean }>> {
  return runAction(UpdateInput, input, async ({ id, files, ...fields }) => {
    const { db, row, me } = await ownGist(id);
    const announced = await db.transaction(async (tx) => {
      await tx
        .update(gists)
        .set({ ...fields, updated_at: new Date() })
        .where(eq(gists.id, id));
      if (files) {
        await tx.delete(gistFiles).where(eq(gistFiles.gist_id, id));
        await tx.insert(gistFiles).values(fileRows(id, files));
      }
      return stampVersions(tx, gistSignals(me.id, id));
    });
    // Turning private needs nothing special: open pages of other viewers refetch, meet NOT_FOUND and leave.
    publishInvalidate(announced);
    return { ...(await gistDetail(id)), was_public: row.is_public };
  });
}

export async function deleteMyGist(input: { id: string }): Promise<ActionResult<{ id: Id; was_public: boolean }>> {
  return runAction(z.object({ id: Uuid }), input, async ({ id }) => {
    const { db, row, me } = await ownGist(id);
    const announced = await db.transaction(async (tx) => {
      await deleteRootDependents(tx, "GIST", [id]);
      await tx.delete(gists).where(eq(gists.id, id));
      return stampVersions(tx, gistSignals(me.id, id));
    });
    publishInvalidate(announced);
    return { id, was_public: row.is_public };
  });
}

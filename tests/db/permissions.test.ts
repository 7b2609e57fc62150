import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { closeDb, getDb } from "@/db/client";
import { comments } from "@/db/schema";
import { canReadResource, resolveCommentRoot } from "@/backend/permissions";
import { NO_SESSION, resolveSessionToken, type SessionResult } from "@/backend/session-store";
import type { ResourceType } from "@/lib/resource-types";
import { freshDb, signInAs } from "../helpers/db";
import { resetRequest } from "../helpers/next-request";
import { MALFORMED_IDS, MISSING_ID, type Seeded, seeded } from "./fixtures";

let s: Seeded;
let onDraft: string;
let onPrivateGist: string;
let replyOnPrivateGist: string;
const sessions: Record<string, SessionResult> = {};

beforeAll(async () => {
  const db = await freshDb();
  s = await seeded();
  // The seed has no comments on hidden resources; these make the COMMENT rows of the matrix.
  [{ id: onDraft }] = await db
    .insert(comments)
    .values({ body: "note to self", resource_type: "ARTICLE", resource_id: s.draft, user_id: s.alice })
    .returning({ id: comments.id });
  [{ id: onPrivateGist }] = await db
    .insert(comments)
    .values({ body: "private remark", resource_type: "GIST", resource_id: s.privateGist, user_id: s.bob })
    .returning({ id: comments.id });
  [{ id: replyOnPrivateGist }] = await db
    .insert(comments)
    .values({ body: "private reply", resource_type: "COMMENT", resource_id: onPrivateGist, user_id: s.bob })
    .returning({ id: comments.id });
  sessions.anonymous = NO_SESSION;
  for (const name of ["alice", "bob", "carol"]) {
    sessions[name] = await resolveSessionToken((await signInAs(name)).token);
  }
  resetRequest();
});
afterAll(() => closeDb());

type Case = { what: string; type: ResourceType; id: () => string; readers: string[] };
const everyone = ["anonymous", "alice", "bob", "carol"];
const cases: Case[] = [
  { what: "published article", type: "ARTICLE", id: () => s.hello, readers: everyone },
  { what: "draft article", type: "ARTICLE", id: () => s.draft, readers: ["alice"] },
  { what: "public gist", type: "GIST", id: () => s.publicGist, readers: everyone },
  { what: "private gist", type: "GIST", id: () => s.privateGist, readers: ["bob"] },
  { what: "comment on the published article", type: "COMMENT", id: () => s.bobTop, readers: everyone },
  { what: "depth-3 reply on the published article", type: "COMMENT", id: () => s.carolNested, readers: everyone },
  { what: "comment on the draft", type: "COMMENT", id: () => onDraft, readers: ["alice"] },
  { what: "comment on the public gist", type: "COMMENT", id: () => s.aliceOnGist, readers: everyone },
  { what: "comment on the private gist", type: "COMMENT", id: () => onPrivateGist, readers: ["bob"] },
  { what: "reply on the private gist", type: "COMMENT", id: () => replyOnPrivateGist, readers: ["bob"] },
  { what: "unknown article", type: "ARTICLE", id: () => MISSING_ID, readers: [] },
  { what: "unknown gist", type: "GIST", id: () => MISSING_ID, readers: [] },
  { what: "unknown comment", type: "COMMENT", id: () => MISSING_ID, readers: [] },
];

describe("canReadResource", () => {
  for (const c of cases) {
    for (const viewer of everyone) {
      const expected = c.readers.includes(viewer);
      it(`${viewer} ${expected ? "can" : "cannot"} read the ${c.what}`, async () => {
        expect(await canReadResource(sessions[viewer], c.type, c.id())).toBe(expected);
      });
    }
  }

  it("treats nonsense ids as unreadable, without a query", async () => {
    const db = await getDb();
    const select = vi.spyOn(db, "select");
    try {
      // Only the canonical form is an id here: upper case and padding are for input schemas to normalise.
      const nonsense = [...MALFORMED_IDS, s.hello.toUpperCase(), ` ${s.hello}`, 1 as unknown as string, null as unknown as string];
      for (const id of nonsense) {
        for (const type of ["ARTICLE", "GIST", "COMMENT"] as const) {
          expect(await canReadResource(sessions.alice, type, id), `${type} ${String(id)}`).toBe(false);
        }
      }
      expect(select).not.toHaveBeenCalled();
    } finally {
      select.mockRestore();
    }
  });
});

describe("resolveCommentRoot", () => {
  it("walks a reply up to its root with its depth", async () => {
    expect(await resolveCommentRoot(s.bobTop)).toEqual({ resource_type: "ARTICLE", resource_id: s.hello, depth: 1 });
    expect(await resolveCommentRoot(s.aliceReply)).toEqual({ resource_type: "ARTICLE", resource_id: s.hello, depth: 2 });
    expect(await resolveCommentRoot(s.carolNested)).toEqual({ resource_type: "ARTICLE", resource_id: s.hello, depth: 3 });
    expect(await resolveCommentRoot(replyOnPrivateGist)).toEqual({ resource_type: "GIST", resource_id: s.privateGist, depth: 2 });
  });

  it("returns null for an unknown comment, and for a non-UUID without a query", async () => {
    expect(await resolveCommentRoot(MISSING_ID)).toBeNull();
    const db = await getDb();
    const select = vi.spyOn(db, "select");
    try {
      for (const id of [...MALFORMED_IDS, s.bobTop.toUpperCase()]) expect(await resolveCommentRoot(id), id).toBeNull();
      expect(select).not.toHaveBeenCalled();
    } finally {
      select.mockRestore();
    }
  });
});

"use server";

import { and, count, eq } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db/client";
import { reactions } from "@/db/schema";
import { type ActionResult, runAction } from "@/backend/action-result";
import { getSession } from "@/backend/services/session.actions";
import { requireUser } from "@/backend/current-user";
import { assertReadable, resolveCommentRoot } from "@/backend/permissions";
import { requestNotification } from "@/lib/inngest";
import { type Id, Uuid } from "@/lib/ids";
import { REACTION_TYPES, RESOURCE_TYPES, type ReactionType, type ResourceType } from "@/lib/resource-types";
import { publishInvalidate } from "@/backend/realtime/server";
import { stampVersions } from "@/backend/realtime/versions";
import { type ThreadRoot, reactionSignal } from "@/backend/realtime/signals";

export type ReactionCount = { reaction_type: ReactionType; count: number; reacted: boolean };

const Target = z.object({ resource_id: Uuid, resource_type: z.enum(RESOURCE_TYPES) });

/** Counts of all six reaction types on a resource, and which of them the caller has given. */
export async function getResourceReactions(input: { resource_id: string; resource_type: ResourceType }): Promise<ActionResult<ReactionCount[]>> {
  return runAction(Target, input, async ({ resource_id, resource_type }) => {
    const session = await getSession();
    await assertReadable(session, resource_type, resource_id);
    const db = await getDb();
    const on = and(eq(reactions.resource_type, resource_type), eq(reactions.resource_id, resource_id));
    const [counts, mine] = await Promise.all([
      db.select({ type: reactions.reaction_type, n: count() }).from(reactions).where(on).groupBy(reactions.reaction_type),
      session.user
        ? db.select({ type: reactions.reaction_type }).from(reactions).where(and(on, eq(reactions.user_id, session.user.id)))
        : Promise.resolve([]),
    ]);
    return REACTION_TYPES.map((reaction_type) => ({
      reaction_type,
      count: Number(counts.find((c) => c.type === reaction_type)?.n ?? 0),
      reacted: mine.some((m) => m.type === reaction_type),
    }));
  });
}

/** The page showing a resource's reactions: the article or gist itself, or a comment's thread root. */
async function pageOf(resource_type: ResourceType, resource_id: Id): Promise<ThreadRoot | null> {
  if (resource_type !== "COMMENT") return { resource_type, resource_id };
  const root = await resolveCommentRoot(resource_id);
  return root && { resource_type: root.resource_type, resource_id: root.resource_id };
}

const ToggleInput = Target.extend({ reaction_type: z.enum(REACTION_TYPES) });

/** Adds the caller's reaction of that type, or removes it if present. */
export async function toggleResourceReaction(input: z.input<typeof ToggleInput>): Promise<ActionResult<{ reacted: boolean }>> {
  return runAction(ToggleInput, input, async ({ resource_id, resource_type, reaction_type }) => {
    const me = await requireUser();
    await assertReadable(await getSession(), resource_type, resource_id);
    const db = await getDb();
    const mine = and(
      eq(reactions.user_id, me.id),
      eq(reactions.resource_type, resource_type),
      eq(reactions.resource_id, resource_id),
      eq(reactions.reaction_type, reaction_type),
    );
    const target = { resource_type, resource_id };
    const root = await pageOf(resource_type, resource_id);
    const { reacted, added, announced } = await db.transaction(async (tx) => {
      const stamp = () => (root ? stampVersions(tx, reactionSignal(target, root)) : Promise.resolve([]));
      const removed = await tx.delete(reactions).where(mine).returning({ id: reactions.id });
      if (removed.length > 0) return { reacted: false, added: false, announced: await stamp() };
      const [row] = await tx
        .insert(reactions)
        .values({ user_id: me.id, resource_type, resource_id, reaction_type })
        .onConflictDoNothing()
        .returning({ id: reactions.id });
      // Racing double-click: the other request inserted it; either way the reaction now exists.
      return { reacted: true, added: row !== undefined, announced: row ? await stamp() : [] };
    });
    publishInvalidate(announced);
    if (!reacted) return { reacted: false };
    if (added) {
      // Keyed by (actor, resource, reaction kind), not by this row: toggling off and on again asks again, and the
      // repeat writes and signals nothing (notificationKey() in the notification builder).
      requestNotification({ actor_id: me.id, kind: "reaction", resource_type, resource_id, reaction_type });
    }
    return { reacted: true };
  });
}

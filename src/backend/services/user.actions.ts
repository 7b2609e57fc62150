"use server";

import { eq } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db/client";
import { users } from "@/db/schema";
import { ActionError, type ActionResult, runAction } from "@/backend/action-result";
import { requireUser } from "@/backend/current-user";
import { publishInvalidate } from "@/backend/realtime/server";
import { profileSignals } from "@/backend/realtime/signals";
import { stampVersions } from "@/backend/realtime/versions";
import type { Id } from "@/lib/ids";

export type UserProfile = { id: Id; username: string; name: string; bio: string };

const profileColumns = { id: users.id, username: users.username, name: users.name, bio: users.bio };

export async function getUserProfile(input: { username: string }): Promise<ActionResult<UserProfile>> {
  return runAction(z.object({ username: z.string().trim().min(1).max(50) }), input, async ({ username }) => {
    const db = await getDb();
    const [user] = await db.select(profileColumns).from(users).where(eq(users.username, username));
    if (!user) throw new ActionError("NOT_FOUND", "No such user.");
    return user;
  });
}

const ProfileInput = z.object({
  name: z.string().trim().min(1, "Name is required").max(80, "Name is at most 80 characters"),
  bio: z.string().trim().max(500, "Bio is at most 500 characters"),
});

export async function updateMyProfile(input: z.input<typeof ProfileInput>): Promise<ActionResult<UserProfile>> {
  return runAction(ProfileInput, input, async ({ name, bio }) => {
    const me = await requireUser();
    const db = await getDb();
    const { user, announced } = await db.transaction(async (tx) => {
      const [user] = await tx
        .update(users)
        .set({ name, bio, updated_at: new Date() })
        .where(eq(users.id, me.id))
        .returning(profileColumns);
      return { user, announced: await stampVersions(tx, profileSignals(me.id, user.name !== me.name)) };
    });
    publishInvalidate(announced);
    return user;
  });
}

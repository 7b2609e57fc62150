import "server-only";
import { getSession } from "@/backend/services/session.actions";
import { ActionError } from "@/backend/action-result";
import type { PublicUser } from "@/backend/session-store";

/** The signed-in user, or an UNAUTHORIZED refusal: every write starts here. */
export async function requireUser(): Promise<PublicUser> {
  const { user } = await getSession();
  if (!user) throw new ActionError("UNAUTHORIZED", "Sign in first.");
  return user;
}

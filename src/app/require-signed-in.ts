import "server-only";
import { redirect } from "next/navigation";
import { getSession } from "@/backend/services/session.actions";

/** Pages for signed-in users only; everyone else goes to /login, which brings them back to `returnTo`. */
export async function requireSignedIn(returnTo: string) {
  const { user } = await getSession();
  if (!user) redirect(`/login?next=${encodeURIComponent(returnTo)}`);
  return user;
}

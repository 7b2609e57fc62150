import type { Metadata } from "next";
import { asc } from "drizzle-orm";
import { getDb } from "@/db/client";
import { users } from "@/db/schema";
import { demoLoginEnabled } from "@/env";
import { safeRedirectPath } from "@/lib/safe-redirect";

export const metadata: Metadata = { title: "Sign in" };
// The user list comes from the database of the running server, never from build time.
export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function LoginPage({ searchParams }: Props) {
  const params = await searchParams;
  const wanted = safeRedirectPath(params.next);
  const next = wanted === "/" ? undefined : wanted;

  if (!demoLoginEnabled()) {
    return (
      <section className="mx-auto max-w-md">
        <h1 className="mb-4 text-2xl font-bold tracking-tight">Sign in</h1>
        <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-800">
          Demo sign-in is disabled. Set <code className="font-mono">DEMO_LOGIN=1</code> to enable it outside development.
        </p>
      </section>
    );
  }

  const db = await getDb();
  const people = await db
    .select({ id: users.id, username: users.username, name: users.name, bio: users.bio })
    .from(users)
    .orderBy(asc(users.username));

  return (
    <section className="mx-auto max-w-md">
      <h1 className="mb-2 text-2xl font-bold tracking-tight">Sign in</h1>
      <p className="mb-6 text-sm text-slate-600">
        This is a demo: pick a seeded user. Open a second browser (or a private window) as another user to watch
        changes arrive in realtime.
      </p>
      {people.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 px-4 py-8 text-center text-sm text-slate-500">
          No users yet. The demo data is seeded when the server starts.
        </p>
      ) : (
        <ul className="space-y-3">
          {people.map((person) => (
            <li key={person.id}>
              <form
                method="post"
                action="/api/auth/demo-login"
                className="flex items-center justify-between gap-4 rounded-lg border border-slate-200 bg-white p-4 shadow-sm"
              >
                <input type="hidden" name="username" value={person.username} />
                {next ? <input type="hidden" name="next" value={next} /> : null}
                <div className="min-w-0">
                  <p className="font-medium text-slate-900">{person.name}</p>
                  <p className="truncate text-sm text-slate-500">
                    @{person.username}
                    {person.bio ? ` · ${person.bio}` : ""}
                  </p>
                </div>
                <button
                  type="submit"
                  className="shrink-0 rounded-md bg-slate-900 px-3 py-2 text-sm font-medium text-white hover:bg-slate-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-slate-900"
                >
                  Sign in as {person.username}
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

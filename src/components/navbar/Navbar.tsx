"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { logout } from "@/backend/services/session.actions";
import { useCurrentUser } from "@/components/session/CurrentUser";
import { ErrorMessage } from "@/components/ui/ErrorMessage";
import { RealtimeStatusIndicator } from "@/components/realtime/RealtimeStatusIndicator";
import { UnreadBadge } from "./UnreadBadge";

const LINKS = [
  { href: "/", label: "Home" },
  { href: "/gists", label: "Gists" },
  { href: "/dashboard", label: "Dashboard" },
] as const;

function isActive(pathname: string, href: string) {
  if (href === "/") return pathname === "/";
  if (href === "/dashboard") return pathname === "/dashboard" || (pathname.startsWith("/dashboard/") && !pathname.startsWith("/dashboard/notifications"));
  return pathname === href || pathname.startsWith(`${href}/`);
}

export function Navbar() {
  const user = useCurrentUser();
  const pathname = usePathname() ?? "/";
  const router = useRouter();
  const queryClient = useQueryClient();
  const [signingOut, setSigningOut] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function signOut() {
    setSigningOut(true);
    setError(null);
    try {
      await logout();
      // Cached data belongs to the user who just left; nothing of it may survive into the next session.
      queryClient.clear();
      router.refresh();
    } catch (err) {
      setError(err);
    } finally {
      setSigningOut(false);
    }
  }

  const linkClass = (href: string) =>
    `rounded-md px-2 py-1 text-sm font-medium ${
      isActive(pathname, href) ? "bg-slate-100 text-slate-900" : "text-slate-600 hover:bg-slate-100 hover:text-slate-900"
    }`;

  return (
    <header className="sticky top-0 z-10 border-b border-slate-200 bg-white/90 backdrop-blur">
      <nav aria-label="Main" className="mx-auto flex w-full max-w-3xl flex-wrap items-center gap-x-3 gap-y-2 px-4 py-3">
        <Link href="/" className="order-1 mr-2 text-lg font-bold tracking-tight text-slate-900">
          TechDiary
        </Link>
        <div className="order-3 flex w-full flex-wrap items-center gap-1 sm:order-2 sm:w-auto">
          {LINKS.map((l) => (
            <Link key={l.href} href={l.href} className={linkClass(l.href)}>
              {l.label}
            </Link>
          ))}
          <Link href="/dashboard/notifications" className={`inline-flex items-center ${linkClass("/dashboard/notifications")}`}>
            Notifications
            <UnreadBadge enabled={user !== null} />
          </Link>
        </div>
        <div className="order-2 ml-auto flex items-center gap-2 sm:order-3">
          <RealtimeStatusIndicator />
          {user ? (
            <>
              <Link href={`/@${user.username}`} className="text-sm font-medium text-slate-700 hover:underline">
                {user.username}
              </Link>
              <button
                type="button"
                onClick={signOut}
                disabled={signingOut}
                className="rounded-md border border-slate-300 px-2 py-1 text-sm text-slate-700 hover:bg-slate-100 disabled:opacity-50"
              >
                Sign out
              </button>
            </>
          ) : (
            <Link href="/login" className="rounded-md bg-slate-900 px-3 py-1 text-sm font-medium text-white hover:bg-slate-700">
              Sign in
            </Link>
          )}
        </div>
        {error ? <ErrorMessage error={error} className="order-4 w-full" /> : null}
      </nav>
    </header>
  );
}

"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const TABS = [
  { href: "/dashboard", label: "My articles" },
  { href: "/dashboard/bookmarks", label: "Bookmarks" },
  { href: "/dashboard/sessions", label: "Sessions" },
  { href: "/dashboard/profile", label: "Profile" },
] as const;

/** Notifications are reached from the main navbar (with its unread badge), so they have no tab here. */
export function DashboardNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Dashboard" className="-mx-4 mb-6 overflow-x-auto border-b border-slate-200 px-4">
      <ul className="flex min-w-max gap-4">
        {TABS.map((t) => {
          const active = pathname === t.href;
          return (
            <li key={t.href}>
              <Link
                href={t.href}
                aria-current={active ? "page" : undefined}
                className={`-mb-px inline-block border-b-2 px-1 pb-2 text-sm font-medium ${
                  active ? "border-slate-900 text-slate-900" : "border-transparent text-slate-500 hover:text-slate-800"
                }`}
              >
                {t.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

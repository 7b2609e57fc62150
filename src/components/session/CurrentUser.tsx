"use client";

import { createContext, useContext, type ReactNode } from "react";

/** The part of the signed-in user the browser may know about (no email, no session token). */
export type CurrentUser = { id: string; username: string; name: string };

const CurrentUserContext = createContext<CurrentUser | null>(null);

export function CurrentUserProvider({ user, children }: { user: CurrentUser | null; children: ReactNode }) {
  return <CurrentUserContext.Provider value={user}>{children}</CurrentUserContext.Provider>;
}

/** null when signed out. The layout re-renders on router.refresh(), so this follows sign-in and sign-out. */
export function useCurrentUser(): CurrentUser | null {
  return useContext(CurrentUserContext);
}

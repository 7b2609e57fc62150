import { createContext } from "react";
import type { RealtimeConnection } from "./connection";

export type RealtimeContextValue = {
  /** Null until the provider's effect has run (server render, first paint). */
  connection: RealtimeConnection | null;
  userId: string | null;
  configured: boolean;
};

export const RealtimeContext = createContext<RealtimeContextValue | null>(null);

import type { InvalidateSignal } from "@/lib/realtime/scopes";

/** One signal and the channels it goes to: what a write announces, built by the *-signals helpers. */
export type Publication = { channels: string[]; signal: InvalidateSignal };

/** A thread's root: the article or gist whose channel carries everything said under it. */
export type ThreadRoot = { resource_type: "ARTICLE" | "GIST"; resource_id: string };

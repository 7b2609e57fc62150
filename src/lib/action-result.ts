import type { Signal } from "@/lib/realtime";

export type ActionErrorCode = "INVALID_INPUT" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "CONFLICT" | "INTERNAL";

export type ActionResult<T> =
  /**
   * `signals`: what the action published, for the writer's own tab to apply (useServerAction); absent if none.
   * `versions`: the channel versions those signals carry, in order, so that tab counts them as heard.
   */
  | { ok: true; data: T; signals?: Signal[]; versions?: (readonly [string, number])[] }
  | { ok: false; error: { code: ActionErrorCode; message: string; fields?: Record<string, string[]> } };

/** For TanStack Query, which expects a failed fetch or mutation to throw. */
export function unwrap<T>(result: ActionResult<T>): T {
  if (!result.ok) throw new Error(result.error.message);
  return result.data;
}

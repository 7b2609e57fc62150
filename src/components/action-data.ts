import type { ActionResult } from "@/lib/action-result";

/** The success payload of a server action, so components stay typed by the action itself. */
export type ActionData<F extends (...args: never[]) => Promise<ActionResult<unknown>>> = Extract<
  Awaited<ReturnType<F>>,
  { ok: true }
>["data"];

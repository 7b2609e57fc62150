import "server-only";
import { z } from "zod";

import type { ActionErrorCode, ActionResult } from "@/lib/action-result";
import { collectSignals } from "@/backend/realtime/server";

export type { ActionResult };

/** Thrown inside an action body for an expected refusal; runAction turns it into a result. */
export class ActionError extends Error {
  constructor(
    readonly code: ActionErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Validates input, runs the body and returns a result instead of throwing: Next.js hides thrown
 * messages in production, and the UI must be able to show the user what went wrong. The body runs inside the
 * realtime layer's collectSignals: what it publishes is sent at commit (never awaited), without the calling tab (its
 * X-Socket-Id), and comes back in the result for that tab to apply to its own queries.
 */
export async function runAction<S extends z.ZodType, T>(
  schema: S,
  input: unknown,
  body: (input: z.output<S>) => Promise<T>,
): Promise<ActionResult<T>> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const fields: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) {
      const key = issue.path.join(".") || "input";
      (fields[key] ??= []).push(issue.message);
    }
    const first = parsed.error.issues[0];
    const where = first?.path.length ? `${first.path.join(".")}: ` : "";
    return { ok: false, error: { code: "INVALID_INPUT", message: `${where}${first?.message ?? "invalid input"}`, fields } };
  }
  try {
    const { value, signals, versions } = await collectSignals(() => body(parsed.data));
    if (signals.length === 0) return { ok: true, data: value };
    return versions.length > 0 ? { ok: true, data: value, signals, versions } : { ok: true, data: value, signals };
  } catch (err) {
    if (err instanceof ActionError) return { ok: false, error: { code: err.code, message: err.message } };
    console.error("[action] unexpected failure", err);
    return { ok: false, error: { code: "INTERNAL", message: "Something went wrong. Please try again." } };
  }
}

import "server-only";
import { notFound } from "next/navigation";
import type { ActionResult } from "@/lib/action-result";

/**
 * For server pages: a resource the visitor may not read is a 404 (its existence does not leak);
 * any other failure is a real error for the error boundary.
 */
export function dataOrNotFound<T>(result: ActionResult<T>): T {
  if (result.ok) return result.data;
  if (result.error.code === "NOT_FOUND" || result.error.code === "FORBIDDEN" || result.error.code === "INVALID_INPUT") {
    notFound();
  }
  throw new Error(result.error.message);
}

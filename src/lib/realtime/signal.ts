/**
 * The `invalidate` signal: which scope changed and the few ids needed to name its query keys. Never content,
 * so a forged or replayed signal can only cause a refetch. Isomorphic: no server imports.
 */
import { z } from "zod";

export const INVALIDATE_EVENT = "invalidate";
/** Hard bound on the serialized signal; real ones are well under 200 bytes. */
export const SIGNAL_MAX_BYTES = 1024;
const MAX_IDS = 8;

const positiveId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
// Resource types ("ARTICLE") and other short tokens; no spaces or markup, so nothing worth rendering fits.
const shortToken = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/);

export const SignalIdsSchema = z
  .record(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/), z.union([positiveId, shortToken]))
  .refine((ids) => Object.keys(ids).length <= MAX_IDS, `at most ${MAX_IDS} ids`);

export const SignalSchema = z.strictObject({
  scope: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/),
  ids: SignalIdsSchema.optional(),
});

export type SignalIds = z.infer<typeof SignalIdsSchema>;
/** Structurally valid; whether the scope exists and its ids suffice is the scope registry's call. */
export type Signal = z.infer<typeof SignalSchema>;

export function signalByteLength(value: unknown): number | null {
  try {
    const json = typeof value === "string" ? value : JSON.stringify(value);
    return json === undefined ? null : new TextEncoder().encode(json).length;
  } catch {
    return null; // cycles, BigInt
  }
}

/** Accepts the object pusher-js hands over (or its JSON text); anything else, or anything too big, is null. */
export function parseSignal(raw: unknown): Signal | null {
  const bytes = signalByteLength(raw);
  if (bytes === null || bytes > SIGNAL_MAX_BYTES) return null;
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      return null;
    }
  }
  const parsed = SignalSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

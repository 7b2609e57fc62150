/**
 * Row ids, shared by server actions, pages and the client (no server imports here). Every table's primary key is a
 * random UUID (`gen_random_uuid()`); Postgres prints it in canonical lowercase, so that is the one spelling used in
 * URLs, query keys and realtime channel names.
 */
import { z } from "zod";

export type Id = string;

/** A canonical (lowercase, hyphenated) UUID. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * An id from outside (action input, URL segment, event data): trimmed and lower-cased, then refused unless it is a
 * UUID, so a malformed id is an INVALID_INPUT answer and never reaches Postgres (where it would be a query error).
 */
export const Uuid = z.string().trim().toLowerCase().regex(UUID_PATTERN, "must be a UUID");

/** True for a canonical UUID only (no trimming or case folding): for values that come from the database. */
export function isUuid(value: unknown): value is Id {
  return typeof value === "string" && UUID_PATTERN.test(value);
}

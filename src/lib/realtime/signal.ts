/**
 * The `invalidate` signal: which scope changed and the few ids needed to name its query keys. Never content,
 * so a forged or replayed signal can only cause a refetch. Isomorphic: no server imports.
 *
 * `v` is the version its channel reached with the write it announces (one per channel, so a signal for several
 * channels is sent as one message per channel). A tab that knows the channel at an older version than v - 1 missed
 * a signal and resyncs (client/versions.ts); a signal without `v` is applied and tracks nothing.
 */
import { z } from "zod/v4";

export const INVALIDATE_EVENT = "invalidate";
/** Hard bound on the serialized signal; real ones are well under 200 bytes. */
export const SIGNAL_MAX_BYTES = 1024;
const MAX_IDS = 8;

// The patterns are shared by the schema (the definition) and the fast path below.
// Resource types ("ARTICLE") and other short tokens; no spaces or markup, so nothing worth rendering fits.
const SHORT_TOKEN = /^[A-Za-z0-9_.:-]{1,64}$/;
const ID_NAME = /^[a-z][a-z0-9_]{0,31}$/;
const SCOPE_NAME = /^[a-z][a-z0-9-]{0,39}$/;

const positiveId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const shortToken = z.string().regex(SHORT_TOKEN);

// zod's record skips an own "__proto__" key without checking it (found by tests/fuzz): refused before it gets there.
const hasOwnProtoKey = (value: unknown) => typeof value === "object" && value !== null && Object.hasOwn(value, "__proto__");

export const SignalIdsSchema = z
  .custom<unknown>((value) => !hasOwnProtoKey(value), "an id may not be named __proto__")
  .pipe(
    z
      .record(z.string().regex(ID_NAME), z.union([positiveId, shortToken]))
      .refine((ids) => Object.keys(ids).length <= MAX_IDS, `at most ${MAX_IDS} ids`),
  );

/** The channel authorization answer may carry the channel's version: the tab's baseline for gap detection. */
export const CHANNEL_VERSION_FIELD = "channel_version";

/** A channel version: bumped per write, so it stays far below 2^53 for the life of any app. */
export const ChannelVersionSchema = positiveId;

export const SignalSchema = z.strictObject({
  scope: z.string().regex(SCOPE_NAME),
  ids: SignalIdsSchema.optional(),
  v: ChannelVersionSchema.optional(),
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

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype;

/**
 * The hot path of SignalSchema (zod's record + union + refine costs about 13 us per cold call, this about 1 us):
 * a plain check that accepts only what the schema accepts, with the same output, and returns null for anything
 * else, including valid but unusual input, which then goes to the schema. The schema stays the definition; a
 * test holds the two together. Everything it accepts serializes well under SIGNAL_MAX_BYTES (40-character scope,
 * at most 8 ids of at most 32 + 64 characters, none needing escapes), so no size measurement is needed.
 */
export function fastSignal(value: unknown): Signal | null {
  if (!isPlainObject(value)) return null;
  let fields = 0;
  for (const name in value) {
    if (name !== "scope" && name !== "ids" && name !== "v") return null;
    fields++;
  }
  const { scope, ids, v } = value;
  if (typeof scope !== "string" || !SCOPE_NAME.test(scope)) return null;
  if (v !== undefined && !(typeof v === "number" && Number.isSafeInteger(v) && v > 0)) return null;
  const versioned = v === undefined ? {} : { v };
  if (fields === (v === undefined ? 1 : 2)) return { scope, ...versioned };
  if (!isPlainObject(ids)) return null;
  const out: Record<string, number | string> = {};
  let count = 0;
  for (const name in ids) {
    if (++count > MAX_IDS || !ID_NAME.test(name)) return null;
    const id = ids[name];
    if (typeof id === "number") {
      if (!Number.isSafeInteger(id) || id <= 0) return null;
    } else if (typeof id !== "string" || !SHORT_TOKEN.test(id)) return null;
    out[name] = id;
  }
  return { scope, ids: out, ...versioned };
}

/** Byte length of a string without encoding it when its length alone decides (UTF-8: 1 to 3 bytes per unit). */
function fitsInBytes(text: string, max: number): boolean {
  if (text.length > max) return false;
  return text.length * 3 <= max || new TextEncoder().encode(text).length <= max;
}

/** The signal's wire text, ids in a fixed order so that equal signals are equal strings. */
export function signalData(signal: Signal): string {
  const versioned = signal.v === undefined ? {} : { v: signal.v };
  if (!signal.ids) return JSON.stringify({ scope: signal.scope, ...versioned });
  const ids = Object.fromEntries(Object.entries(signal.ids).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return JSON.stringify({ scope: signal.scope, ids, ...versioned });
}

/** Accepts the object pusher-js hands over (or its JSON text); anything else, or anything too big, is null. */
export function parseSignal(raw: unknown): Signal | null {
  let value = raw;
  if (typeof raw === "string") {
    if (!fitsInBytes(raw, SIGNAL_MAX_BYTES)) return null;
    try {
      value = JSON.parse(raw);
    } catch {
      return null;
    }
  }
  const fast = fastSignal(value);
  if (fast) return fast;
  // The slow path: measure before letting the schema walk something arbitrarily large.
  const bytes = signalByteLength(value);
  if (bytes === null || bytes > SIGNAL_MAX_BYTES) return null;
  const parsed = SignalSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

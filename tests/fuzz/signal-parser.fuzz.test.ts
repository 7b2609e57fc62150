import { afterAll, afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import { SignalSchema, fastSignal, parseSignal, signalData, type Signal } from "@/lib/realtime/signal";
import { scopes } from "@/backend/realtime/scopes";
import { channels } from "@/backend/realtime/channels";
import { canonicalUuid, uuidVariant, validChannelName } from "./arbitraries";
import { newStats, note, printTotals, runProperty, timeoutFor, type Budget } from "./support";

/**
 * The signal parser (parseSignal, its fast path and its schema, signalData) and the scope registry's keys(),
 * against arbitrary JSON, mutated valid signals, prototype-pollution keys, huge and non-UUID ids; checked against a
 * reference written here from the contract in docs/realtime.md.
 */

// ---- The reference: the signal's shape, from the contract --------------------------------------------------------
const MAX_BYTES = 1024;
const SCOPE = /^[a-z][a-z0-9-]{0,39}$/;
const ID_NAME = /^[a-z][a-z0-9_]{0,31}$/;
const TOKEN = /^[A-Za-z0-9_.:-]{1,64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const utf8 = (text: string) => Buffer.byteLength(text, "utf8");
const isJsonObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** What the contract accepts of a JSON value (already parsed), or null. */
function referenceShape(value: unknown): Signal | null {
  if (!isJsonObject(value)) return null;
  const keys = Object.keys(value);
  if (keys.some((k) => k !== "scope" && k !== "ids")) return null;
  if (typeof value.scope !== "string" || !SCOPE.test(value.scope)) return null;
  if (!keys.includes("ids")) return { scope: value.scope };
  const ids = value.ids;
  if (!isJsonObject(ids)) return null;
  const names = Object.keys(ids);
  if (names.length > 8) return null;
  for (const name of names) {
    const v = ids[name];
    if (!ID_NAME.test(name)) return null;
    if (typeof v === "number" ? !(Number.isSafeInteger(v) && v > 0) : typeof v !== "string" || !TOKEN.test(v)) return null;
  }
  return { scope: value.scope, ids: { ...(ids as Record<string, string | number>) } };
}

/** parseSignal's contract: a JSON text within 1 KB, or a value whose JSON is within 1 KB, of the right shape. */
function referenceParse(raw: unknown): Signal | null {
  let value = raw;
  if (typeof raw === "string") {
    if (utf8(raw) > MAX_BYTES) return null;
    try {
      value = JSON.parse(raw);
    } catch {
      return null;
    }
  }
  const shape = referenceShape(value);
  if (!shape) return null;
  const json = JSON.stringify(value);
  return utf8(json) <= MAX_BYTES ? shape : null;
}

/** The app's scopes: which channel kinds carry each, the ids it needs, the keys it invalidates (docs/realtime.md). */
type IdRule = { kind: "uuid" } | { kind: "enum"; values: readonly string[] };
type RefScope = {
  carriedBy: readonly string[];
  required?: Record<string, IdRule>;
  optional?: Record<string, IdRule>;
  keys: (ids: Record<string, string>) => unknown[][];
};
const uuid: IdRule = { kind: "uuid" };
const REF_SCOPES: Record<string, RefScope> = {
  notifications: { carriedBy: ["user"], keys: () => [["my-notifications"], ["unread-notification-count"]] },
  comments: {
    carriedBy: ["resource"],
    required: { resource_id: uuid, resource_type: { kind: "enum", values: ["ARTICLE", "GIST"] } },
    keys: (i) => [["comments", i.resource_id, i.resource_type]],
  },
  article: { carriedBy: ["resource"], required: { id: uuid }, keys: () => [["article"]] },
  reactions: {
    carriedBy: ["resource"],
    required: { resource_id: uuid, resource_type: { kind: "enum", values: ["ARTICLE", "COMMENT", "GIST"] } },
    keys: (i) => [["reaction", i.resource_id, i.resource_type]],
  },
  bookmarks: {
    carriedBy: ["user"],
    optional: { resource_id: uuid },
    keys: (i) => [["my-bookmarks"], ...(i.resource_id === undefined ? [] : [["bookmark-status", i.resource_id]])],
  },
  "dashboard-articles": { carriedBy: ["user"], keys: () => [["dashboard-articles"]] },
  gists: { carriedBy: ["user"], keys: () => [["gists"]] },
  gist: { carriedBy: ["resource"], required: { id: uuid }, keys: (i) => [["gist", i.id]] },
  "user-article-feed": { carriedBy: ["profile"], required: { user_id: uuid }, keys: (i) => [["user-article-feed", i.user_id]] },
  "tag-articles": { carriedBy: ["tag"], required: { tag_id: uuid }, keys: (i) => [["tag-articles", i.tag_id]] },
  sessions: { carriedBy: ["user"], optional: { session_id: uuid }, keys: () => [["mySessions"], ["current-session"]] },
  user: { carriedBy: ["user", "profile"], required: { user_id: uuid }, keys: (i) => [["user", i.user_id]] },
  "article-feed": { carriedBy: ["feed"], keys: () => [["realtime-notice", "article-feed"]] },
};
const SCOPE_NAMES = Object.keys(REF_SCOPES);

const ruleHolds = (rule: IdRule, v: unknown) =>
  typeof v === "string" && (rule.kind === "uuid" ? UUID.test(v) : rule.values.includes(v));

function referenceKeys(signal: Signal, channelKind: string | null): unknown[][] | null {
  if (!Object.hasOwn(REF_SCOPES, signal.scope)) return null;
  const def = REF_SCOPES[signal.scope];
  if (channelKind !== null && !def.carriedBy.includes(channelKind)) return null;
  const ids = (signal.ids ?? {}) as Record<string, unknown>;
  const own = (k: string) => (Object.hasOwn(ids, k) ? ids[k] : undefined);
  const known: Record<string, string> = {};
  for (const [k, rule] of Object.entries(def.required ?? {})) {
    if (!ruleHolds(rule, own(k))) return null;
    known[k] = own(k) as string;
  }
  for (const [k, rule] of Object.entries(def.optional ?? {})) {
    if (own(k) === undefined) continue;
    if (!ruleHolds(rule, own(k))) return null;
    known[k] = own(k) as string;
  }
  return def.keys(known);
}

// ---- Generators ---------------------------------------------------------------------------------------------------
const idName = fc.oneof(
  fc.constantFrom("id", "resource_id", "resource_type", "user_id", "tag_id", "session_id", "constructor", "hasownproperty", "tostring", "valueof"),
  fc.stringMatching(/^[a-z][a-z0-9_]{0,31}$/),
);
const token = fc.oneof(canonicalUuid, fc.constantFrom("ARTICLE", "GIST", "COMMENT"), fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/));
const positive = fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.constant(Number.MAX_SAFE_INTEGER), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }));

/** What a publisher of this app sends: a known scope with the ids it needs, sometimes with more. */
const appSignal: fc.Arbitrary<Signal> = fc
  .tuple(
    fc.constantFrom(...SCOPE_NAMES),
    canonicalUuid,
    fc.constantFrom("ARTICLE", "GIST", "COMMENT"),
    fc.boolean(),
    fc.dictionary(idName, fc.oneof(token, positive), { maxKeys: 3 }),
  )
  .map(([scope, id, type, withOptional, extra]) => {
    const def = REF_SCOPES[scope];
    const ids: Record<string, string | number> = { ...extra };
    for (const [k, rule] of Object.entries(def.required ?? {})) ids[k] = rule.kind === "uuid" ? id : type;
    if (withOptional) for (const k of Object.keys(def.optional ?? {})) ids[k] = id;
    return Object.keys(ids).length === 0 && withOptional ? { scope } : { scope, ids };
  });

/** Any structurally valid signal (unknown scopes, any ids within the limits). */
const shapedSignal: fc.Arbitrary<Signal> = fc
  .tuple(
    fc.oneof(fc.constantFrom(...SCOPE_NAMES), fc.stringMatching(/^[a-z][a-z0-9-]{0,39}$/), fc.constantFrom("constructor", "tostring", "proto", "hasownproperty")),
    fc.option(fc.dictionary(idName, fc.oneof(token, positive), { maxKeys: 8 }), { nil: undefined }),
  )
  .map(([scope, ids]) => (ids === undefined ? { scope } : { scope, ids }));

const hugeNumber = fc.oneof(
  fc.constantFrom(0, -0, -1, 1.5, 2 ** 53, 2 ** 53 + 2, 1e21, 1e308, Infinity, -Infinity, NaN, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER + 1),
  fc.double(),
  fc.integer(),
);
const badIdValue: fc.Arbitrary<unknown> = fc.oneof(
  canonicalUuid.chain(uuidVariant),
  hugeNumber,
  fc.string({ minLength: 65, maxLength: 70, unit: fc.constantFrom(..."abcdef0123456789") }),
  fc.string({ maxLength: 10 }),
  fc.constantFrom(null, true, false, "", [], {}, ["x"], { id: "x" }, "<script>", "a b", "1\n", "\u00e9"),
);

/** A valid signal with one thing wrong (or, sometimes, still right). */
function mutateSignal(s: Signal): fc.Arbitrary<unknown> {
  const ids = s.ids ?? {};
  const idKeys = Object.keys(ids);
  return fc.oneof(
    fc.constantFrom("", "A", "Comments", "comments ", " comments", "__proto__", "constructor", "toString", "prototype", "a".repeat(41), "9x", "a_b")
      .map((scope) => ({ ...s, scope })),
    fc.mixedCase(fc.constant(s.scope)).map((scope) => ({ ...s, scope })),
    idKeys.length
      ? fc.tuple(fc.constantFrom(...idKeys), badIdValue).map(([k, v]) => ({ ...s, ids: { ...ids, [k]: v } }))
      : badIdValue.map((v) => ({ ...s, ids: { id: v } })),
    fc.tuple(fc.constantFrom("__proto__", "constructor", "prototype", "Id", "_id", "1d", "a".repeat(33), "a-b", ""), fc.oneof(token, badIdValue)).map(
      ([k, v]) => {
        const out = { ...ids };
        Object.defineProperty(out, k, { value: v, enumerable: true, configurable: true, writable: true });
        return { ...s, ids: out };
      },
    ),
    fc.integer({ min: 9, max: 40 }).map((n) => ({ ...s, ids: Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i + 1])) })),
    fc.constantFrom(null, [], "ids", 1, [["id", "x"]], { length: 1 }).map((v) => ({ ...s, ids: v })),
    fc.tuple(fc.constantFrom("extra", "__proto__", "constructor", "Scope", "IDS", "toJSON"), fc.jsonValue()).map(([k, v]) => {
      const out: Record<string, unknown> = { ...s };
      Object.defineProperty(out, k, { value: v, enumerable: true, configurable: true, writable: true });
      return out;
    }),
    fc.constant({ ids: s.ids }),
    fc.constant([s]),
    fc.constant(s),
  );
}

/** JSON texts: a valid signal's text with one byte changed, prototype pollution, padding up to and past 1 KB. */
function mutateText(text: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.tuple(fc.nat(), fc.constantFrom(..."{}[]\":,0a \\/\u0000\u2028"), fc.boolean()).map(([i, c, insert]) => {
      const k = i % (text.length + 1);
      return text.slice(0, k) + c + text.slice(insert ? k : k + 1);
    }),
    fc.constantFrom(
      '{"__proto__":{"polluted":1},',
      '{"constructor":{"prototype":{"polluted":1}},',
      '{"ids":{"__proto__":{"polluted":1}},',
      '{"scope":"notifications",',
      " {",
    ).map((p) => p + text.slice(1)),
    fc.constantFrom('"ids":{"__proto__":"x"}', '"ids":{"constructor":"x","toString":"y"}', '"ids":{}', '"ids":null', '"scope":"gists"').map(
      (field) => `${text.slice(0, -1)},${field}}`,
    ),
    fc.integer({ min: 0, max: 1200 }).map((n) => text.replace("{", `{${" ".repeat(n)}`)),
    fc.tuple(fc.integer({ min: 300, max: 400 }), fc.constantFrom("\u00e9", "\u20ac", "\ud83d\ude00")).map(([n, c]) => `${text} ${c.repeat(n)}`.slice(0, text.length + n)),
    fc.constant(JSON.stringify(text)), // double-encoded
    fc.constant(text.replace(/"([a-z_]+)":/, '"$1":1,"$1":')), // a duplicated key (JSON.parse keeps the last)
  );
}

const anyJsonText = fc.oneof(fc.json(), fc.jsonValue().map((v) => JSON.stringify(v)), fc.string({ maxLength: 200 }), fc.string({ minLength: 900, maxLength: 1400 }));
const exotic = fc.anything({ withNullPrototype: true, withBoxedValues: true, withBigInt: true, withMap: true, withSet: true, withDate: true, withTypedArray: true, withSparseArray: true, withObjectString: true });

const anySignalInput: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.oneof(appSignal, shapedSignal) },
  { weight: 4, arbitrary: fc.oneof(appSignal, shapedSignal).chain(mutateSignal) },
  { weight: 4, arbitrary: fc.oneof(appSignal, shapedSignal).chain((s) => fc.oneof(fc.constant(signalData(s)), mutateText(signalData(s)))) },
  { weight: 2, arbitrary: fc.jsonValue() },
  { weight: 2, arbitrary: anyJsonText },
  { weight: 1, arbitrary: exotic },
);

/** Only JSON values: what JSON.parse can hand over (pusher-js parses the event data). */
const jsonSignalValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.oneof(appSignal, shapedSignal) },
  { weight: 4, arbitrary: fc.oneof(appSignal, shapedSignal).chain(mutateSignal) },
  { weight: 4, arbitrary: fc.oneof(appSignal, shapedSignal).chain((s) => mutateText(signalData(s))) },
  { weight: 1, arbitrary: fc.jsonValue() },
)
  .map((v) => {
    try {
      return JSON.parse(typeof v === "string" ? v : JSON.stringify(v)) as unknown;
    } catch {
      return v;
    }
  })
  .filter((v) => v !== undefined);

function assertNoPollution() {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.keys(Object.prototype)).toEqual([]);
}
afterEach(assertNoPollution);

const PARSE: Budget = { runs: 4000, ms: 6_000 };
const RESERIALISE: Budget = { runs: 2000, ms: 4_000 };
const FAST_PATH: Budget = { runs: 3000, ms: 5_000 };
const KEYS: Budget = { runs: 3000, ms: 5_000 };

afterAll(() => printTotals("signal-parser"));

describe("fuzz: signal parser", () => {
  it(
    "parseSignal never throws, and accepts exactly what the contract accepts",
    async () => {
      const stats = newStats();
      await runProperty(
        "parseSignal vs reference",
        fc.property(anySignalInput, (raw) => {
          stats.cases++;
          let got = null as Signal | null;
          expect(() => (got = parseSignal(raw))).not.toThrow();
          note(stats, got ? "accepted" : "refused");
          assertNoPollution();
          // Exotic values (Maps, boxed strings, class-like objects) are outside JSON: the contract is about JSON.
          if (typeof raw === "string" || isJsonValue(raw)) expect(normalise(got)).toEqual(referenceParse(raw));
        }),
        PARSE,
        stats,
      );
    },
    timeoutFor(PARSE),
  );

  it(
    "anything accepted re-serialises identically, within the size cap, and the schema accepts it",
    async () => {
      const stats = newStats();
      await runProperty(
        "accepted signals re-serialise identically",
        fc.property(anySignalInput, (raw) => {
          stats.cases++;
          const signal = parseSignal(raw);
          if (!signal) return;
          note(stats, "accepted");
          const text = signalData(signal);
          expect(utf8(text)).toBeLessThanOrEqual(MAX_BYTES);
          expect(SignalSchema.safeParse(signal).success).toBe(true);
          const again = parseSignal(text);
          expect(again).not.toBeNull();
          expect(normalise(again)).toEqual(normalise(signal));
          expect(signalData(again!)).toBe(text);
          // Ids are written in a fixed order: equal signals are equal strings.
          const written = Object.keys((JSON.parse(text) as { ids?: object }).ids ?? {});
          expect(written).toEqual([...written].sort());
          // The object form and the text form are the same signal.
          expect(normalise(parseSignal(JSON.parse(text)))).toEqual(normalise(signal));
        }),
        RESERIALISE,
        stats,
      );
    },
    timeoutFor(RESERIALISE),
  );

  it(
    "the fast path and the schema agree (on JSON exactly; elsewhere the fast path accepts nothing the schema refuses)",
    async () => {
      const stats = newStats();
      const input = fc.oneof({ weight: 4, arbitrary: jsonSignalValue.map((v) => ({ json: true, v })) }, { weight: 1, arbitrary: exotic.map((v) => ({ json: false, v })) });
      await runProperty(
        "fastSignal vs SignalSchema",
        fc.property(input, ({ json, v }) => {
          stats.cases++;
          const fast = fastSignal(v);
          const schema = SignalSchema.safeParse(v);
          note(stats, fast ? "fast" : schema.success ? "schema-only" : "refused");
          if (fast) {
            expect(schema.success).toBe(true);
            expect(fast).toEqual(schema.data);
            expect(utf8(signalData(fast))).toBeLessThanOrEqual(MAX_BYTES);
          } else if (json) {
            expect(schema.success, `the schema accepts ${JSON.stringify(v)} but the fast path does not`).toBe(false);
          }
          // parseSignal is the fast path, else the measured schema (a string is JSON text to it, not a value).
          if (typeof v === "string") return;
          const parsed = parseSignal(v);
          if (fast) expect(parsed).toEqual(fast);
          else if (!schema.success) expect(parsed).toBeNull();
        }),
        FAST_PATH,
        stats,
      );
    },
    timeoutFor(FAST_PATH),
  );

  it(
    "keys(signal, channel) is null or the reference's keys, and only for scopes the channel carries",
    async () => {
      const stats = newStats();
      const channel = fc.option(validChannelName().map((name) => channels.parse(name)!), { nil: null });
      const signal = fc.oneof(
        appSignal,
        shapedSignal,
        fc.oneof(appSignal, shapedSignal).chain(mutateSignal).map((v) => parseSignal(v)).filter((s): s is Signal => s !== null),
        // Scope names that are properties of every object: the registry must not find them on the prototype.
        fc.constantFrom("constructor", "toString", "__proto__", "hasOwnProperty", "valueOf", "__defineGetter__").map((scope) => ({ scope }) as Signal),
      );
      await runProperty(
        "scopes.keys vs reference",
        fc.property(signal, channel, fc.boolean(), (sig, ch, omitChannel) => {
          stats.cases++;
          let keys = null as ReturnType<typeof scopes.keys>;
          expect(() => (keys = omitChannel ? scopes.keys(sig) : scopes.keys(sig, ch))).not.toThrow();
          const kind = omitChannel || ch === null ? null : ch.kind;
          note(stats, keys ? "keys" : "null");
          expect(keys).toEqual(referenceKeys(sig, kind));
          if (keys && kind !== null) expect(REF_SCOPES[sig.scope].carriedBy).toContain(kind);
          if (ch) {
            const resync = scopes.resyncKeys(ch);
            for (const key of resync) expect(typeof key[0]).toBe("string");
          }
        }),
        KEYS,
        stats,
      );
    },
    timeoutFor(KEYS),
  );
});

/** True when JSON.stringify then JSON.parse gives the same value back (no -0, undefined, Map, prototype...). */
function isJsonValue(value: unknown): boolean {
  try {
    const text = JSON.stringify(value);
    return text !== undefined && fc.stringify(JSON.parse(text)) === fc.stringify(value);
  } catch {
    return false;
  }
}

/** A parsed signal without an `ids: undefined` member (the same signal, the same wire text). */
function normalise(s: Signal | null): Signal | null {
  if (!s) return s;
  return s.ids === undefined ? { scope: s.scope } : { scope: s.scope, ids: { ...s.ids } };
}

/**
 * Found by this suite: zod 4's record skips an own "__proto__" key without checking its name or value, so
 *   parseSignal('{"scope":"a","ids":{"__proto__":0}}')  was  { scope: "a", ids: {} }
 * (an id name outside [a-z][a-z0-9_]{0,31}, accepted and dropped; the fast path refused it). signal.ts now refuses
 * it before the record; this keeps it refused for any value under that key.
 */
describe("fuzz: signal parser, ids named __proto__", () => {
  const PROTO: Budget = { runs: 200, ms: 2_000 };
  it(
    "an id named __proto__ is refused like any other bad id name, whatever its value",
    async () => {
      const stats = newStats();
      const text = fc
        .tuple(fc.oneof(appSignal, shapedSignal), fc.jsonValue({ maxDepth: 2 }))
        .map(([s, v]) => {
          const ids: Record<string, unknown> = { ...s.ids };
          Object.defineProperty(ids, "__proto__", { value: v, enumerable: true, configurable: true, writable: true });
          return JSON.stringify({ scope: s.scope, ids });
        })
        .filter((t) => utf8(t) <= MAX_BYTES);
      await runProperty(
        "ids.__proto__ refused",
        fc.property(text, (t) => {
          stats.cases++;
          expect(parseSignal(t), t).toBeNull();
          expect(SignalSchema.safeParse(JSON.parse(t)).success, t).toBe(false);
        }),
        PROTO,
        stats,
      );
    },
    timeoutFor(PROTO),
  );
});

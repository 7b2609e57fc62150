import { describe, expect, it } from "vitest";
import { INVALIDATE_EVENT, SIGNAL_MAX_BYTES, SignalSchema, fastSignal, parseSignal, signalByteLength, signalData } from "@/lib/realtime/signal";
import { uuid } from "../../helpers/uuids";

/** The wire format of the `invalidate` event (src/lib/realtime/signal.ts); the host's builders are in signals.test.ts. */
const A = uuid("article");

describe("invalidate signal", () => {
  it("is the event named invalidate", () => {
    expect(INVALIDATE_EVENT).toBe("invalidate");
  });

  it("accepts a scope with optional small ids (UUIDs, tokens, positive integers), as an object or its JSON text", () => {
    expect(parseSignal({ scope: "notifications" })).toEqual({ scope: "notifications" });
    const comments = { scope: "comments", ids: { resource_id: A, resource_type: "ARTICLE" } };
    expect(parseSignal(comments)).toEqual(comments);
    expect(parseSignal(JSON.stringify(comments))).toEqual(comments);
    expect(parseSignal({ scope: "bookmarks", ids: { marker: 5 } })).toEqual({ scope: "bookmarks", ids: { marker: 5 } });
  });

  it("has one wire text per signal: ids in a fixed order, whatever order they were given in", () => {
    expect(signalData({ scope: "comments", ids: { resource_type: "ARTICLE", resource_id: A } })).toBe(
      signalData({ scope: "comments", ids: { resource_id: A, resource_type: "ARTICLE" } }),
    );
    expect(signalData({ scope: "comments", ids: { resource_type: "ARTICLE", resource_id: A } })).toBe(
      `{"scope":"comments","ids":{"resource_id":"${A}","resource_type":"ARTICLE"}}`,
    );
    expect(signalData({ scope: "notifications" })).toBe('{"scope":"notifications"}');
  });

  it.each([
    ["not an object", 42],
    ["null", null],
    ["array", [{ scope: "notifications" }]],
    ["missing scope", { ids: {} }],
    ["scope with markup", { scope: "<img src=x>" }],
    ["upper-case scope", { scope: "Notifications" }],
    ["extra top-level field", { scope: "notifications", html: "<b>hi</b>" }],
    ["zero id", { scope: "gist", ids: { id: 0 } }],
    ["fractional id", { scope: "gist", ids: { id: 1.5 } }],
    ["unsafe id", { scope: "gist", ids: { id: 2 ** 60 } }],
    ["nested object id", { scope: "gist", ids: { id: { $gt: 1 } } }],
    ["string with spaces", { scope: "gist", ids: { note: "hello world" } }],
    ["UUID in braces", { scope: "gist", ids: { id: `{${A}}` } }],
    ["bad id key", { scope: "gist", ids: { "__proto__x": 1, "Bad Key": 2 } }],
    ["too many ids", { scope: "gist", ids: Object.fromEntries([...Array(9)].map((_, i) => [`k${i}`, 1])) }],
    ["invalid JSON text", "{scope:"],
  ])("rejects %s", (_label, raw) => {
    expect(parseSignal(raw)).toBeNull();
  });

  it("enforces the byte bound before parsing", () => {
    const big = { scope: "gist", ids: { a: "x".repeat(64) } };
    expect(parseSignal(big)).not.toBeNull();
    const huge = JSON.stringify({ scope: "notifications", pad: "x".repeat(SIGNAL_MAX_BYTES) });
    expect(parseSignal(huge)).toBeNull();
    // Multi-byte characters count as bytes, not UTF-16 units.
    expect(parseSignal("é".repeat(SIGNAL_MAX_BYTES / 2 + 1))).toBeNull();
  });

  it("survives values JSON cannot encode", () => {
    const cyclic: Record<string, unknown> = { scope: "notifications" };
    cyclic.self = cyclic;
    expect(parseSignal(cyclic)).toBeNull();
    expect(parseSignal({ scope: "notifications", ids: { n: 1n } })).toBeNull();
  });
});

describe("fastSignal, the plain hot path of SignalSchema", () => {
  const CORPUS: unknown[] = [
    { scope: "notifications" },
    { scope: "comments", ids: { resource_id: 7, resource_type: "ARTICLE" } },
    { scope: "comments", ids: { resource_id: A, resource_type: "ARTICLE" } },
    { scope: "gist", ids: { id: A.toUpperCase() } },
    { scope: "a" },
    { scope: "a".repeat(40) },
    { scope: "a".repeat(41) },
    { scope: "Comments" },
    { scope: "1abc" },
    { scope: "has space" },
    { scope: "" },
    { scope: 5 },
    {},
    { ids: {} },
    { scope: "x", ids: {} },
    { scope: "x", ids: undefined },
    { scope: "x", ids: null },
    { scope: "x", ids: [] },
    { scope: "x", ids: [1] },
    { scope: "x", extra: 1 },
    { scope: "x", ids: { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8 } },
    { scope: "x", ids: { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9 } },
    { scope: "x", ids: { id: 0 } },
    { scope: "x", ids: { id: -1 } },
    { scope: "x", ids: { id: 1.5 } },
    { scope: "x", ids: { id: Number.MAX_SAFE_INTEGER } },
    { scope: "x", ids: { id: Number.MAX_SAFE_INTEGER + 1 } },
    { scope: "x", ids: { id: Infinity } },
    { scope: "x", ids: { id: NaN } },
    { scope: "x", ids: { id: "ARTICLE" } },
    { scope: "x", ids: { id: "a".repeat(64) } },
    { scope: "x", ids: { id: "a".repeat(65) } },
    { scope: "x", ids: { id: "" } },
    { scope: "x", ids: { id: "<b>" } },
    { scope: "x", ids: { id: true } },
    { scope: "x", ids: { id: null } },
    { scope: "x", ids: { id: { nested: 1 } } },
    { scope: "x", ids: { Id: 1 } },
    { scope: "x", ids: { _id: 1 } },
    { scope: "x", ids: { ["a".repeat(32)]: 1 } },
    { scope: "x", ids: { ["a".repeat(33)]: 1 } },
    { scope: "x", ids: JSON.parse('{"__proto__": 1}') },
    JSON.parse('{"scope": "x", "__proto__": {"y": 1}}'),
    Object.assign(Object.create(null), { scope: "x" }),
    Object.assign(Object.create({ inherited: 1 }), { scope: "x" }),
    new Date(),
    [],
    "x",
    null,
    undefined,
    7,
  ];

  it("never accepts what the schema rejects, and returns exactly the schema's output", () => {
    let accepted = 0;
    for (const value of CORPUS) {
      const fast = fastSignal(value);
      const schema = SignalSchema.safeParse(value);
      if (fast === null) continue;
      accepted++;
      expect(schema.success, JSON.stringify(value)).toBe(true);
      expect(fast).toEqual(schema.data);
    }
    expect(accepted).toBeGreaterThan(8); // it does cover the common shapes
  });

  it("parseSignal gives the schema's verdict for every input", () => {
    for (const value of CORPUS) {
      const schema = SignalSchema.safeParse(value);
      const viaSchema = schema.success && (signalByteLength(value) ?? Infinity) <= SIGNAL_MAX_BYTES ? schema.data : null;
      expect(parseSignal(value), String(JSON.stringify(value))).toEqual(viaSchema);
    }
  });

  it("everything the fast path accepts fits the size bound, so it needs no measuring", () => {
    const largest = {
      scope: "s".repeat(40),
      ids: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`${"k".repeat(31)}${i}`, "T".repeat(64)])),
    };
    expect(fastSignal(largest)).not.toBeNull();
    expect(signalByteLength(largest)).toBeLessThanOrEqual(SIGNAL_MAX_BYTES);
  });
});

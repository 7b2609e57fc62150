import { describe, expect, it } from "vitest";
import { INVALIDATE_EVENT, SIGNAL_MAX_BYTES, parseSignal } from "@/lib/realtime/signal";

describe("invalidate signal", () => {
  it("is the event named invalidate", () => {
    expect(INVALIDATE_EVENT).toBe("invalidate");
  });

  it("accepts a scope with optional small ids, as an object or its JSON text", () => {
    expect(parseSignal({ scope: "notifications" })).toEqual({ scope: "notifications" });
    const comments = { scope: "comments", ids: { resource_id: 5, resource_type: "ARTICLE" } };
    expect(parseSignal(comments)).toEqual(comments);
    expect(parseSignal(JSON.stringify(comments))).toEqual(comments);
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

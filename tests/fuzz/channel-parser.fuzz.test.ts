import { afterAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { channels } from "@/backend/realtime/channels";
import { isPusherChannelName } from "@/lib/realtime";
import { anyChannelName, canonicalUuid, mutatedChannelName, uuidVariant, validChannelName } from "./arbitraries";
import { PUSHER_NAME, referenceParseChannel } from "./reference";
import { newStats, note, printTotals, runProperty, timeoutFor, type Budget } from "./support";

/**
 * The channel parser (`defineChannels(...).parse/build`, with the app's channels) against random and mutated
 * names, and against a reference parser written here from the contract in docs/realtime.md.
 */

// ---- The reference (./reference.ts: the app's channel kinds as regexes, written from the contract) --------------
const referenceParse = referenceParseChannel;

/** Which kind's parameters are valid, per the reference (for build). */
function referenceBuild(kind: string, params: Record<string, unknown>): string | null {
  const s = (v: unknown) => (typeof v === "string" ? v : "\u0000"); // a non-string never matches
  const name = (() => {
    switch (kind) {
      case "user":
        return `private-user.${s(params.userId)}`;
      case "resource":
        return `private-resource.${s(params.type)}.${s(params.id)}`;
      case "tag":
        return `tag.${s(params.tagId)}`;
      case "profile":
        return `profile.${s(params.userId)}`;
      case "feed":
        return `feed.${s(params.feed)}`;
      default:
        return null;
    }
  })();
  // Valid exactly when the name it makes parses back to the same parameters (no dot inside a parameter).
  const parsed = name === null ? null : referenceParse(name);
  if (!parsed || parsed.kind !== kind) return null;
  return Object.entries(parsed.params).every(([k, v]) => params[k] === v) ? name : null;
}

// ---- Budgets (npm test); npm run fuzz multiplies them ------------------------------------------------------------
const PARSE: Budget = { runs: 6000, ms: 6_000 };
const ROUND_TRIP: Budget = { runs: 1500, ms: 3_000 };
const REBUILD: Budget = { runs: 3000, ms: 3_000 };
const BUILD: Budget = { runs: 1500, ms: 3_000 };

afterAll(() => printTotals("channel-parser"));

describe("fuzz: channel parser", () => {
  it(
    "parse never throws, and agrees with the reference on every input",
    async () => {
      const stats = newStats();
      const input = fc.oneof(
        { weight: 12, arbitrary: anyChannelName() },
        { weight: 1, arbitrary: fc.anything({ withNullPrototype: true, withBoxedValues: true, withBigInt: true }) },
      );
      await runProperty(
        "channels.parse vs reference",
        fc.property(input, (name) => {
          stats.cases++;
          let got: unknown;
          expect(() => (got = channels.parse(name))).not.toThrow();
          expect(got).toEqual(referenceParse(name));
          note(stats, got ? `parsed-${(got as { kind: string }).kind}` : "null");
          // Pusher's own rule, which the auth route applies first (a 400 when broken).
          if (typeof name === "string") expect(isPusherChannelName(name)).toBe(PUSHER_NAME.test(name));
          // The cache hands back the same verdict, frozen.
          expect(channels.parse(name)).toBe(got);
          if (got) expect(Object.isFrozen(got) && Object.isFrozen((got as { params: object }).params)).toBe(true);
        }),
        PARSE,
        stats,
      );
    },
    timeoutFor(PARSE),
  );

  it(
    "parse(build(kind, params)) round-trips for valid parameters",
    async () => {
      const stats = newStats();
      const valid = fc.oneof(
        canonicalUuid.map((userId) => ({ kind: "user" as const, params: { userId } })),
        fc.tuple(fc.constantFrom("ARTICLE" as const, "GIST" as const), canonicalUuid).map(([type, id]) => ({ kind: "resource" as const, params: { type, id } })),
        canonicalUuid.map((tagId) => ({ kind: "tag" as const, params: { tagId } })),
        canonicalUuid.map((userId) => ({ kind: "profile" as const, params: { userId } })),
        fc.constant({ kind: "feed" as const, params: { feed: "articles" as const } }),
      );
      await runProperty(
        "parse(build(kind, params)) round trip",
        fc.property(valid, ({ kind, params }) => {
          stats.cases++;
          const name = channels.build(kind, params as never);
          expect(name).toBe(referenceBuild(kind, params));
          const parsed = channels.parse(name);
          expect(parsed).toEqual({ kind, name, private: kind === "user" || kind === "resource", params });
        }),
        ROUND_TRIP,
        stats,
      );
    },
    timeoutFor(ROUND_TRIP),
  );

  it(
    "a name that parses re-builds to exactly the same string (one name per channel)",
    async () => {
      const stats = newStats();
      await runProperty(
        "parse then build is the identity",
        fc.property(fc.oneof(validChannelName(), mutatedChannelName()), (name) => {
          stats.cases++;
          const parsed = channels.parse(name);
          if (parsed) {
            note(stats, "parsed");
            expect(channels.build(parsed.kind, parsed.params as never)).toBe(name);
          }
        }),
        REBUILD,
        stats,
      );
    },
    timeoutFor(REBUILD),
  );

  it(
    "build either refuses (RangeError) or makes the reference's name, which parses back; never another spelling",
    async () => {
      const stats = newStats();
      const param = fc.oneof(
        canonicalUuid,
        canonicalUuid.chain(uuidVariant),
        fc.constantFrom("ARTICLE", "GIST", "COMMENT", "article", "articles", "Articles", "a.b", "", "__proto__"),
        fc.string({ maxLength: 40 }),
        fc.anything({ maxDepth: 1 }),
      );
      const kind = fc.constantFrom("user", "resource", "tag", "profile", "feed", "nope", "__proto__", "constructor", "private-user");
      const keys = ["userId", "type", "id", "tagId", "feed", "__proto__", "constructor"];
      const params = fc.dictionary(fc.constantFrom(...keys), param, { maxKeys: 4 });
      await runProperty(
        "build refuses or names canonically",
        fc.property(kind, params, (k, p) => {
          stats.cases++;
          const expected = referenceBuild(k, p);
          let name: string | null = null;
          let error: unknown = null;
          try {
            name = channels.build(k as never, p as never);
          } catch (err) {
            error = err;
          }
          if (expected === null) {
            // "__proto__" and "constructor" are no kinds: the object's prototype must not stand in for a spec.
            expect(error, `build(${k}) made ${name}`).toBeInstanceOf(RangeError);
          } else {
            expect(error).toBeNull();
            expect(name).toBe(expected);
            expect(channels.parse(name)?.kind).toBe(k);
          }
        }),
        BUILD,
        stats,
      );
    },
    timeoutFor(BUILD),
  );
});

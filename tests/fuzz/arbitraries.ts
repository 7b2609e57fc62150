import fc from "fast-check";

/**
 * Generators shared by the fuzz files: channel names (valid ones of the app's kinds, and every near miss a client,
 * a proxy or an attacker could send), UUID spellings, socket ids. Written from the documented contract
 * (docs/realtime.md), not from src/.
 */

/** Pusher's channel name alphabet: [A-Za-z0-9_\-=@,.;]. */
export const PUSHER_CHARS = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-=@,.;"];
const HEX = [..."0123456789abcdef"];

/** Characters that look alike, fold case oddly, or are invisible: a parser that normalises would trip on them. */
const TRICKY_CHARS = [
  "\u0430", // Cyrillic a
  "\u0435", // Cyrillic e
  "\uff10", // fullwidth 0
  "\u0661", // Arabic-Indic 1
  "\u200b", // zero width space
  "\ufeff", // BOM
  "\u017f", // long s (upper-cases to S)
  "\u212a", // Kelvin sign (lower-cases to k)
  "\u0130", // I with dot (lower-cases to two code units)
  " ",
  "\t",
  "\n",
  "\r",
  "\u0000",
  "/",
  ":",
  "%",
  "+",
  "&",
  "#",
  "?",
  "\\",
  "\u00e9",
  "\ud83d\ude00",
];

export const oneChar: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PUSHER_CHARS) },
  { weight: 2, arbitrary: fc.constantFrom(...TRICKY_CHARS) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
);

/** A canonical (lowercase, hyphenated) UUID of any version and variant bits, the nil and max UUIDs included. */
export const canonicalUuid: fc.Arbitrary<string> = fc.oneof(
  fc.uuid(),
  fc
    .array(fc.constantFrom(...HEX), { minLength: 32, maxLength: 32 })
    .map((h) => `${h.slice(0, 8).join("")}-${h.slice(8, 12).join("")}-${h.slice(12, 16).join("")}-${h.slice(16, 20).join("")}-${h.slice(20).join("")}`),
  fc.constantFrom("00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff"),
);

/** Another spelling of the same UUID, or an id that is no UUID: never the canonical form (one name per channel). */
export function uuidVariant(id: string): fc.Arbitrary<string> {
  const noDash = id.replaceAll("-", "");
  return fc.oneof(
    fc.constant(id.toUpperCase()),
    fc.mixedCase(fc.constant(id)),
    fc.constant(noDash),
    fc.constant(noDash.toUpperCase()),
    fc.constant(`0${id}`),
    fc.constant(`${id}0`),
    fc.constant(`00${id}`),
    fc.constant(`{${id}}`),
    fc.constant(`urn:uuid:${id}`),
    fc.constant(` ${id}`),
    fc.constant(`${id}\n`),
    fc.constant(id.slice(0, -1)),
    fc.constant(id.slice(1)),
    fc.constant(`${id.slice(0, 9)}${id.slice(10)}`), // one dash dropped
    fc.constant(`${id.slice(0, 8)}${id.slice(9, 13)}-${id.slice(13)}`), // a dash moved
    fc.constant(id.replace(/[a-f]/, (c) => String.fromCharCode(c.charCodeAt(0) + 6))), // g..l: not hex
    fc.constant(id.replace("a", "\u0430")),
    fc.constant(id.replace(/[0-9]/, (d) => String.fromCharCode(0xff10 + Number(d)))),
    fc.nat().map(String),
    fc.integer({ min: -1000, max: -1 }).map(String),
    fc.bigInt({ min: 0n, max: 2n ** 130n }).map(String),
    fc.nat(999).map((n) => `0${n}`),
    fc.constantFrom("0", "00", "1", "12", "1e3", "0x1f", "9007199254740993", "NaN", "null", "undefined", "-0", "1.5", ""),
    fc.constant(BigInt(`0x${noDash}`).toString()), // the UUID as an integer
    fc.tuple(fc.nat(35), oneChar).map(([i, c]) => id.slice(0, i) + c + id.slice(i + 1)),
  );
}

/** A token parameter spelled otherwise: case, plural, another resource type, padding. */
const typeVariant = fc.constantFrom("article", "Article", "ARTICLES", "COMMENT", "Gist", "gist", "GIST ", "ARTICLE.", "", "ARTICLE_", "ARTIC1E");
const feedVariant = fc.constantFrom("Articles", "ARTICLES", "article", "articles.", "articles,", "gists", "", "articles;");

export type ChannelPools = { userIds: fc.Arbitrary<string>; articleIds: fc.Arbitrary<string>; gistIds: fc.Arbitrary<string> };

const randomPools: ChannelPools = { userIds: canonicalUuid, articleIds: canonicalUuid, gistIds: canonicalUuid };

/** A channel name this app builds: every kind, with ids from the given pools (random canonical UUIDs by default). */
export function validChannelName(pools: ChannelPools = randomPools): fc.Arbitrary<string> {
  return fc.oneof(
    pools.userIds.map((id) => `private-user.${id}`),
    pools.articleIds.map((id) => `private-resource.ARTICLE.${id}`),
    pools.gistIds.map((id) => `private-resource.GIST.${id}`),
    // A resource id under the other type: well-formed, but no such row (unless ids collide, which UUIDs do not).
    pools.gistIds.map((id) => `private-resource.ARTICLE.${id}`),
    pools.articleIds.map((id) => `private-resource.GIST.${id}`),
    fc.oneof(pools.userIds, canonicalUuid).map((id) => `tag.${id}`),
    pools.userIds.map((id) => `profile.${id}`),
    fc.constant("feed.articles"),
  );
}

const PREFIXES = ["", "private-", "presence-", "private-encrypted-", "Private-", "PRIVATE-", "private-private-", "private_", "private", "-", "presence-private-", "private--"];

/** One change to a (usually valid) channel name. */
function mutateOnce(base: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const at = (s: string, i: number) => (s.length === 0 ? 0 : i % (s.length + 1));
  return fc.oneof(
    // one character changed, inserted, deleted, case-swapped
    fc.tuple(base, fc.nat(), oneChar).map(([s, i, c]) => s.slice(0, at(s, i)) + c + s.slice(at(s, i) + 1)),
    fc.tuple(base, fc.nat(), oneChar).map(([s, i, c]) => s.slice(0, at(s, i)) + c + s.slice(at(s, i))),
    fc.tuple(base, fc.nat()).map(([s, i]) => s.slice(0, at(s, i)) + s.slice(at(s, i) + 1)),
    fc.tuple(base, fc.nat()).map(([s, i]) => {
      const k = at(s, i);
      const c = s.charAt(k);
      return s.slice(0, k) + (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) + s.slice(k + 1);
    }),
    fc.tuple(base, fc.boolean()).map(([s, up]) => (up ? s.toUpperCase() : s.toLowerCase())),
    // the prefix swapped for another (presence-, private-encrypted-, none, doubled)
    fc.tuple(base, fc.constantFrom(...PREFIXES)).map(([s, p]) => p + s.replace(/^(private-|presence-)/, "")),
    // a UUID parameter spelled otherwise
    base.chain((s) => {
      const m = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.exec(s);
      return m ? uuidVariant(m[0]).map((v) => s.replace(m[0], v)) : fc.constant(s);
    }),
    // a token parameter spelled otherwise
    fc.tuple(base, typeVariant).map(([s, t]) => s.replace(/\.(ARTICLE|GIST)\./, `.${t}.`)),
    fc.tuple(base, feedVariant).map(([s, t]) => s.replace(/articles$/, t)),
    // segments added, dropped, doubled, emptied
    fc.tuple(base, fc.constantFrom(".x", ".", "..", ".articles", ".ARTICLE", ";", ",", "=", "@", "-")).map(([s, t]) => s + t),
    fc.tuple(base, fc.constantFrom(".", "..", "x.", "-", "private-")).map(([s, t]) => t + s),
    base.map((s) => s.split(".").slice(0, -1).join(".")),
    base.map((s) => {
      const parts = s.split(".");
      return [...parts.slice(0, 1), ...parts].join(".");
    }),
    base.map((s) => s.replace(".", "..")),
    fc.tuple(base, fc.constantFrom("_", "-", ",", ";", "=", "@", "/", ":")).map(([s, sep]) => s.replaceAll(".", sep)),
    // long: over Pusher's 164 characters, or padded to the edge
    fc.tuple(base, fc.integer({ min: 1, max: 4000 })).map(([s, n]) => s + "0".repeat(n)),
    base.map((s) => (s + ".").repeat(Math.ceil(170 / (s.length + 1))).slice(0, 164)),
    base.map((s) => (s + ".").repeat(Math.ceil(170 / (s.length + 1))).slice(0, 165)),
  );
}

/** Valid names with one or two changes. */
export function mutatedChannelName(base: fc.Arbitrary<string> = validChannelName()): fc.Arbitrary<string> {
  return fc.oneof({ weight: 3, arbitrary: mutateOnce(base) }, { weight: 1, arbitrary: mutateOnce(mutateOnce(base)) });
}

/** Names assembled from plausible parts: a prefix, a kind-like word and parameters of any shape. */
export const assembledChannelName: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...PREFIXES),
    fc.oneof(
      fc.constantFrom("user", "resource", "tag", "profile", "feed", "users", "User", "__proto__", "constructor", "toString", "hasOwnProperty", "prototype", "encrypted-user"),
      fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/),
    ),
    fc.array(
      fc.oneof(
        canonicalUuid,
        canonicalUuid.chain(uuidVariant),
        fc.constantFrom("ARTICLE", "GIST", "COMMENT", "articles", "__proto__", "constructor", "valueOf"),
        fc.string({ unit: fc.constantFrom(...PUSHER_CHARS), maxLength: 40 }),
      ),
      { maxLength: 4 },
    ),
  )
  .map(([prefix, kind, params]) => [prefix + kind, ...params].join("."));

/** Any string in Pusher's alphabet, of any length up to past the limit. */
export const pusherAlphabetString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: fc.constantFrom(...PUSHER_CHARS), maxLength: 80 }),
  fc.string({ unit: fc.constantFrom(...PUSHER_CHARS), minLength: 150, maxLength: 200 }),
);

/** Every kind of channel name input, valid ones included. */
export function anyChannelName(pools?: ChannelPools): fc.Arbitrary<string> {
  const valid = validChannelName(pools);
  return fc.oneof(
    { weight: 3, arbitrary: valid },
    { weight: 5, arbitrary: mutatedChannelName(valid) },
    { weight: 2, arbitrary: assembledChannelName },
    { weight: 1, arbitrary: pusherAlphabetString },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 60 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 60 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 3000 }) },
  );
}

/** Socket ids: what Pusher and Soketi hand out (`\d+\.\d+`), and what they never do. */
export const validSocketId: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => `${a}.${b}`),
  fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 20n - 1n }), fc.bigInt({ min: 0n, max: 10n ** 20n - 1n })).map(([a, b]) => `${a}.${b}`),
  fc.constantFrom("0.0", "1234.5678", "007.0100", "99999999999999999999.1"),
);

export const invalidSocketId: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("", ".", "1.", ".1", "1", "1.2.3", "1.2\n", "1.2 ", " 1.2", "-1.2", "1.-2", "1,2", "a.b", "1e3.2", "0x1.2", "１.２", "\u0661.2", "1.2\u0000"),
  fc.constantFrom("123456789012345678901.1", "1.123456789012345678901"),
  fc.tuple(validSocketId, oneChar, fc.nat()).map(([s, c, i]) => s.slice(0, i % (s.length + 1)) + c + s.slice(i % (s.length + 1))),
  fc.string({ maxLength: 30 }),
);

export const anySocketId: fc.Arbitrary<string> = fc.oneof({ weight: 3, arbitrary: validSocketId }, { weight: 2, arbitrary: invalidSocketId });

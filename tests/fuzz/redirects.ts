import fc from "fast-check";

/**
 * `next` values for the post-sign-in redirect: paths built from dot segments (plain and percent-encoded),
 * backslashes, tabs and newlines, doubled slashes, schemes and hosts, as an open-redirect attempt would spell them.
 */
const PIECES = [
  ".",
  "..",
  "%2e",
  "%2E",
  ".%2e",
  "%2e.",
  "%2e%2e",
  "%2E%2E",
  "",
  "evil.com",
  "evil.com:443",
  "a",
  "\\",
  "%5c",
  "%5C",
  "%2f",
  "%2F",
  "/",
  "\t",
  "\n",
  "\r",
  " ",
  "@evil.com",
  "user:pass@evil.com",
  ":",
  "?",
  "#",
  "?next=//evil.com",
  "#//evil.com",
  "%00",
  "%09",
  "%0a",
  "%",
  "%zz",
  "javascript:alert(1)",
  "http:",
  "https://evil.com",
  "//",
  "\u3002evil.com", // ideographic full stop
  "\uff0f", // fullwidth solidus
  "\u2215", // division slash
  "\u00a0",
  "\u0000",
  "\u007f",
  "\ud83d\ude00",
];

const PREFIXES = ["/", "/", "/", "//", "\\", "/\\", "\\/", "", "http://evil.com", "https:", "https:/", "javascript:", "/\t/", "/\n/", " /", "\t/", "%2f", "/%2f", "///", "/./", "/../", "/.//", "/%2e//", "/%2e%2e//", "HTTP://", "data:", "mailto:", "/\u0000/"];

const piece = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...PIECES) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }, { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 4 }) });

/** Pieces without the characters that refuse outright (controls, backslash): these reach URL normalisation. */
const quietPiece = fc.constantFrom(".", "..", "%2e", "%2E", ".%2e", "%2e.", "%2e%2e", "", "", "evil.com", "a", "%5c", "%2f", "@evil.com", ":", "?", "#", "%00", "%09", "javascript:alert(1)", "http:", "\u3002evil.com", "\uff0f", "\u00a0", "\ud83d\ude00", ";", "%", "~", "?a=//b", "#x");

export const redirectTarget: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom("/", "/", "/", "//", "/./", "/../", "/.//", "///"), fc.array(quietPiece, { maxLength: 8 }), fc.constantFrom("/", "//")).map(([p, parts, sep]) => p + parts.join(sep)) },
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...PREFIXES), fc.array(piece, { maxLength: 8 }), fc.constantFrom("/", "\\", "/", "//")).map(([p, parts, sep]) => p + parts.join(sep)) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...PREFIXES), fc.array(piece, { maxLength: 10 })).map(([p, parts]) => p + parts.join("")) },
  { weight: 1, arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }) },
  { weight: 1, arbitrary: fc.webPath() },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom("/", "//", "/\\"), fc.webUrl()).map(([p, u]) => p + u.replace(/^https?:\/\//, "")) },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 60 }).map((t) => `/${t}`) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 2030, max: 2070 }), fc.constantFrom("a", "/", "%2e")).map(([n, c]) => `/${c.repeat(n)}`.slice(0, n)) },
);

const BASE = "https://app.example";

/**
 * Whether a Location value keeps the browser on this site: one "/" and then neither "/" nor "\" (or exactly "/"),
 * no character a browser drops or reads as "/" (tab, newline, other controls, backslash), and resolved against
 * the site it stays there.
 */
export function isSafeRedirect(result: unknown): string | null {
  if (typeof result !== "string") return `not a string: ${String(result)}`;
  if (result !== "/" && !/^\/[^/\\]/.test(result)) return `does not start with one "/" and a path character: ${JSON.stringify(result)}`;
  if (/[\u0000-\u001f\u007f\\]/.test(result)) return `holds a control character or a backslash: ${JSON.stringify(result)}`;
  let url: URL;
  try {
    url = new URL(result, BASE);
  } catch {
    return `does not resolve: ${JSON.stringify(result)}`;
  }
  if (url.origin !== BASE) return `leaves the site: ${JSON.stringify(result)} -> ${url.href}`;
  return null;
}

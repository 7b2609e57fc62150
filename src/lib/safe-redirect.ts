const BASE = "http://same-origin.invalid";

/**
 * Where to send a visitor after sign-in, from a `next` value anyone can craft: a path on this site, or "/".
 * Judged on what a browser would make of it, not on its spelling: "/.//evil.com" and "/%2e//evil.com" both
 * normalise to the protocol-relative "//evil.com", and browsers read "\" as "/" and drop tabs and newlines.
 */
export function safeRedirectPath(next: unknown): string {
  if (typeof next !== "string" || next.length > 2048 || !next.startsWith("/")) return "/";
  if (/[\\\u0000-\u001f\u007f]/.test(next)) return "/";
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return "/";
  }
  if (url.origin !== BASE || url.pathname.startsWith("//")) return "/";
  return `${url.pathname}${url.search}${url.hash}`;
}

import fc from "fast-check";

/**
 * Fuzzed HTTP requests for the in-process route handlers: bodies (form-encoded, JSON, binary, empty, streamed,
 * duplicated fields, padded up to and past the caps), Content-Length lies, content types, and the headers a browser,
 * a proxy or an attacker sends (Origin same/cross/null/malformed, Sec-Fetch-Site, Host, X-Forwarded-*).
 */

export const APP_ORIGIN = "http://localhost:3000";

/** The body as bytes (what the server reads), and how it is handed to the Request. */
export type BodySpec = { label: string; bytes: Uint8Array | null; transport: "string" | "bytes" | "stream" | "none"; chunk: number };

export type HeaderSpec = {
  contentType: string | null;
  contentLength: "none" | "true" | "smaller" | "larger" | string;
  origin: string | null;
  secFetchSite: string | null;
  host: string | null;
  forwardedHost: string | null;
  forwardedProto: string | null;
  userAgent: string | null;
};

const FORM = "application/x-www-form-urlencoded";

export const contentTypeArb: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(FORM) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      `${FORM}; charset=UTF-8`,
      `${FORM};charset=ISO-8859-1`,
      "APPLICATION/X-WWW-FORM-URLENCODED",
      "Application/x-www-form-urlencoded",
      ` ${FORM}`,
      `${FORM}x`,
      "application/x-www-form-urlencode",
      "application/json",
      "application/json; charset=utf-8",
      "text/plain",
      "text/plain;charset=UTF-8",
      "multipart/form-data; boundary=xyz",
      "application/octet-stream",
      "",
      "*/*",
      "x-www-form-urlencoded",
      `text/html, ${FORM}`,
    ),
  },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.stringMatching(/^[\x20-\x7e]{0,40}$/) },
);

export const contentLengthArb: fc.Arbitrary<HeaderSpec["contentLength"]> = fc.oneof(
  { weight: 8, arbitrary: fc.constant("none") },
  { weight: 3, arbitrary: fc.constantFrom("true", "smaller", "larger") },
  {
    weight: 2,
    arbitrary: fc.constantFrom("0", "1", "2048", "2049", "4096", "4097", "999999999999999999999999", "00004096", "0002048", "-1", "abc", "1e4", "0x1000", "4096, 4096", "", " 5000 ", "+5000", "5000.0", "Infinity"),
  },
  { weight: 1, arbitrary: fc.nat().map(String) },
);

/** Origins: this app, the host the request came to, other sites, and what is no origin at all. */
export const originArb: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(null) },
  { weight: 4, arbitrary: fc.constant(APP_ORIGIN) },
  {
    weight: 5,
    arbitrary: fc.constantFrom(
      "http://127.0.0.1:4000",
      "https://proxy.example",
      "http://proxy.example",
      "https://evil.example",
      "http://localhost:3000.evil.example",
      "http://evil.example:3000",
      "null",
      "http://localhost:3000/",
      "HTTP://LOCALHOST:3000",
      "http://localhost",
      "https://localhost:3000",
      "http://localhost:3001",
      "http://localhost:3000:80",
      "http://user@localhost:3000",
      "",
      "http://[::1]:3000",
      "http//localhost:3000",
      "localhost:3000",
      "file://",
      "chrome-extension://abcdefgh",
      "javascript:alert(1)",
    ),
  },
  { weight: 1, arbitrary: fc.stringMatching(/^[\x20-\x7e]{0,40}$/) },
  { weight: 1, arbitrary: fc.webUrl().map((u) => new URL(u).origin) },
);

export const secFetchSiteArb: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(null) },
  { weight: 3, arbitrary: fc.constantFrom("same-origin", "same-site", "none", "cross-site", "Cross-Site", "CROSS-SITE", " cross-site", "cross-site, same-origin", "") },
);

export const hostArb: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.constantFrom("localhost:3000", "127.0.0.1:4000", "evil.example", "proxy.example", "", "LOCALHOST:3000", "localhost:3000, evil.example") },
);
export const forwardedHostArb = hostArb;
export const forwardedProtoArb: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.constantFrom("http", "https", "HTTPS", "javascript", "", "https, http", "ws") },
);
export const userAgentArb: fc.Arbitrary<string | null> = fc.oneof(
  fc.constant(null),
  fc.constantFrom("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36", "curl/8.5.0", ""),
  fc.stringMatching(/^[\x20-\x7e]{0,300}$/),
);

export const headerArb: fc.Arbitrary<HeaderSpec> = fc.record({
  contentType: contentTypeArb,
  contentLength: contentLengthArb,
  origin: originArb,
  secFetchSite: secFetchSiteArb,
  host: hostArb,
  forwardedHost: forwardedHostArb,
  forwardedProto: forwardedProtoArb,
  userAgent: userAgentArb,
});

/** A clean request, as pusher-js or the login form sends it. */
export const cleanHeaders: HeaderSpec = {
  contentType: FORM,
  contentLength: "none",
  origin: APP_ORIGIN,
  secFetchSite: "same-origin",
  host: null,
  forwardedHost: null,
  forwardedProto: null,
  userAgent: null,
};

const encoder = new TextEncoder();

/** Serialises form entries: properly encoded, or raw (`k=v&...` with nothing escaped, so `&`, `=`, `%`, `+` mean what they mean). */
export function formText(entries: ReadonlyArray<readonly [string, string]>, raw: boolean): string {
  if (!raw) return new URLSearchParams(entries.map(([k, v]) => [k, v])).toString();
  return entries.map(([k, v]) => `${k}=${v}`).join("&");
}

/** Pads a form body with a `pad` field to exactly `total` bytes (when it is not already longer). */
export function padTo(text: string, total: number): string {
  const base = text.length ? `${text}&pad=` : "pad=";
  const missing = total - encoder.encode(base).length;
  return missing > 0 ? base + "x".repeat(missing) : text;
}

/**
 * Bodies around the given form entries (the fields a well-behaved client would send): reordered, duplicated,
 * dropped, padded to the cap's edge or far past it, as JSON, binary garbage, empty, or streamed in chunks.
 */
export function bodyArb(entries: fc.Arbitrary<Array<readonly [string, string]>>, cap: number): fc.Arbitrary<BodySpec> {
  const transport = fc.constantFrom<BodySpec["transport"]>("string", "string", "bytes", "stream");
  const chunk = fc.integer({ min: 1, max: 700 });
  const junkField = fc.tuple(
    fc.oneof(fc.constantFrom("pad", "socket_id[]", "Socket_id", "channel", "user_data", "__proto__", "constructor", ""), fc.string({ maxLength: 12 })),
    fc.string({ maxLength: 40 }),
  );
  const form = fc
    .tuple(
      entries,
      fc.array(junkField, { maxLength: 3 }),
      fc.boolean(),
      fc.oneof(
        { weight: 6, arbitrary: fc.constant(null) },
        { weight: 2, arbitrary: fc.integer({ min: cap - 8, max: cap + 8 }) },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: cap * 2 }) },
        { weight: 1, arbitrary: fc.constantFrom(cap * 3, 65_536, 300_000) },
      ),
      transport,
      chunk,
    )
    .map(([fields, junk, raw, pad, t, c]): BodySpec => {
      const all = [...fields, ...junk];
      let text = formText(all, raw);
      if (pad !== null) text = padTo(text, pad);
      return { label: pad === null ? "form" : pad > cap ? "form-over-cap" : "form-padded", bytes: encoder.encode(text), transport: t, chunk: c };
    });
  const json = fc.tuple(entries, transport, chunk).map(([fields, t, c]): BodySpec => ({
    label: "json",
    bytes: encoder.encode(JSON.stringify(Object.fromEntries(fields))),
    transport: t,
    chunk: c,
  }));
  const binary = fc.tuple(fc.uint8Array({ maxLength: cap + 100 }), fc.constantFrom<BodySpec["transport"]>("bytes", "stream"), chunk).map(
    ([bytes, t, c]): BodySpec => ({ label: "binary", bytes, transport: t, chunk: c }),
  );
  const formThenBinary = fc.tuple(entries, fc.uint8Array({ maxLength: 64 }), chunk).map(([fields, tail, c]): BodySpec => {
    const head = encoder.encode(`${formText(fields, false)}&x=`);
    const bytes = new Uint8Array(head.length + tail.length);
    bytes.set(head);
    bytes.set(tail, head.length);
    return { label: "form-binary-tail", bytes, transport: "bytes", chunk: c };
  });
  const empty = fc.constantFrom<BodySpec>(
    { label: "empty", bytes: encoder.encode(""), transport: "string", chunk: 1 },
    { label: "no-body", bytes: null, transport: "none", chunk: 1 },
    { label: "empty-stream", bytes: new Uint8Array(0), transport: "stream", chunk: 1 },
  );
  return fc.oneof({ weight: 12, arbitrary: form }, { weight: 1, arbitrary: json }, { weight: 1, arbitrary: binary }, { weight: 1, arbitrary: formThenBinary }, { weight: 1, arbitrary: empty });
}

/**
 * Entries around the intended values: in either order, each sometimes missing or given twice (with another value,
 * before or after), as pusher-js never sends but a forger can.
 */
export function fieldEntries(fields: Array<[string, fc.Arbitrary<string>, fc.Arbitrary<string>]>): fc.Arbitrary<Array<readonly [string, string]>> {
  const one = ([name, value, other]: [string, fc.Arbitrary<string>, fc.Arbitrary<string>]) =>
    fc.tuple(value, fc.constantFrom("once", "once", "once", "once", "once", "missing", "dup-before", "dup-after", "same-twice"), other).map(
      ([v, how, o]): Array<readonly [string, string]> => {
        switch (how) {
          case "missing":
            return [];
          case "dup-before":
            return [
              [name, o],
              [name, v],
            ];
          case "dup-after":
            return [
              [name, v],
              [name, o],
            ];
          case "same-twice":
            return [
              [name, v],
              [name, v],
            ];
          default:
            return [[name, v]];
        }
      },
    );
  return fc.tuple(fc.tuple(...fields.map(one)), fc.boolean()).map(([groups, reverse]) => {
    const flat = groups.flat();
    return reverse ? flat.reverse() : flat;
  });
}

/** Builds the Request: the body by its transport, and every header of the spec. */
export function buildRequest(url: string, body: BodySpec, h: HeaderSpec, cookie: string | null): Request {
  const headers = new Headers();
  if (h.contentType !== null) headers.set("content-type", h.contentType);
  const size = body.bytes?.length ?? 0;
  const cl =
    h.contentLength === "none"
      ? null
      : h.contentLength === "true"
        ? String(size)
        : h.contentLength === "smaller"
          ? String(Math.max(0, size - 1 - (size >> 1)))
          : h.contentLength === "larger"
            ? String(size + 1 + size)
            : h.contentLength;
  if (cl !== null) headers.set("content-length", cl);
  if (h.origin !== null) headers.set("origin", h.origin);
  if (h.secFetchSite !== null) headers.set("sec-fetch-site", h.secFetchSite);
  if (h.host !== null) headers.set("host", h.host);
  if (h.forwardedHost !== null) headers.set("x-forwarded-host", h.forwardedHost);
  if (h.forwardedProto !== null) headers.set("x-forwarded-proto", h.forwardedProto);
  if (h.userAgent !== null) headers.set("user-agent", h.userAgent);
  if (cookie !== null) headers.set("cookie", cookie);
  const init: RequestInit & { duplex?: "half" } = { method: "POST", headers };
  if (body.transport === "string") init.body = new TextDecoder().decode(body.bytes!);
  else if (body.transport === "bytes") init.body = body.bytes!.slice();
  else if (body.transport === "stream") {
    const bytes = body.bytes!;
    let at = 0;
    init.body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (at >= bytes.length) return controller.close();
          controller.enqueue(bytes.slice(at, at + body.chunk));
          at += body.chunk;
        },
      },
      { highWaterMark: 0 },
    );
    init.duplex = "half";
  }
  return new Request(url, init);
}

export type Interpretation = "first" | "last";

/**
 * How a server may read the body it was sent, per the standards, not per src/: UTF-8 (bad bytes replaced), then
 * application/x-www-form-urlencoded. A field given twice may be taken first or last; both readings are returned.
 */
export function readForm(bytes: Uint8Array | null): Record<Interpretation, Record<string, string>> {
  const form = new URLSearchParams(new TextDecoder().decode(bytes ?? new Uint8Array(0)));
  const first: Record<string, string> = {};
  const last: Record<string, string> = {};
  for (const [k, v] of form) {
    if (!Object.hasOwn(first, k)) Object.defineProperty(first, k, { value: v, enumerable: true, writable: true, configurable: true });
    Object.defineProperty(last, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return { first, last };
}

export const field = (form: Record<string, string>, name: string): string | undefined => (Object.hasOwn(form, name) ? form[name] : undefined);

/**
 * The documented same-origin rule of the realtime routes: no `Sec-Fetch-Site: cross-site`, and an Origin (when sent)
 * that is exactly this app's, the request URL's, or the scheme and host the request came to (X-Forwarded-Host or
 * Host; X-Forwarded-Proto or the app's scheme).
 */
export function referenceSameOrigin(req: Request, appOrigin: string): boolean {
  if (req.headers.get("sec-fetch-site") === "cross-site") return false;
  const origin = req.headers.get("origin");
  if (origin === null) return true;
  const allowed = [appOrigin, new URL(req.url).origin];
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  if (host) allowed.push(`${req.headers.get("x-forwarded-proto") ?? new URL(appOrigin).protocol.slice(0, -1)}://${host}`);
  return allowed.includes(origin);
}

/**
 * Whether the body is over the cap: by a declared Content-Length or by its real size.
 */
export function referenceTooLarge(req: Request, size: number, cap: number): "yes" | "no" {
  if (size > cap) return "yes";
  const declared = req.headers.get("content-length");
  if (declared === null) return "no";
  // Only digits are a length; anything else declared is refused as too large (nothing honest sends it).
  return /^\d+$/.test(declared.trim()) && BigInt(declared.trim()) <= BigInt(cap) ? "no" : "yes";
}

/**
 * Whether the body is declared form-encoded: the media type's essence (before any parameter) is exactly
 * application/x-www-form-urlencoded ("...urlencodedx" is not).
 */
export function referenceIsForm(req: Request): "yes" | "no" {
  const type = (req.headers.get("content-type") ?? "").toLowerCase();
  return type.split(";")[0].trim() === FORM ? "yes" : "no";
}

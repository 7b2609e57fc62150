/**
 * Tells server actions which broker connection made the request, so the signal they publish skips it (the
 * originating tab applies the signals its action returned); the user's other tabs still get it. Laravel Echo
 * does this with request interceptors; here `window.fetch` is wrapped, because Next.js sends every server action as
 * a fetch POST with a `Next-Action` header. Only same-origin requests carrying that header are touched, so no
 * socket id goes to third parties. The server treats it as a hint: validated, and only ever used to skip one
 * connection of a signal it was publishing anyway.
 */
export const SOCKET_ID_HEADER = "X-Socket-Id";
/** What a broker's socket id looks like (Pusher and Soketi: two integers); anything else is refused or ignored. */
export const SOCKET_ID_PATTERN = /^\d{1,20}\.\d{1,20}$/;
const ACTION_HEADER = "next-action";

type Fetch = typeof fetch;

function requestUrl(input: Parameters<Fetch>[0]): string {
  if (typeof input === "string") return input;
  if (input instanceof URL) return input.href;
  return input.url;
}

function isSameOrigin(input: Parameters<Fetch>[0]): boolean {
  try {
    return new URL(requestUrl(input), window.location.href).origin === window.location.origin;
  } catch {
    return false;
  }
}

/** Wraps window.fetch until the returned function is called. Several installs nest and unwind in any order. */
export function installSocketIdHeader(socketId: () => string | null): () => void {
  if (typeof window === "undefined" || typeof window.fetch !== "function") return () => {};
  const original: Fetch = window.fetch;
  let active = true;

  const withSocketId: Fetch = (input, init) => {
    const id = active ? socketId() : null;
    if (!id || !isSameOrigin(input)) return original(input, init);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    if (!headers.has(ACTION_HEADER) || headers.has(SOCKET_ID_HEADER)) return original(input, init);
    headers.set(SOCKET_ID_HEADER, id);
    return original(input, { ...init, headers });
  };
  window.fetch = withSocketId;

  return () => {
    active = false;
    // Someone wrapped fetch after us: leave their wrapper in place; ours now passes requests straight through.
    if (window.fetch === withSocketId) window.fetch = original;
  };
}

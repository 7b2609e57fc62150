import "server-only";

/** The header a tab sends with its server actions, naming its own broker connection (helper code in client/). */
export const SOCKET_ID_HEADER = "x-socket-id";
export const SOCKET_ID = /^\d{1,20}\.\d{1,20}$/;

/**
 * The connection to leave out of this request's signals: the tab that made the change already refreshed itself.
 * Anything that is not a well-formed socket id is ignored, never an error: the worst a forged value can do is
 * spare one connection a refetch it would otherwise have made.
 */
export function originSocketId(headers: Pick<Headers, "get">): string | undefined {
  const value = headers.get(SOCKET_ID_HEADER)?.trim();
  return value && SOCKET_ID.test(value) ? value : undefined;
}

/**
 * Reference implementations for the fuzz properties, written from the contract (docs/realtime.md) and not imported
 * from src/: the app's channel kinds as regexes, Pusher's name and socket id rules.
 */

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

type RefKind = { kind: string; private: boolean; pattern: RegExp; params: (m: RegExpExecArray) => Record<string, string> };

/** The app's channel kinds: one regex per kind, canonical lowercase UUIDs and exact tokens only. */
export const REFERENCE_CHANNELS: readonly RefKind[] = [
  { kind: "user", private: true, pattern: new RegExp(`^private-user\\.(${UUID})$`), params: (m) => ({ userId: m[1] }) },
  {
    kind: "resource",
    private: true,
    pattern: new RegExp(`^private-resource\\.(ARTICLE|GIST)\\.(${UUID})$`),
    params: (m) => ({ type: m[1], id: m[2] }),
  },
  { kind: "tag", private: false, pattern: new RegExp(`^tag\\.(${UUID})$`), params: (m) => ({ tagId: m[1] }) },
  { kind: "profile", private: false, pattern: new RegExp(`^profile\\.(${UUID})$`), params: (m) => ({ userId: m[1] }) },
  { kind: "feed", private: false, pattern: /^feed\.(articles)$/, params: (m) => ({ feed: m[1] }) },
];

/** Pusher's rule for a channel name: 1 to 164 characters of [A-Za-z0-9_\-=@,.;]. */
export const PUSHER_NAME = /^[A-Za-z0-9_\-=@,.;]{1,164}$/;

/** What Pusher and Soketi hand out as a socket id: two integers. */
export const SOCKET_ID = /^\d{1,20}\.\d{1,20}$/;

export type RefChannel = { kind: string; name: string; private: boolean; params: Record<string, string> };

export function referenceParseChannel(name: unknown): RefChannel | null {
  if (typeof name !== "string" || !PUSHER_NAME.test(name)) return null;
  for (const ref of REFERENCE_CHANNELS) {
    const m = ref.pattern.exec(name);
    if (m) return { kind: ref.kind, name, private: ref.private, params: ref.params(m) };
  }
  return null;
}

/**
 * Channel names, built and parsed in one place for the publisher, the auth route and the browser.
 * Isomorphic: no server imports.
 */
import { ROOT_RESOURCE_TYPES, type RootResourceType } from "@/lib/resource-types";

/** Pusher's own limits: these characters only, at most 164 of them. */
export const CHANNEL_NAME_MAX = 164;
const PUSHER_CHANNEL_CHARS = /^[A-Za-z0-9_\-=@,.;]+$/;

export type ChannelKind = "user" | "resource" | "tag" | "profile" | "feed";

/** Site-wide public feeds; only the home article feed has one (throttled server-side, see home-feed-throttle). */
export const FEEDS = ["articles"] as const;
export type Feed = (typeof FEEDS)[number];

export type ParsedChannel =
  | { kind: "user"; name: string; userId: string }
  | { kind: "resource"; name: string; resourceType: RootResourceType; resourceId: string }
  | { kind: "tag"; name: string; tagId: string }
  | { kind: "profile"; name: string; userId: string }
  | { kind: "feed"; name: string; feed: Feed };

/** Channels whose subscription the auth route must sign (Pusher's "private-" convention). */
export function isPrivateChannel(channel: ParsedChannel): boolean {
  return channel.kind === "user" || channel.kind === "resource";
}

/** Canonical UUIDs only (lowercase), so every id has exactly one channel name. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function assertId(id: string, what: string): string {
  if (typeof id !== "string" || !UUID_PATTERN.test(id)) throw new RangeError(`${what} must be a lowercase UUID, got ${id}`);
  return id;
}

function assertRootType(type: string): RootResourceType {
  if (!(ROOT_RESOURCE_TYPES as readonly string[]).includes(type)) {
    throw new RangeError(`resource channel type must be one of ${ROOT_RESOURCE_TYPES.join("|")}, got ${type}`);
  }
  return type as RootResourceType;
}

export const userChannel = (userId: string) => `private-user.${assertId(userId, "userId")}`;
export const resourceChannel = (type: RootResourceType, id: string) =>
  `private-resource.${assertRootType(type)}.${assertId(id, "resource id")}`;
export const tagChannel = (tagId: string) => `tag.${assertId(tagId, "tagId")}`;
export const profileChannel = (userId: string) => `profile.${assertId(userId, "userId")}`;
export const articleFeedChannel = () => "feed.articles" as const;

const ID = "([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})";
const ROOT = `(${ROOT_RESOURCE_TYPES.join("|")})`;

type Rule = { pattern: RegExp; build: (m: RegExpExecArray, name: string) => ParsedChannel | null };

const id = (s: string) => s;

const RULES: Rule[] = [
  {
    pattern: new RegExp(`^private-user\\.${ID}$`),
    build: (m, name) => (id(m[1]) ? { kind: "user", name, userId: id(m[1])! } : null),
  },
  {
    pattern: new RegExp(`^private-resource\\.${ROOT}\\.${ID}$`),
    build: (m, name) =>
      id(m[2]) ? { kind: "resource", name, resourceType: m[1] as RootResourceType, resourceId: id(m[2])! } : null,
  },
  { pattern: new RegExp(`^tag\\.${ID}$`), build: (m, name) => (id(m[1]) ? { kind: "tag", name, tagId: id(m[1])! } : null) },
  {
    pattern: new RegExp(`^profile\\.${ID}$`),
    build: (m, name) => (id(m[1]) ? { kind: "profile", name, userId: id(m[1])! } : null),
  },
  { pattern: new RegExp(`^feed\\.(${FEEDS.join("|")})$`), build: (m, name) => ({ kind: "feed", name, feed: m[1] as Feed }) },
];

/** The one parser: anything that is not exactly a channel this app builds is null. */
export function parseChannel(name: unknown): ParsedChannel | null {
  if (typeof name !== "string" || name.length > CHANNEL_NAME_MAX || !PUSHER_CHANNEL_CHARS.test(name)) return null;
  for (const rule of RULES) {
    const m = rule.pattern.exec(name);
    if (m) return rule.build(m, name);
  }
  return null;
}

/** Pusher's character and length rules alone (a well-formed name that may still be unknown to this app). */
export function isPusherChannelName(name: unknown): name is string {
  return typeof name === "string" && name.length <= CHANNEL_NAME_MAX && PUSHER_CHANNEL_CHARS.test(name);
}

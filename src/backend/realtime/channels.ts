/**
 * This app's channels (the library builds and parses them; see docs/realtime.md). Private kinds are signed by
 * /api/realtime/auth under the channel policy (channel-policy.ts); public kinds carry only what anyone may know.
 * Isomorphic: the browser builds the same names.
 */
import { defineChannels, type ParsedChannel } from "@/lib/realtime";
import { ROOT_RESOURCE_TYPES, type RootResourceType } from "@/lib/resource-types";

export const channels = defineChannels({
  /** One user's devices: notifications, own lists (dashboard, bookmarks, gists), sessions, own profile. */
  user: { private: true, params: { userId: "uuid" } },
  /** Whoever may read the article or gist: its comments (replies at any depth), reactions, and the page itself. */
  resource: { private: true, params: { type: ROOT_RESOURCE_TYPES, id: "uuid" } },
  /** A tag page: its published articles. */
  tag: { params: { tagId: "uuid" } },
  /** A profile page: the user's published articles and their card. */
  profile: { params: { userId: "uuid" } },
  /** Site-wide feeds: the home feed's throttled "new articles" notice. */
  feed: { params: { feed: ["articles"] } },
});

export type AppChannel = ParsedChannel<typeof channels.specs>;

export const userChannel = (userId: string) => channels.build("user", { userId });
export const resourceChannel = (type: RootResourceType, id: string) => channels.build("resource", { type, id });
export const tagChannel = (tagId: string) => channels.build("tag", { tagId });
export const profileChannel = (userId: string) => channels.build("profile", { userId });
export const articleFeedChannel = () => channels.build("feed", { feed: "articles" });

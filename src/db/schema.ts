import { relations } from "drizzle-orm";
import {
  bigint,
  boolean,
  index,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

import { REACTION_TYPES, RESOURCE_TYPES } from "@/lib/resource-types";

export { REACTION_TYPES, RESOURCE_TYPES };
export type { ReactionType, ResourceType } from "@/lib/resource-types";
export const NOTIFICATION_TYPES = ["COMMENT", "REPLY", "REACTION"] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export const resourceTypeEnum = pgEnum("resource_type", RESOURCE_TYPES);
export const reactionTypeEnum = pgEnum("reaction_type", REACTION_TYPES);
export const notificationTypeEnum = pgEnum("notification_type", NOTIFICATION_TYPES);

const timestamps = {
  created_at: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updated_at: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
};

export const users = pgTable(
  "users",
  {
    id: uuid("id").defaultRandom().primaryKey(),
    username: text("username").notNull(),
    name: text("name").notNull(),
    email: text("email").notNull(),
    bio: text("bio").notNull().default(""),
    ...timestamps,
  },
  (t) => [uniqueIndex("users_username_key").on(t.username), uniqueIndex("users_email_key").on(t.email)],
);

export const userSessions = pgTable(
  "user_sessions",
  {
    id: uuid("id").defaultRandom().primaryKey(),
    user_id: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    // sha256 of the cookie value: a leaked table does not yield usable cookies.
    token: text("token").notNull(),
    device: text("device").notNull().default("unknown"),
    ip: text("ip").notNull().default(""),
    last_action_at: timestamp("last_action_at", { withTimezone: true }).notNull().defaultNow(),
    created_at: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("user_sessions_token_key").on(t.token), index("user_sessions_user_idx").on(t.user_id)],
);

/**
 * Broker sockets a session signed in (the realtime sign-in route). Channel authorization signs a session's channels
 * only on these, so every private subscription of a session lives on a socket that revoking it can close. Rows go
 * with their session (cascade) and each session keeps its newest few (src/backend/realtime/connection-sign-in.ts).
 */
export const realtimeSockets = pgTable(
  "realtime_sockets",
  {
    session_id: uuid("session_id")
      .notNull()
      .references(() => userSessions.id, { onDelete: "cascade" }),
    socket_id: text("socket_id").notNull(),
    created_at: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.session_id, t.socket_id] })],
);

/**
 * The windows of the publish throttle (the home feed's signal), shared by every app instance on this database so
 * that the site sends one signal per window, not one per instance (src/backend/realtime/throttle-store.ts). A row
 * lives while its window is open or has a trailing signal pending; `key` is the throttle's channel and signal.
 */
export const realtimeThrottleWindows = pgTable("realtime_throttle_windows", {
  key: text("key").primaryKey(),
  ends_at: timestamp("ends_at", { withTimezone: true }).notNull(),
  pending: boolean("pending").notNull().default(false),
});

export const articles = pgTable(
  "articles",
  {
    id: uuid("id").defaultRandom().primaryKey(),
    title: text("title").notNull(),
    handle: text("handle").notNull(),
    body: text("body").notNull().default(""),
    excerpt: text("excerpt").notNull().default(""),
    published_at: timestamp("published_at", { withTimezone: true }),
    author_id: uuid("author_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("articles_author_handle_key").on(t.author_id, t.handle),
    index("articles_published_idx").on(t.published_at),
  ],
);

export const tags = pgTable("tags", {
  id: uuid("id").defaultRandom().primaryKey(),
  name: text("name").notNull().unique(),
});

export const articleTag = pgTable(
  "article_tag",
  {
    article_id: uuid("article_id")
      .notNull()
      .references(() => articles.id, { onDelete: "cascade" }),
    tag_id: uuid("tag_id")
      .notNull()
      .references(() => tags.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.article_id, t.tag_id] }), index("article_tag_tag_idx").on(t.tag_id)],
);

export const comments = pgTable(
  "comments",
  {
    id: uuid("id").defaultRandom().primaryKey(),
    body: text("body").notNull(),
    resource_id: uuid("resource_id").notNull(),
    resource_type: resourceTypeEnum("resource_type").notNull(),
    user_id: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    ...timestamps,
  },
  (t) => [index("comments_resource_idx").on(t.resource_type, t.resource_id)],
);

export const reactions = pgTable(
  "reactions",
  {
    id: uuid("id").defaultRandom().primaryKey(),
    resource_id: uuid("resource_id").notNull(),
    resource_type: resourceTypeEnum("resource_type").notNull(),
    reaction_type: reactionTypeEnum("reaction_type").notNull(),
    user_id: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    created_at: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("reactions_unique_key").on(t.user_id, t.resource_type, t.resource_id, t.reaction_type),
    index("reactions_resource_idx").on(t.resource_type, t.resource_id),
  ],
);

export const bookmarks = pgTable(
  "bookmarks",
  {
    id: uuid("id").defaultRandom().primaryKey(),
    resource_id: uuid("resource_id").notNull(),
    resource_type: resourceTypeEnum("resource_type").notNull().default("ARTICLE"),
    user_id: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    created_at: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("bookmarks_unique_key").on(t.user_id, t.resource_type, t.resource_id)],
);

export const notifications = pgTable(
  "notifications",
  {
    id: uuid("id").defaultRandom().primaryKey(),
    recipient_id: uuid("recipient_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    actor_id: uuid("actor_id").references(() => users.id, { onDelete: "set null" }),
    type: notificationTypeEnum("type").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull().default({}),
    // Inngest event id: a retried insert step cannot create a second row.
    event_id: text("event_id"),
    read_at: timestamp("read_at", { withTimezone: true }),
    created_at: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("notifications_recipient_idx").on(t.recipient_id, t.created_at),
    uniqueIndex("notifications_event_key").on(t.event_id),
  ],
);

export const gists = pgTable(
  "gists",
  {
    id: uuid("id").defaultRandom().primaryKey(),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    is_public: boolean("is_public").notNull().default(true),
    owner_id: uuid("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    ...timestamps,
  },
  (t) => [index("gists_owner_idx").on(t.owner_id)],
);

export const gistFiles = pgTable(
  "gist_files",
  {
    id: uuid("id").defaultRandom().primaryKey(),
    gist_id: uuid("gist_id")
      .notNull()
      .references(() => gists.id, { onDelete: "cascade" }),
    filename: text("filename").notNull(),
    language: text("language").notNull().default("text"),
    content: text("content").notNull().default(""),
  },
  (t) => [uniqueIndex("gist_files_name_key").on(t.gist_id, t.filename)],
);

export const usersRelations = relations(users, ({ many }) => ({
  articles: many(articles),
  gists: many(gists),
}));
export const articlesRelations = relations(articles, ({ one, many }) => ({
  author: one(users, { fields: [articles.author_id], references: [users.id] }),
  tags: many(articleTag),
}));
export const articleTagRelations = relations(articleTag, ({ one }) => ({
  article: one(articles, { fields: [articleTag.article_id], references: [articles.id] }),
  tag: one(tags, { fields: [articleTag.tag_id], references: [tags.id] }),
}));
export const gistsRelations = relations(gists, ({ one, many }) => ({
  owner: one(users, { fields: [gists.owner_id], references: [users.id] }),
  files: many(gistFiles),
}));
export const gistFilesRelations = relations(gistFiles, ({ one }) => ({
  gist: one(gists, { fields: [gistFiles.gist_id], references: [gists.id] }),
}));

/**
 * One monotonic version per realtime channel, bumped in the transaction of every write whose signal goes to that
 * channel (src/backend/realtime/versions.ts). A tab compares it with the last version it heard: a committed write
 * always moves it, so a lost signal shows as a gap. A channel that never had a write has no row (version 0).
 */
export const realtimeChannelVersions = pgTable("realtime_channel_versions", {
  channel: text("channel").primaryKey(),
  version: bigint("version", { mode: "number" }).notNull(),
});

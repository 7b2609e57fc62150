import "server-only";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db/client";
import { articles, comments, gists, notifications, reactions, users } from "@/db/schema";
import type { NotificationType } from "@/db/schema";
import { resolveCommentRoot } from "@/backend/permissions";
import { type Id, Uuid } from "@/lib/ids";
import { REACTION_TYPES, RESOURCE_TYPES, ROOT_RESOURCE_TYPES, type ReactionType, type ResourceType } from "@/lib/resource-types";
import { userChannel } from "@/backend/realtime/channels";
import { notificationsSignal } from "@/backend/realtime/signals";
import { stampVersions } from "@/backend/realtime/versions";

/*
 * The data of an `app/notification.requested` event is a claim, not a fact: anyone able to send an event could
 * write anything into it. So the builder takes from it only *which* fact to look up (a comment id, or an
 * actor/resource/kind triple for a reaction), checks that fact against the database, and takes everything else
 * (recipient, title, excerpt, the dedupe key) from the database and the validated ids. An event that does not
 * hold up is dropped with a reason (`{ skipped }`), returned, never thrown: retrying would not change the answer.
 */

// Strict objects: a field the actions never send (e.g. an injected `recipient_id`) makes the whole event invalid.
const CommentRequest = z.strictObject({
  actor_id: Uuid,
  kind: z.literal("comment"),
  resource_type: z.enum(ROOT_RESOURCE_TYPES),
  resource_id: Uuid,
  comment_id: Uuid,
});
const ReplyRequest = z.strictObject({
  actor_id: Uuid,
  kind: z.literal("reply"),
  resource_type: z.literal("COMMENT"),
  /** The parent comment. */
  resource_id: Uuid,
  comment_id: Uuid,
});
const ReactionRequest = z.strictObject({
  actor_id: Uuid,
  kind: z.literal("reaction"),
  resource_type: z.enum(RESOURCE_TYPES),
  resource_id: Uuid,
  reaction_type: z.enum(REACTION_TYPES),
});

/** Data of the `app/notification.requested` event, as sent by the comment and reaction actions. */
export const NotificationRequest = z.discriminatedUnion("kind", [CommentRequest, ReplyRequest, ReactionRequest]);
export type NotificationRequestData = z.infer<typeof NotificationRequest>;

/**
 * The dedupe key of a notification: its Inngest event id, and the `notifications.event_id` of the row it writes
 * (unique index `notifications_event_key`), so a second request for the same fact inserts nothing and signals
 * nothing, whether it is an Inngest retry, a replayed or forged event, or the in-process path.
 *
 * - A comment or reply: one notification per comment (`comment-<id>`, the spelling rows already carry).
 * - A reaction: one per (actor, resource, reaction kind), NOT per reaction row: toggling a reaction off and on
 *   again N times notifies the author once. Marking that notification read keeps the row, so reacting again still
 *   adds nothing (deliberate: the author has been told). The app has no action deleting a notification; if the row
 *   is ever gone (e.g. a future "dismiss"), the next reaction notifies again: at once in-process, and through
 *   Inngest once its event-id dedupe window (24 h) for that key has passed.
 *
 * Ids are the canonical lower-case ones (the zod `Uuid`, or ids read from the database).
 */
export function notificationKey(d: NotificationRequestData): string {
  return d.kind === "reaction"
    ? `reaction:${d.actor_id}:${d.resource_type}:${d.resource_id}:${d.reaction_type}`
    : `comment-${d.comment_id}`;
}

export type NotificationPayload = {
  title: string;
  url: string;
  excerpt?: string;
  actor_username: string;
  resource_type: ResourceType;
  resource_id: Id;
  comment_id?: Id;
  reaction_type?: string;
};

/** The database row a notification rests on; checked again in the insert, in the same transaction. */
export type Evidence =
  | { comment_id: Id }
  | { reaction: { user_id: Id; resource_type: ResourceType; resource_id: Id; reaction_type: ReactionType } };

export type BuiltNotification = {
  recipient_id: Id;
  actor_id: Id;
  type: NotificationType;
  payload: NotificationPayload;
  /** notifications.event_id: notificationKey() of the validated data, never the event's own id. */
  event_key: string;
  evidence: Evidence;
};

export type Skipped = { skipped: string };

/**
 * Skips that ordinary use produces (own resource, a reaction taken back before the step ran, a repeated request);
 * every other reason means the event did not match the database and is worth a log line.
 */
export const ROUTINE_SKIPS: ReadonlySet<string> = new Set(["self", "already notified", "reaction no longer exists"]);

const EXCERPT_CHARS = 140;
function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS - 1)}…` : flat;
}

type Target = {
  owner_id: Id;
  title: string;
  url: string;
  noun: string;
  /** The thread root's read rule (canReadResource's): public, or readable by its owner only. */
  root: { public: boolean; owner_id: Id };
};

/** Who owns a resource and how to link to it; a comment links to its place in the root's thread. */
async function describe(type: ResourceType, id: Id): Promise<Target | null> {
  const db = await getDb();
  if (type === "ARTICLE") {
    const [a] = await db
      .select({
        owner_id: articles.author_id,
        title: articles.title,
        handle: articles.handle,
        published_at: articles.published_at,
        username: users.username,
      })
      .from(articles)
      .innerJoin(users, eq(users.id, articles.author_id))
      .where(eq(articles.id, id));
    if (!a) return null;
    const root = { public: a.published_at !== null, owner_id: a.owner_id };
    return { owner_id: a.owner_id, title: a.title, url: `/@${a.username}/${a.handle}`, noun: "article", root };
  }
  if (type === "GIST") {
    const [g] = await db
      .select({ owner_id: gists.owner_id, title: gists.title, is_public: gists.is_public })
      .from(gists)
      .where(eq(gists.id, id));
    if (!g) return null;
    return { owner_id: g.owner_id, title: g.title, url: `/gists/${id}`, noun: "gist", root: { public: g.is_public, owner_id: g.owner_id } };
  }
  const [c] = await db.select({ owner_id: comments.user_id }).from(comments).where(eq(comments.id, id));
  const root = c ? await resolveCommentRoot(id) : null;
  const rootTarget = root ? await describe(root.resource_type, root.resource_id) : null;
  if (!c || !rootTarget) return null;
  return { owner_id: c.owner_id, title: rootTarget.title, url: `${rootTarget.url}#comment-${id}`, noun: "comment", root: rootTarget.root };
}

const readableBy = (target: Target, userId: Id) => target.root.public || target.root.owner_id === userId;

const reactionWhere = (r: Extract<Evidence, { reaction: unknown }>["reaction"]) =>
  and(
    eq(reactions.user_id, r.user_id),
    eq(reactions.resource_type, r.resource_type),
    eq(reactions.resource_id, r.resource_id),
    eq(reactions.reaction_type, r.reaction_type),
  );

/**
 * Validates the event against the database and resolves recipient and payload. The recipient is always derived
 * (the resource's author, or the parent comment's author for a reply), never read from the event. Anything that
 * does not hold up, or makes the notification pointless (the actor notifying themself), is a skip with a reason.
 */
export async function buildNotification(raw: unknown): Promise<BuiltNotification | Skipped> {
  const parsed = NotificationRequest.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // Zod quotes the sender's key names into some messages: control characters out, length bounded (it is logged).
    const reason = `${issue.path.join(".") || "data"}: ${issue.message}`.replace(/[\u0000-\u001f\u007f]/g, "?").slice(0, 200);
    return { skipped: `invalid payload: ${reason}` };
  }
  const d = parsed.data;
  const db = await getDb();
  const [actor] = await db.select({ username: users.username, name: users.name }).from(users).where(eq(users.id, d.actor_id));
  if (!actor) return { skipped: "actor not found" };

  const target = await describe(d.resource_type, d.resource_id);
  if (!target) return { skipped: "resource not found" };
  // The recipient is target.owner_id, from the database. Telling the actor about themself is pointless whatever
  // the rest of the event says, so this needs no further lookup (and writes nothing either way).
  if (target.owner_id === d.actor_id) return { skipped: "self" };

  let evidence: Evidence;
  let commentBody = "";
  if (d.kind === "reaction") {
    const reaction = { user_id: d.actor_id, resource_type: d.resource_type, resource_id: d.resource_id, reaction_type: d.reaction_type };
    const [row] = await db.select({ id: reactions.id }).from(reactions).where(reactionWhere(reaction));
    // Taken back before this step ran (or never given): nothing to tell.
    if (!row) return { skipped: "reaction no longer exists" };
    evidence = { reaction };
  } else {
    const [c] = await db
      .select({ user_id: comments.user_id, resource_type: comments.resource_type, resource_id: comments.resource_id, body: comments.body })
      .from(comments)
      .where(eq(comments.id, d.comment_id));
    if (!c) return { skipped: "comment not found" };
    if (c.user_id !== d.actor_id) return { skipped: "actor is not the comment's author" };
    if (c.resource_type !== d.resource_type || c.resource_id !== d.resource_id) {
      return { skipped: d.kind === "reply" ? "comment is not a reply to the stated parent" : "comment does not belong to the stated resource" };
    }
    evidence = { comment_id: d.comment_id };
    commentBody = c.body;
  }

  // Neither side may be told about (or through) a thread they cannot read now, e.g. a gist made private since.
  if (!readableBy(target, target.owner_id)) return { skipped: "recipient cannot read the resource" };
  if (!readableBy(target, d.actor_id)) return { skipped: "actor cannot read the resource" };

  const base = { actor_username: actor.username, resource_type: d.resource_type, resource_id: d.resource_id };
  const common = { recipient_id: target.owner_id, actor_id: d.actor_id, event_key: notificationKey(d), evidence };
  if (d.kind === "reaction") {
    return {
      ...common,
      type: "REACTION",
      payload: {
        ...base,
        title: `${actor.name} reacted ${d.reaction_type} to your ${target.noun} on “${target.title}”`,
        url: target.url,
        reaction_type: d.reaction_type,
      },
    };
  }
  const title =
    d.kind === "reply"
      ? `${actor.name} replied to your comment on “${target.title}”`
      : `${actor.name} commented on your ${target.noun} “${target.title}”`;
  const rootUrl = target.url.split("#")[0];
  return {
    ...common,
    type: d.kind === "reply" ? "REPLY" : "COMMENT",
    payload: { ...base, title, url: `${rootUrl}#comment-${d.comment_id}`, excerpt: excerpt(commentBody), comment_id: d.comment_id },
  };
}

/**
 * Writes the notification if its evidence (the comment, or the actor's reaction) still exists, in one transaction
 * that holds a share lock on it: a reaction removed between the build step and this one writes nothing, and a
 * removal racing the insert waits for it. At most one row per key (`onConflictDoNothing` on the unique event_id):
 * when the row already exists nothing is written and the answer is a skip, so the caller publishes nothing.
 *
 * An Inngest retry of this same step after its first attempt committed (the attempt's result lost) therefore
 * finds the row and skips the signal too; the row is there, and the recipient sees it on the next fetch. That is
 * the price of "a repeated request signals nothing", which is what stops reaction toggling from spamming signals.
 */
export async function insertNotification(n: BuiltNotification): Promise<{ id: Id; recipient_id: Id; channel_version: number } | Skipped> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const { evidence } = n;
    const [still] =
      "reaction" in evidence
        ? await tx.select({ id: reactions.id }).from(reactions).where(reactionWhere(evidence.reaction)).for("share")
        : await tx.select({ id: comments.id }).from(comments).where(eq(comments.id, evidence.comment_id)).for("share");
    if (!still) return { skipped: "reaction" in evidence ? "reaction no longer exists" : "comment not found" };
    const [row] = await tx
      .insert(notifications)
      .values({ recipient_id: n.recipient_id, actor_id: n.actor_id, type: n.type, payload: n.payload, event_id: n.event_key })
      .onConflictDoNothing({ target: notifications.event_id })
      .returning({ id: notifications.id, recipient_id: notifications.recipient_id });
    if (!row) return { skipped: "already notified" };
    // The recipient's channel moves with the row (the publish is a later step, retried on its own).
    const [announced] = await stampVersions(tx, notificationsSignal(row.recipient_id));
    return { ...row, channel_version: announced.versions![userChannel(row.recipient_id)] };
  });
}

import "server-only";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db/client";
import { articles, comments, gists, notifications, users } from "@/db/schema";
import type { NotificationType } from "@/db/schema";
import { resolveCommentRoot } from "@/backend/permissions";
import { type Id, Uuid } from "@/lib/ids";
import { REACTION_TYPES, RESOURCE_TYPES, type ResourceType } from "@/lib/resource-types";

/** Data of the `app/notification.requested` event, as sent by the comment and reaction actions. */
export const NotificationRequest = z
  .object({
    actor_id: Uuid,
    kind: z.enum(["comment", "reply", "reaction"]),
    resource_type: z.enum(RESOURCE_TYPES),
    resource_id: Uuid,
    comment_id: Uuid.optional(),
    reaction_type: z.enum(REACTION_TYPES).optional(),
  })
  .superRefine((d, ctx) => {
    if (d.kind === "comment" && d.resource_type === "COMMENT") {
      ctx.addIssue({ code: "custom", path: ["resource_type"], message: "a comment targets an ARTICLE or GIST" });
    }
    if (d.kind === "reply" && d.resource_type !== "COMMENT") {
      ctx.addIssue({ code: "custom", path: ["resource_type"], message: "a reply targets a COMMENT" });
    }
    if (d.kind !== "reaction" && d.comment_id === undefined) {
      ctx.addIssue({ code: "custom", path: ["comment_id"], message: "comment_id is required" });
    }
    if (d.kind === "reaction" && d.reaction_type === undefined) {
      ctx.addIssue({ code: "custom", path: ["reaction_type"], message: "reaction_type is required" });
    }
  });
export type NotificationRequestData = z.infer<typeof NotificationRequest>;

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

export type BuiltNotification = {
  recipient_id: Id;
  actor_id: Id;
  type: NotificationType;
  payload: NotificationPayload;
};

export type Skipped = { skipped: string };

const EXCERPT_CHARS = 140;
function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS - 1)}…` : flat;
}

type Target = { owner_id: Id; title: string; url: string; noun: string };

/** Who owns a resource and how to link to it; a comment links to its place in the root's thread. */
async function describe(type: ResourceType, id: Id): Promise<Target | null> {
  const db = await getDb();
  if (type === "ARTICLE") {
    const [a] = await db
      .select({ owner_id: articles.author_id, title: articles.title, handle: articles.handle, username: users.username })
      .from(articles)
      .innerJoin(users, eq(users.id, articles.author_id))
      .where(eq(articles.id, id));
    return a ? { owner_id: a.owner_id, title: a.title, url: `/@${a.username}/${a.handle}`, noun: "article" } : null;
  }
  if (type === "GIST") {
    const [g] = await db.select({ owner_id: gists.owner_id, title: gists.title }).from(gists).where(eq(gists.id, id));
    return g ? { owner_id: g.owner_id, title: g.title, url: `/gists/${id}`, noun: "gist" } : null;
  }
  const [c] = await db.select({ owner_id: comments.user_id }).from(comments).where(eq(comments.id, id));
  const root = c ? await resolveCommentRoot(id) : null;
  const rootTarget = root ? await describe(root.resource_type, root.resource_id) : null;
  if (!c || !rootTarget) return null;
  return { owner_id: c.owner_id, title: rootTarget.title, url: `${rootTarget.url}#comment-${id}`, noun: "comment" };
}

/**
 * Resolves recipient and payload. Anything that makes the notification pointless (bad data, the
 * actor notifying themself, a resource deleted meanwhile) is a skip with a reason, not an error:
 * retrying would not change the answer.
 */
export async function buildNotification(raw: unknown): Promise<BuiltNotification | Skipped> {
  const parsed = NotificationRequest.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { skipped: `invalid payload: ${issue.path.join(".") || "data"}: ${issue.message}` };
  }
  const d = parsed.data;
  const db = await getDb();
  const [actor] = await db.select({ username: users.username, name: users.name }).from(users).where(eq(users.id, d.actor_id));
  if (!actor) return { skipped: "actor not found" };

  const target = await describe(d.resource_type, d.resource_id);
  if (!target) return { skipped: "resource not found" };
  if (target.owner_id === d.actor_id) return { skipped: "self" };

  const base = { actor_username: actor.username, resource_type: d.resource_type, resource_id: d.resource_id };
  if (d.kind === "reaction") {
    return {
      recipient_id: target.owner_id,
      actor_id: d.actor_id,
      type: "REACTION",
      payload: {
        ...base,
        title: `${actor.name} reacted ${d.reaction_type} to your ${target.noun} on “${target.title}”`,
        url: target.url,
        reaction_type: d.reaction_type,
      },
    };
  }
  const [comment] = await db.select({ body: comments.body }).from(comments).where(eq(comments.id, d.comment_id!));
  if (!comment) return { skipped: "comment not found" };
  const title =
    d.kind === "reply"
      ? `${actor.name} replied to your comment on “${target.title}”`
      : `${actor.name} commented on your ${target.noun} “${target.title}”`;
  const rootUrl = target.url.split("#")[0];
  return {
    recipient_id: target.owner_id,
    actor_id: d.actor_id,
    type: d.kind === "reply" ? "REPLY" : "COMMENT",
    payload: { ...base, title, url: `${rootUrl}#comment-${d.comment_id}`, excerpt: excerpt(comment.body), comment_id: d.comment_id },
  };
}

/** Idempotent per event id: a retried step finds the row the first attempt wrote. */
export async function insertNotification(n: BuiltNotification, eventId: string | null): Promise<{ id: Id; recipient_id: Id }> {
  const db = await getDb();
  const [row] = await db
    .insert(notifications)
    .values({ recipient_id: n.recipient_id, actor_id: n.actor_id, type: n.type, payload: n.payload, event_id: eventId })
    .onConflictDoNothing({ target: notifications.event_id })
    .returning({ id: notifications.id, recipient_id: notifications.recipient_id });
  if (row) return row;
  const [existing] = await db
    .select({ id: notifications.id, recipient_id: notifications.recipient_id })
    .from(notifications)
    .where(eq(notifications.event_id, eventId!));
  return existing;
}

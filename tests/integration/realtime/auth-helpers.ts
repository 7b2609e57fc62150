import { createHmac } from "node:crypto";
import { eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { articles, gists } from "@/db/schema";
import { POST } from "@/app/api/realtime/auth/route";

export const APP_ORIGIN = "http://localhost:3000";

/** What pusher-js's ajax transport sends. */
export function authRequest(
  fields: Record<string, string> | string,
  headers: Record<string, string> = {},
): Request {
  const body = typeof fields === "string" ? fields : new URLSearchParams(fields).toString();
  return new Request(`${APP_ORIGIN}/api/realtime/auth`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body,
  });
}

export async function callAuth(fields: Record<string, string> | string, headers?: Record<string, string>) {
  const res = await POST(authRequest(fields, headers));
  return { status: res.status, body: (await res.json()) as { auth?: string; error?: string } };
}

export function expectedAuth(key: string, secret: string, socketId: string, channel: string): string {
  return `${key}:${createHmac("sha256", secret).update(`${socketId}:${channel}`).digest("hex")}`;
}

export async function articleId(handle: string): Promise<number> {
  const db = await getDb();
  const [row] = await db.select({ id: articles.id }).from(articles).where(eq(articles.handle, handle));
  return row.id;
}

export async function gistId(title: string): Promise<number> {
  const db = await getDb();
  const [row] = await db.select({ id: gists.id }).from(gists).where(eq(gists.title, title));
  return row.id;
}

import { NextResponse } from "next/server";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db/client";
import { users } from "@/db/schema";
import { SESSION_COOKIE, SESSION_MAX_AGE_S, createSession } from "@/backend/session-store";
import { demoLoginEnabled, getEnv } from "@/env";
import { publishInvalidate } from "@/backend/realtime/server";
import { sessionSignal } from "@/backend/realtime/signals";
import { stampVersions } from "@/backend/realtime/versions";
import { isSameOriginRequest, readCappedForm } from "@/lib/realtime/server";
import { safeRedirectPath } from "@/lib/safe-redirect";

// The sign-in form sends two short fields; a larger body is not that form, and is not read past this.
const MAX_FORM_BYTES = 4096;

const FormSchema = z.object({
  username: z
    .string({ error: "username is required" })
    .trim()
    .min(1, "username is required")
    .max(64, "username is too long")
    .regex(/^[A-Za-z0-9_-]+$/, "username may contain only letters, digits, _ and -"),
  next: z.string().optional(),
});

function text(status: number, message: string) {
  return new NextResponse(message, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}

const BROWSERS: Array<[RegExp, string]> = [
  [/Edg\//, "Edge"],
  [/OPR\//, "Opera"],
  [/HeadlessChrome\//, "Headless Chrome"],
  [/Chrome\/|Chromium\//, "Chrome"],
  [/Firefox\//, "Firefox"],
  [/Safari\//, "Safari"],
  [/curl\//, "curl"],
];
const SYSTEMS: Array<[RegExp, string]> = [
  [/Android/, "Android"],
  [/iPhone|iPad|iPod/, "iOS"],
  [/Windows/, "Windows"],
  [/Macintosh|Mac OS X/, "macOS"],
  [/CrOS/, "ChromeOS"],
  [/Linux/, "Linux"],
];

/** A short label for the sessions page ("Chrome on Linux"). */
function describeDevice(userAgent: string | null): string {
  if (!userAgent) return "Unknown device";
  const browser = BROWSERS.find(([re]) => re.test(userAgent))?.[1];
  const system = SYSTEMS.find(([re]) => re.test(userAgent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? userAgent.slice(0, 80);
}

export async function POST(request: Request) {
  if (!demoLoginEnabled()) return text(404, "Not found");
  // A cross-site form must not be able to sign a visitor into a demo account (login CSRF): the same rule as the
  // realtime routes (Origin is the app or the request's host; Sec-Fetch-Site cross-site refused).
  if (!isSameOriginRequest(request, getEnv().APP_URL)) return text(403, "Cross-site sign-in refused");

  const read = await readCappedForm(request, MAX_FORM_BYTES);
  if (!read.ok) return text(read.status, read.error);
  const { form } = read;
  const parsed = FormSchema.safeParse({
    username: form.get("username") ?? undefined,
    next: form.get("next") ?? undefined,
  });
  if (!parsed.success) return text(400, parsed.error.issues.map((i) => i.message).join("; "));

  const db = await getDb();
  const [user] = await db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.username, parsed.data.username))
    .limit(1);
  if (!user) return text(400, `Unknown demo user "${parsed.data.username}"`);

  const ip = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() ?? "";
  const { token, sessionId } = await createSession(user.id, describeDevice(request.headers.get("user-agent")), ip);
  // The user's other devices list the new session without a reload. The session store writes the row in its own
  // statement (shared with every sign-in path), so the channel's version moves right after that commit.
  publishInvalidate(await stampVersions(db, sessionSignal(user.id, sessionId)));

  // A relative Location keeps the visitor on the host they used (a proxy's, or 127.0.0.1 vs localhost).
  const response = new NextResponse(null, { status: 303, headers: { location: safeRedirectPath(parsed.data.next) } });
  response.cookies.set(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "lax",
    secure: getEnv().NODE_ENV === "production",
    maxAge: SESSION_MAX_AGE_S,
    path: "/",
  });
  return response;
}

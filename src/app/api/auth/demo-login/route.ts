import { NextResponse } from "next/server";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db/client";
import { users } from "@/db/schema";
import { SESSION_COOKIE, SESSION_MAX_AGE_S, createSession } from "@/backend/session-store";
import { demoLoginEnabled, getEnv } from "@/env";
import { publishInvalidate } from "@/backend/realtime/server";
import { sessionSignal } from "@/backend/realtime/signals";

const FormSchema = z.object({
  username: z
    .string({ error: "username is required" })
    .trim()
    .min(1, "username is required")
    .max(64, "username is too long")
    .regex(/^[A-Za-z0-9_-]+$/, "username may contain only letters, digits, _ and -"),
  next: z.string().max(2048).optional(),
});

function text(status: number, message: string) {
  return new NextResponse(message, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}

/** A cross-site form must not be able to sign a visitor into a demo account (login CSRF). */
function isCrossSite(request: Request): boolean {
  const origin = request.headers.get("origin");
  // Non-browser clients send no Origin; a browser's cross-site POST always does.
  if (origin === null) return false;
  let originUrl: URL;
  try {
    originUrl = new URL(origin);
  } catch {
    return true;
  }
  if (originUrl.origin === new URL(getEnv().APP_URL).origin) return false;
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  return originUrl.host !== host;
}

/** Only a same-origin path may follow sign-in; anything else (absolute, protocol-relative, malformed) goes home. */
function safeRedirectPath(next: string | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  const base = "http://same-origin.invalid";
  try {
    const url = new URL(next, base);
    return url.origin === base ? `${url.pathname}${url.search}${url.hash}` : "/";
  } catch {
    return "/";
  }
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
  if (isCrossSite(request)) return text(403, "Cross-site sign-in refused");

  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return text(400, "Expected a form body with the field `username`");
  }
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
  // The user's other devices list the new session without a reload.
  publishInvalidate(sessionSignal(user.id, sessionId));

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

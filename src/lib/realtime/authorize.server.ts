import "server-only";
import { z } from "zod";
import { getEnv } from "@/env";
import { getSession } from "@/backend/services/session.actions";
import { isPusherChannelName, parseChannel } from "./channels";
import { getBroker } from "./broker.server";
import { decideChannelAccess } from "./channel-access.server";

// pusher-js sends two short fields; anything much larger is not pusher-js.
const MAX_BODY_BYTES = 2048;

const AuthRequestSchema = z.object({
  socket_id: z.string().regex(/^\d+\.\d+$/, "socket_id must look like 123.456").max(64),
  channel_name: z.string().refine(isPusherChannelName, "channel_name breaks Pusher's channel name rules"),
});

const json = (status: number, body: unknown) =>
  Response.json(body, { status, headers: { "Cache-Control": "no-store" } });
const fail = (status: number, error: string) => json(status, { error });

/**
 * A browser always sends Origin on a POST; it must be this app (APP_URL, or the host the request came to).
 * Clients without an Origin (server-side tests, curl) are not browsers and carry no ambient cookies to abuse.
 */
function sameOrigin(req: Request): boolean {
  const origin = req.headers.get("origin");
  if (req.headers.get("sec-fetch-site") === "cross-site") return false;
  if (origin === null) return true;
  const allowed = new Set<string>([new URL(getEnv().APP_URL).origin]);
  try {
    allowed.add(new URL(req.url).origin);
  } catch {
    // a relative url in a test harness; APP_URL still applies
  }
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  if (host) {
    const proto = req.headers.get("x-forwarded-proto") ?? new URL(getEnv().APP_URL).protocol.replace(":", "");
    allowed.add(`${proto}://${host}`);
  }
  return allowed.has(origin);
}

async function readForm(req: Request): Promise<Record<string, string> | null> {
  const type = req.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) return null;
  const text = await req.text();
  if (new TextEncoder().encode(text).length > MAX_BODY_BYTES) return null;
  return Object.fromEntries(new URLSearchParams(text));
}

/** POST /api/realtime/auth: signs a private channel subscription for pusher-js, or says exactly why not. */
export async function handleRealtimeAuth(req: Request): Promise<Response> {
  try {
    if (!sameOrigin(req)) return fail(403, "Cross-site request refused.");
    const broker = getBroker();
    if (!broker) return fail(503, "Realtime is not configured.");
    const form = await readForm(req);
    if (!form) return fail(400, "Expected a form-encoded body with socket_id and channel_name.");
    const parsed = AuthRequestSchema.safeParse(form);
    if (!parsed.success) return fail(400, parsed.error.issues[0]?.message ?? "Invalid request.");
    const { socket_id, channel_name } = parsed.data;
    const channel = parseChannel(channel_name);
    if (!channel) return fail(403, "Unknown channel.");
    const decision = await decideChannelAccess(await getSession(), channel);
    if (!decision.ok) return fail(decision.status, decision.error);
    return json(200, broker.pusher.authorizeChannel(socket_id, channel_name));
  } catch (err) {
    // A database or broker hiccup must not look like a server bug to pusher-js; it retries on the next subscribe.
    console.error("[realtime] channel authorization failed:", err instanceof Error ? err.message : err);
    return fail(503, "Realtime authorization is temporarily unavailable.");
  }
}

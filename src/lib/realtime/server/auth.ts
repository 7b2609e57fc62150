import "server-only";
import { z } from "zod/v4";
import { isPusherChannelName, type Channels, type ChannelSpecs, type ParsedChannel } from "../channels";
import type { Broker } from "./broker";

/** The host's verdict on one private channel for one session. */
export type AccessDecision = { ok: true } | { ok: false; status: 401 | 403; error: string };
export const allow: AccessDecision = { ok: true };
export const deny = (status: 401 | 403, error: string): AccessDecision => ({ ok: false, status, error });

// pusher-js sends two short fields; anything much larger is not pusher-js, and is not read past this.
export const MAX_AUTH_BODY_BYTES = 2048;

const AuthRequestSchema = z.object({
  socket_id: z.string().regex(/^\d+\.\d+$/, "socket_id must look like 123.456").max(64),
  channel_name: z.string().refine(isPusherChannelName, "channel_name breaks Pusher's channel name rules"),
});

const json = (status: number, body: unknown) => Response.json(body, { status, headers: { "Cache-Control": "no-store" } });
const fail = (status: number, error: string) => json(status, { error });

/**
 * A browser always sends Origin on a POST; it must be this app (appUrl, or the host the request came to). Clients
 * without an Origin (server-side tests, curl) are not browsers and carry no ambient cookies to abuse.
 */
function sameOrigin(req: Request, appUrl: string | undefined): boolean {
  if (req.headers.get("sec-fetch-site") === "cross-site") return false;
  const origin = req.headers.get("origin");
  if (origin === null) return true;
  const allowed = new Set<string>();
  if (appUrl) allowed.add(new URL(appUrl).origin);
  try {
    allowed.add(new URL(req.url).origin);
  } catch {
    // a relative url in a test harness; appUrl still applies
  }
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  if (host) {
    const proto = req.headers.get("x-forwarded-proto") ?? (appUrl ? new URL(appUrl).protocol.replace(":", "") : "https");
    allowed.add(`${proto}://${host}`);
  }
  return allowed.has(origin);
}

const TOO_LARGE = Symbol("too large");

/** The body as text, never reading more than `max` bytes: a declared or actual excess stops the read. */
async function readCapped(req: Request, max: number): Promise<string | typeof TOO_LARGE> {
  if (Number(req.headers.get("content-length")) > max) return TOO_LARGE;
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      return TOO_LARGE;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export type RealtimeAuthOptions<Specs extends ChannelSpecs, Session> = {
  /** The host's realtime server (createRealtimeServer): its broker signs, its channels parse. */
  realtime: { broker(): Broker | null; readonly scopes: { readonly channels: Channels<Specs> } };
  /** The host's database-validated session of this request (not a raw cookie). */
  getSession: () => Promise<Session>;
  /**
   * Who may subscribe to a private channel: the host's read policy, the same the pages use, so a channel and its
   * page never disagree. Unknown and unreadable resources should both be 403, so existence does not leak.
   */
  canAccess: (session: Session, channel: ParsedChannel<Specs>) => AccessDecision | Promise<AccessDecision>;
  /** The app's public origin, accepted in a browser's Origin header besides the host the request came to. */
  appUrl?: () => string | undefined;
};

/**
 * POST handler for pusher-js's channel authorization: signs a private channel subscription, or says exactly why
 * not. 400 malformed, 401 no session where one is needed, 403 refused (also unknown and public channels), 413 a
 * body over 2 KB, 503 realtime off or something underneath failing; never a 500.
 */
export function createRealtimeAuthHandler<Specs extends ChannelSpecs, Session>({
  realtime,
  getSession,
  canAccess,
  appUrl = () => undefined,
}: RealtimeAuthOptions<Specs, Session>): (req: Request) => Promise<Response> {
  return async (req) => {
    try {
      if (!sameOrigin(req, appUrl())) return fail(403, "Cross-site request refused.");
      const broker = realtime.broker();
      if (!broker) return fail(503, "Realtime is not configured.");
      const type = req.headers.get("content-type") ?? "";
      if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
        return fail(400, "Expected a form-encoded body with socket_id and channel_name.");
      }
      const body = await readCapped(req, MAX_AUTH_BODY_BYTES);
      if (body === TOO_LARGE) return fail(413, `The body is over ${MAX_AUTH_BODY_BYTES} bytes.`);
      const parsed = AuthRequestSchema.safeParse(Object.fromEntries(new URLSearchParams(body)));
      if (!parsed.success) return fail(400, parsed.error.issues[0]?.message ?? "Invalid request.");
      const { socket_id, channel_name } = parsed.data;
      const channel = realtime.scopes.channels.parse(channel_name);
      if (!channel) return fail(403, "Unknown channel.");
      if (!channel.private) return fail(403, "Public channels need no authorization.");
      const decision = await canAccess(await getSession(), channel);
      if (!decision.ok) return fail(decision.status, decision.error);
      return json(200, broker.pusher.authorizeChannel(socket_id, channel_name));
    } catch (err) {
      // A database or broker hiccup must not look like a server bug to pusher-js; it retries on the next subscribe.
      console.error("[realtime] channel authorization failed:", err instanceof Error ? err.message : err);
      return fail(503, "Realtime authorization is temporarily unavailable.");
    }
  };
}

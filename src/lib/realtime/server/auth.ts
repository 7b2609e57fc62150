import "server-only";
import { z } from "zod/v4";
import { isPusherChannelName, type Channels, type ChannelSpecs, type ParsedChannel } from "../channels";
import { MAX_AUTH_BODY_BYTES, MAX_AUTH_CHANNELS, type BatchAuthAnswer, type ChannelAuthAnswer } from "../client/channel-authorizer";
import { SOCKET_ID_PATTERN } from "../client/socket-id-header";
import { CHANNEL_VERSION_FIELD } from "../signal";
import type { Broker } from "./broker";

/**
 * The two questions pusher-js asks the app about one connection (socket):
 *
 *   who is this socket?        createRealtimeSigninHandler (the Pusher protocol's user authentication,
 *                              `pusher:signin`): the broker then knows the socket as the session's user id, and
 *                              realtime.terminateUserConnections(id) closes exactly that session's sockets;
 *   may it join this channel?  createRealtimeAuthHandler: the host's read policy, and for a session, only on a
 *                              socket signed in as that session (so no private subscription of a session lives on a
 *                              socket that termination cannot reach).
 *
 * Visitors without a session sign in too, as a guest: a broker that requires user authentication (Soketi with
 * enableUserAuthentication) closes a socket that neither signs in nor joins a private channel within 30 s, which
 * would silently end live updates of a public-only page.
 */

/** The host's verdict on one private channel for one session. */
export type AccessDecision = { ok: true } | { ok: false; status: 401 | 403; error: string };
export const allow: AccessDecision = { ok: true };
export const deny = (status: 401 | 403, error: string): AccessDecision => ({ ok: false, status, error });

/** The policy for several channels: the host's canAccessMany when it has one, else canAccess asked per channel. */
export const accessMany =
  <Specs extends ChannelSpecs, Session>(
    canAccess: (session: Session, channel: ParsedChannel<Specs>) => AccessDecision | Promise<AccessDecision>,
  ) =>
  (session: Session, channels: readonly ParsedChannel<Specs>[]): Promise<readonly AccessDecision[]> =>
    Promise.all(channels.map((channel) => canAccess(session, channel)));

// pusher-js sends two short fields, the batching client (client/channel-authorizer.ts) up to MAX_AUTH_CHANNELS
// names; anything much larger is not a client of this library, and is not read past MAX_AUTH_BODY_BYTES.
export { MAX_AUTH_BODY_BYTES, MAX_AUTH_CHANNELS };

const SocketId = z.string().regex(SOCKET_ID_PATTERN, "socket_id must look like 123.456");
const CHANNEL_NAME_RULES = "channel_name breaks Pusher's channel name rules";
const AuthRequestSchema = z.object({
  socket_id: SocketId,
  channel_name: z.string().refine(isPusherChannelName, CHANNEL_NAME_RULES),
});
/** Several `channel_name` fields: each name is judged on its own below, so a malformed one is refused alone. */
const BatchAuthRequestSchema = z.object({
  socket_id: SocketId,
  channel_name: z.array(z.string()).max(MAX_AUTH_CHANNELS, `at most ${MAX_AUTH_CHANNELS} channel_name fields`),
});
const SigninRequestSchema = z.object({ socket_id: SocketId });

/**
 * How the host ties sockets to sessions. The broker user id is one per session (not per person), so revoking one
 * device closes that device's sockets and leaves the person's other devices connected.
 */
export type ConnectionSignIn<Session> = {
  /** The broker user id of a session, or null for a visitor without one (signed in as a guest, never recorded). */
  userOf: (session: Session) => string | null;
  /** Records that this session signed `socketId` in (shared storage when the app runs as several instances). */
  remember: (session: Session, socketId: string) => Promise<void>;
  /** Whether `remember` was called for this session and socket (and the session still exists). */
  isSignedIn: (session: Session, socketId: string) => Promise<boolean>;
};

/**
 * no-transform: Next's server gzips every response whose client accepts it, and on these answers of a few hundred
 * bytes a gzip stream per response was the largest single cost of a request after Next's own routing (about a sixth
 * of the auth route's CPU under a reconnection storm, docs/benchmarks.md) for almost no bytes saved. The compression
 * step skips a response marked no-transform, as any proxy on the way must.
 */
export const json = (status: number, body: unknown) =>
  Response.json(body, { status, headers: { "Cache-Control": "no-store, no-transform" } });
export const fail = (status: number, error: string) => json(status, { error });

/**
 * A browser always sends Origin on a POST; it must be this app (appUrl, or the host the request came to). Clients
 * without an Origin (server-side tests, curl) are not browsers and carry no ambient cookies to abuse.
 */
export function isSameOriginRequest(req: Request, appUrl: string | undefined): boolean {
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

export type CappedForm = { ok: true; form: URLSearchParams } | { ok: false; status: 400 | 413; error: string };

const FORM_TYPE = "application/x-www-form-urlencoded";

/**
 * A form-encoded body, never reading more than `maxBytes`: a declared Content-Length over the cap is refused before
 * reading, and a body that turns out larger stops being read at the cap (a sender cannot make the server buffer a
 * 200 MB upload to learn it is too big). 400 for any other media type. For any route that takes a small form.
 */
export async function readCappedForm(req: Request, maxBytes: number): Promise<CappedForm> {
  const mediaType = (req.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (mediaType !== FORM_TYPE) return { ok: false, status: 400, error: `Expected a form-encoded body (${FORM_TYPE}).` };
  const tooLarge = { ok: false, status: 413, error: `The body is over ${maxBytes} bytes.` } as const;
  const declared = req.headers.get("content-length");
  if (declared !== null && !(/^\d+$/.test(declared.trim()) && Number(declared) <= maxBytes)) return tooLarge;
  if (!req.body) return { ok: true, form: new URLSearchParams() };
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return tooLarge;
    }
    chunks.push(value);
  }
  return { ok: true, form: new URLSearchParams(Buffer.concat(chunks).toString("utf8")) };
}

/** The checks every request of pusher-js passes first: same origin, realtime on, a small form body. */
export async function readPusherForm(
  req: Request,
  appUrl: string | undefined,
  broker: Broker | null,
  maxBytes = MAX_AUTH_BODY_BYTES,
): Promise<URLSearchParams | Response> {
  if (!isSameOriginRequest(req, appUrl)) return fail(403, "Cross-site request refused.");
  if (!broker) return fail(503, "Realtime is not configured.");
  const read = await readCappedForm(req, maxBytes);
  return read.ok ? read.form : fail(read.status, read.error);
}

/** A database or broker hiccup must not look like a server bug to pusher-js; it asks again on the next connection. */
export function unavailable(what: string, err: unknown): Response {
  console.error(`[realtime] ${what} failed:`, err instanceof Error ? err.message : err);
  return fail(503, `Realtime ${what} is temporarily unavailable.`);
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
  /**
   * The same policy for several channels at once, one decision per channel in order: lets the host answer a batch
   * with one query per kind of channel instead of one per channel. Without it, canAccess is asked per channel.
   */
  canAccessMany?: (session: Session, channels: readonly ParsedChannel<Specs>[]) => Promise<readonly AccessDecision[]>;
  /** The same object given to createRealtimeSigninHandler. */
  signIn: ConnectionSignIn<Session>;
  /**
   * This request's session together with whether `socketId` is signed in as it (what signIn.isSignedIn answers), in
   * one read: every authorization needs both first, so a host that can join them (the session's row and the
   * socket's) saves a database round trip per request. Without it, getSession and then signIn.isSignedIn.
   */
  getSessionOnSocket?: (socketId: string) => Promise<{ session: Session; signedIn: boolean }>;
  /** The app's public origin, accepted in a browser's Origin header besides the host the request came to. */
  appUrl?: () => string | undefined;
  /**
   * The channels' current versions (0: never written), the same reader the versions route uses: the signed answer
   * then carries the channel's version as `channel_version`, the tab's baseline for gap detection (client/versions.ts).
   */
  readVersions?: (channels: readonly string[]) => Promise<Record<string, number>>;
};

/**
 * POST handler for pusher-js's channel authorization: signs a private channel subscription, or says exactly why
 * not. 400 malformed, 401 no session where one is needed, 403 refused (also unknown and public channels, and a
 * session's request for a socket it did not sign in), 413 a body over 2 KB, 503 realtime off or something
 * underneath failing; never a 500.
 *
 * A request with several `channel_name` fields (at most MAX_AUTH_CHANNELS; the batching client's) is answered 200
 * `{ channels: { [name]: answer } }`, where each channel's answer is what its own request would have got: the signed
 * `{ auth, channel_version }` or `{ status, error }`. The session, the socket's sign-in, the policy
 * (canAccessMany) and the versions are read once for the whole request: the session with the sign-in
 * (getSessionOnSocket: one query where the host joins them), then the policy and the versions side by side.
 */
export function createRealtimeAuthHandler<Specs extends ChannelSpecs, Session>({
  realtime,
  getSession,
  canAccess,
  canAccessMany = accessMany(canAccess),
  signIn,
  getSessionOnSocket = async (socketId) => {
    const session = await getSession();
    return { session, signedIn: signIn.userOf(session) === null || (await signIn.isSignedIn(session, socketId)) };
  },
  appUrl = () => undefined,
  readVersions,
}: RealtimeAuthOptions<Specs, Session>): (req: Request) => Promise<Response> {
  type Answer = { status: number; body: ChannelAuthAnswer | { error: string } };
  const refused = (status: number, error: string): Answer => ({ status, body: { error } });

  /** Each name's answer, in order; the session and everything after it read once. */
  const authorize = async (broker: Broker, socketId: string, names: readonly string[]): Promise<Answer[]> => {
    const answers: Answer[] = new Array(names.length);
    const candidates: Array<{ at: number; channel: ParsedChannel<Specs> }> = [];
    names.forEach((name, at) => {
      const channel = isPusherChannelName(name) ? realtime.scopes.channels.parse(name) : undefined;
      if (channel === undefined) answers[at] = refused(400, CHANNEL_NAME_RULES);
      else if (!channel) answers[at] = refused(403, "Unknown channel.");
      else if (!channel.private) answers[at] = refused(403, "Public channels need no authorization.");
      else candidates.push({ at, channel });
    });
    if (candidates.length === 0) return answers;
    const { session, signedIn } = await getSessionOnSocket(socketId);
    if (signIn.userOf(session) !== null && !signedIn) {
      for (const { at } of candidates) answers[at] = refused(403, "This connection is not signed in as your session.");
      return answers;
    }
    // The policy and the versions side by side (one round trip of waiting instead of two). A version is only ever
    // sent with its channel's signature, so a refused caller learns nothing from it; and it is read before the broker
    // subscribes the socket, so a write in between is either below this baseline or heard as a signal.
    const [decisions, versions] = await Promise.all([
      canAccessMany(session, candidates.map((c) => c.channel)),
      readVersions ? readVersions(candidates.map((c) => c.channel.name)) : null,
    ]);
    const allowed: Array<{ at: number; name: string }> = [];
    candidates.forEach(({ at, channel }, i) => {
      const decision = decisions[i];
      if (decision?.ok) allowed.push({ at, name: channel.name });
      else answers[at] = decision ? refused(decision.status, decision.error) : refused(403, "Refused.");
    });
    for (const { at, name } of allowed) {
      const signed = broker.pusher.authorizeChannel(socketId, name);
      answers[at] = { status: 200, body: versions ? { ...signed, [CHANNEL_VERSION_FIELD]: versions[name] ?? 0 } : signed };
    }
    return answers;
  };

  return async (req) => {
    try {
      const broker = realtime.broker();
      const form = await readPusherForm(req, appUrl(), broker);
      if (form instanceof Response) return form;
      if (form.getAll("channel_name").length <= 1) {
        // pusher-js's own request: the channel's answer is the response.
        const parsed = AuthRequestSchema.safeParse(Object.fromEntries(form));
        if (!parsed.success) return fail(400, parsed.error.issues[0]?.message ?? "Invalid request.");
        const [answer] = await authorize(broker!, parsed.data.socket_id, [parsed.data.channel_name]);
        return json(answer.status, answer.body);
      }
      const parsed = BatchAuthRequestSchema.safeParse({ ...Object.fromEntries(form), channel_name: form.getAll("channel_name") });
      if (!parsed.success) return fail(400, parsed.error.issues[0]?.message ?? "Invalid request.");
      const names = [...new Set(parsed.data.channel_name)];
      const answers = await authorize(broker!, parsed.data.socket_id, names);
      // No prototype: "__proto__" is a valid channel name, and gets its own answer like any other.
      const channels: BatchAuthAnswer["channels"] = Object.create(null);
      names.forEach((name, i) => {
        const { status, body } = answers[i];
        channels[name] = status === 200 ? (body as ChannelAuthAnswer) : { status, error: (body as { error: string }).error };
      });
      return json(200, { channels } satisfies BatchAuthAnswer);
    } catch (err) {
      return unavailable("channel authorization", err);
    }
  };
}

export type RealtimeSigninOptions<Session> = {
  realtime: { broker(): Broker | null };
  getSession: () => Promise<Session>;
  signIn: ConnectionSignIn<Session>;
  appUrl?: () => string | undefined;
};

/** A guest's broker user id: unique per socket, so terminating one can never reach another visitor. */
const guestId = (socketId: string) => `guest-${socketId}`;

/**
 * POST handler for pusher-js's user authentication (`pusher.signin()`): signs the socket in at the broker as the
 * request's session (recorded through `signIn.remember`), or as a guest without one. 400 malformed, 403
 * cross-site, 413 too large, 503 realtime off or the database failing; never a 500.
 */
export function createRealtimeSigninHandler<Session>({
  realtime,
  getSession,
  signIn,
  appUrl = () => undefined,
}: RealtimeSigninOptions<Session>): (req: Request) => Promise<Response> {
  return async (req) => {
    try {
      const broker = realtime.broker();
      const form = await readPusherForm(req, appUrl(), broker);
      if (form instanceof Response) return form;
      const parsed = SigninRequestSchema.safeParse(Object.fromEntries(form));
      if (!parsed.success) return fail(400, parsed.error.issues[0]?.message ?? "Invalid request.");
      const { socket_id } = parsed.data;
      const session = await getSession();
      const user = signIn.userOf(session);
      if (user !== null) await signIn.remember(session, socket_id);
      return json(200, broker!.pusher.authenticateUser(socket_id, { id: user ?? guestId(socket_id) }));
    } catch (err) {
      return unavailable("sign-in", err);
    }
  };
}

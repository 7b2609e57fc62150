import "server-only";
import { z } from "zod/v4";
import { isPusherChannelName, type Channels, type ChannelSpecs, type ParsedChannel } from "../channels";
import type { Broker } from "./broker";
import { accessMany, fail, json, readPusherForm, unavailable, type AccessDecision } from "./auth";

/**
 * The version check (docs/realtime.md, "Versions and gaps"): a connected tab asks, in one request, for the current
 * version of every channel it holds, and resyncs the ones it heard less of. That is how the last lost signal of a
 * burst is caught, which no later signal reveals.
 *
 * The answer names only channels the caller may read: public ones, and private ones that the same policy as channel
 * authorization allows (canAccess). Anything else is left out, never refused one by one, so the answer does not say
 * which ids exist. All the readable channels' versions come from one read (the host's readVersions).
 */

/** A tab holds a handful of channels; well above that is not a tab. */
export const MAX_VERSION_CHANNELS = 100;
/** 100 names of at most 164 characters, some percent-encoded, plus the field names. */
export const MAX_VERSIONS_BODY_BYTES = 24 * 1024;

const VersionsRequestSchema = z.object({
  channel: z
    .array(z.string().refine(isPusherChannelName, "channel breaks Pusher's channel name rules"))
    .min(1, "name at least one channel")
    .max(MAX_VERSION_CHANNELS, `at most ${MAX_VERSION_CHANNELS} channels`),
});

export type RealtimeVersionsOptions<Specs extends ChannelSpecs, Session> = {
  realtime: { broker(): Broker | null; readonly scopes: { readonly channels: Channels<Specs> } };
  getSession: () => Promise<Session>;
  /** The channel authorization policy (the same function given to createRealtimeAuthHandler). */
  canAccess: (session: Session, channel: ParsedChannel<Specs>) => AccessDecision | Promise<AccessDecision>;
  /** The same policy for several channels at once (createRealtimeAuthHandler's); without it, canAccess per channel. */
  canAccessMany?: (session: Session, channels: readonly ParsedChannel<Specs>[]) => Promise<readonly AccessDecision[]>;
  /** The channels' current versions (0: never written), in one indexed read. */
  readVersions: (channels: readonly string[]) => Promise<Record<string, number>>;
  appUrl?: () => string | undefined;
};

/**
 * POST handler: form fields `channel` (repeated). 200 `{ versions: { [channel]: number } }` for the readable ones,
 * 400 malformed, 403 cross-site, 413 over the body cap, 503 realtime off or the database failing; never a 500.
 */
export function createRealtimeVersionsHandler<Specs extends ChannelSpecs, Session>({
  realtime,
  getSession,
  canAccess,
  canAccessMany = accessMany(canAccess),
  readVersions,
  appUrl = () => undefined,
}: RealtimeVersionsOptions<Specs, Session>): (req: Request) => Promise<Response> {
  return async (req) => {
    try {
      const form = await readPusherForm(req, appUrl(), realtime.broker(), MAX_VERSIONS_BODY_BYTES);
      if (form instanceof Response) return form;
      const extra = [...form.keys()].find((k) => k !== "channel");
      if (extra !== undefined) return fail(400, `Unexpected field ${JSON.stringify(extra.slice(0, 40))}.`);
      const parsed = VersionsRequestSchema.safeParse({ channel: form.getAll("channel") });
      if (!parsed.success) return fail(400, parsed.error.issues[0]?.message ?? "Invalid request.");
      const wanted = [...new Set(parsed.data.channel)].map((name) => realtime.scopes.channels.parse(name));
      const known = wanted.filter((c): c is ParsedChannel<Specs> => c !== null);
      const readable = known.filter((c) => !c.private).map((c) => c.name);
      const secret = known.filter((c) => c.private);
      if (secret.length > 0) {
        // The session and the policy read once for all of them.
        const decisions = await canAccessMany(await getSession(), secret);
        secret.forEach((channel, i) => {
          if (decisions[i]?.ok) readable.push(channel.name);
        });
      }
      const versions: Record<string, number> = {};
      if (readable.length > 0) {
        const read = await readVersions(readable);
        for (const name of readable) versions[name] = read[name] ?? 0;
      }
      return json(200, { versions });
    } catch (err) {
      return unavailable("version check", err);
    }
  };
}

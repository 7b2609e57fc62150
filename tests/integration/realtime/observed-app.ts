import { afterAll, beforeAll, beforeEach } from "vitest";
import { inArray } from "drizzle-orm";
import { getDb } from "@/db/client";
import { tags } from "@/db/schema";
import { articleFeedChannel, profileChannel, resourceChannel, tagChannel, userChannel } from "@/backend/realtime/channels";
import { realtime } from "@/backend/realtime/server";
import { resetRequest } from "../../helpers/next-request";
import type { SoketiHandle } from "../../helpers/soketi";
import type { Seeded } from "../../db/fixtures";
import { connectListener, drain, type Listener, type Seen } from "./listeners";
import { as, sessionTokens, startRealtimeEnv, stopRealtimeEnv, type User } from "./realtime-env";

export type TagName = "nextjs" | "realtime" | "postgres";

export type ObservedApp = {
  readonly soketi: SoketiHandle;
  readonly s: Seeded;
  readonly tokens: Record<User, string>;
  readonly tags: Record<TagName, string>;
  /** One connection on every channel of the seeded data, each authorized as whoever may read it. */
  readonly observer: Listener;
  /** What the code under test published on the observed channels since the last drain (see listeners.ts). */
  drain(): Promise<Seen[]>;
  /**
   * Runs a server action as `user` (a new request) and its after() work. Throttles start afresh first, so the home
   * feed's signal of every action is a leading one, sent at once (the throttle itself: feeds.test.ts).
   */
  as<T>(user: User, action: () => Promise<T>): Promise<T>;
};

/** Every channel of the seeded data, and who subscribes to it (null: an anonymous visitor). */
function seededChannels(s: Seeded, tagIds: Record<TagName, string>): Array<[string, User | null]> {
  return [
    [userChannel(s.alice), "alice"],
    [userChannel(s.bob), "bob"],
    [userChannel(s.carol), "carol"],
    [resourceChannel("ARTICLE", s.hello), null],
    [resourceChannel("ARTICLE", s.draft), "alice"],
    [resourceChannel("GIST", s.publicGist), null],
    [resourceChannel("GIST", s.privateGist), "bob"],
    [profileChannel(s.alice), null],
    [profileChannel(s.bob), null],
    [profileChannel(s.carol), null],
    [tagChannel(tagIds.nextjs), null],
    [tagChannel(tagIds.realtime), null],
    [tagChannel(tagIds.postgres), null],
    [articleFeedChannel(), null],
  ];
}

/**
 * The backdrop of a feature test file: the app on a real Soketi and a fresh seeded database, observed by one real
 * pusher-js connection on every channel of the seeded data, so a test sees what an action published where it
 * belongs and that nothing arrived anywhere else. Before each test: a new request, fresh throttles, nothing left
 * over from the test before.
 */
export function observedApp({ publishTimeoutMs = 2_000 }: { publishTimeoutMs?: number } = {}): ObservedApp {
  const app = {
    drain: () => drain(app.observer),
    as: <T>(user: User, action: () => Promise<T>) => {
      realtime.dispose();
      return as(user, action);
    },
  } as { -readonly [K in keyof ObservedApp]: ObservedApp[K] };

  beforeAll(async () => {
    ({ soketi: app.soketi, s: app.s } = await startRealtimeEnv(publishTimeoutMs));
    app.tokens = await sessionTokens(app.s, "observer");
    const rows = await (await getDb()).select({ id: tags.id, name: tags.name }).from(tags).where(inArray(tags.name, ["nextjs", "realtime", "postgres"]));
    app.tags = Object.fromEntries(rows.map((r) => [r.name, r.id])) as Record<TagName, string>;
    app.observer = await connectListener(app.soketi);
    for (const [channel, user] of seededChannels(app.s, app.tags)) await app.observer.listen(channel, user && app.tokens[user]);
  });
  afterAll(async () => {
    app.observer?.disconnect();
    await stopRealtimeEnv(app.soketi);
  });
  beforeEach(async () => {
    await app.drain(); // nothing from an earlier test may leak into the next one (its after() work runs here too)
    resetRequest();
    realtime.dispose();
  });
  return app;
}

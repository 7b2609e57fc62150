import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { closeDb, getDb } from "@/db/client";
import { tags } from "@/db/schema";
import { resetEnvCache } from "@/env";
import { setArticlePublished } from "@/backend/services/article.actions";
import { realtime } from "@/backend/realtime/server";
import { freshDb, signInAs, signOut } from "../../helpers/db";
import { resetRequest } from "../../helpers/next-request";
import { MISSING_ID, seeded, type Seeded } from "../../db/fixtures";
import { APP_ORIGIN, callAuth, expectedAuth } from "./auth-helpers";

/**
 * Every seeded user and an anonymous visitor against every kind of channel, through the real route handler:
 * the status must be exactly the expected one, and a signature exists exactly when the status is 200.
 */
const KEY = "matrix-key";
const SECRET = "matrix-secret";
const SOCKET = "4321.8765";
const saved = { ...process.env };

type Viewer = "alice" | "bob" | "carol" | "anonymous";
const VIEWERS: Viewer[] = ["alice", "bob", "carol", "anonymous"];
type Expect = Record<Viewer, 200 | 400 | 401 | 403>;
const all = (status: 200 | 400 | 401 | 403): Expect => ({ alice: status, bob: status, carol: status, anonymous: status });

let s: Seeded;
/** [label, channel name for that viewer, expected status per viewer] */
let rows: Array<[string, (v: Viewer) => string, Expect]>;

beforeAll(async () => {
  for (const k of ["PUSHER_HOST", "PUSHER_PORT", "PUSHER_CLUSTER"]) delete process.env[k];
  Object.assign(process.env, { PUSHER_APP_ID: "matrix", PUSHER_KEY: KEY, PUSHER_SECRET: SECRET, PUSHER_HOST: "127.0.0.1", PUSHER_PORT: "9", APP_URL: APP_ORIGIN });
  resetEnvCache();
  await freshDb();
  s = await seeded();
  const [tag] = await (await getDb()).select({ id: tags.id }).from(tags).limit(1);
  const idOf = (v: Viewer) => (v === "anonymous" ? s.alice : s[v]);
  const someoneElse = (v: Viewer) => (v === "alice" ? s.bob : s.alice);
  const fixed = (name: string) => () => name;
  rows = [
    // Seeded: alice owns the published article and the draft; bob owns both gists.
    ["own user channel", (v) => `private-user.${idOf(v)}`, { alice: 200, bob: 200, carol: 200, anonymous: 401 }],
    ["another user's channel", (v) => `private-user.${someoneElse(v)}`, { alice: 403, bob: 403, carol: 403, anonymous: 401 }],
    ["published article", fixed(`private-resource.ARTICLE.${s.hello}`), all(200)],
    ["draft (alice's)", fixed(`private-resource.ARTICLE.${s.draft}`), { alice: 200, bob: 403, carol: 403, anonymous: 403 }],
    ["public gist", fixed(`private-resource.GIST.${s.publicGist}`), all(200)],
    ["private gist (bob's)", fixed(`private-resource.GIST.${s.privateGist}`), { alice: 403, bob: 200, carol: 403, anonymous: 403 }],
    // Well-formed ids no row has: the same answer as a hidden resource, so existence does not leak.
    ["unknown article", fixed(`private-resource.ARTICLE.${MISSING_ID}`), all(403)],
    ["unknown gist", fixed(`private-resource.GIST.${MISSING_ID}`), all(403)],
    ["unknown user", fixed(`private-user.${MISSING_ID}`), { alice: 403, bob: 403, carol: 403, anonymous: 401 }],
    // Well-formed Pusher names this app does not build: refused, never signed.
    ["comment as a channel", fixed(`private-resource.COMMENT.${s.bobTop}`), all(403)],
    ["lowercase type", fixed(`private-resource.article.${s.hello}`), all(403)],
    ["upper-case id (one name per channel)", (v) => `private-user.${idOf(v).toUpperCase()}`, all(403)],
    ["upper-case resource id", fixed(`private-resource.ARTICLE.${s.hello.toUpperCase()}`), all(403)],
    ["id without dashes", (v) => `private-user.${idOf(v).replaceAll("-", "")}`, all(403)],
    ["leading zero alias", (v) => `private-user.0${idOf(v)}`, all(403)],
    ["integer id (the old schema)", fixed("private-user.12"), all(403)],
    ["user id 0", fixed("private-user.0"), all(403)],
    ["integer id past 2^53", fixed("private-resource.ARTICLE.9007199254740993"), all(403)],
    ["trailing segment", fixed(`private-resource.ARTICLE.${s.hello}.x`), all(403)],
    ["presence prefix", fixed(`presence-resource.ARTICLE.${s.hello}`), all(403)],
    ["encrypted prefix", (v) => `private-encrypted-user.${idOf(v)}`, all(403)],
    ["public tag channel", fixed(`tag.${tag.id}`), all(403)],
    ["public profile channel", fixed(`profile.${s.alice}`), all(403)],
    ["public home feed channel", fixed("feed.articles"), all(403)],
    // Not even a Pusher channel name.
    ["space in name", fixed(`private-resource.ARTICLE ${s.hello}`), all(400)],
    ["slash in name", fixed(`private-resource/ARTICLE/${s.hello}`), all(400)],
    ["empty name", fixed(""), all(400)],
    ["over 164 characters", fixed(`private-user.${s.alice}${"1".repeat(170)}`), all(400)],
  ];
});
afterAll(async () => {
  // The console stays muted: a home feed signal in flight to port 9 may fail after the last test.
  realtime.dispose();
  await closeDb();
  process.env = saved;
  resetEnvCache();
});

async function viewAs(viewer: Viewer) {
  resetRequest();
  if (viewer === "anonymous") signOut();
  else await signInAs(viewer, `matrix-${viewer}`);
}

describe("POST /api/realtime/auth: viewer x channel matrix", () => {
  it("answers exactly the expected status, and signs exactly the allowed pairs", async () => {
    const got: Record<string, Record<Viewer, number>> = {};
    const want: Record<string, Record<Viewer, number>> = {};
    const leaks: string[] = [];
    for (const viewer of VIEWERS) {
      await viewAs(viewer);
      for (const [label, channelFor, expected] of rows) {
        const channel = channelFor(viewer);
        const res = await callAuth({ socket_id: SOCKET, channel_name: channel }, { origin: APP_ORIGIN });
        (got[label] ??= {} as Record<Viewer, number>)[viewer] = res.status;
        (want[label] ??= {} as Record<Viewer, number>)[viewer] = expected[viewer];
        if (res.status === 200) {
          if (res.body.auth !== expectedAuth(KEY, SECRET, SOCKET, channel)) leaks.push(`${viewer} ${label}: wrong signature`);
        } else if ("auth" in res.body || typeof res.body.error !== "string") {
          leaks.push(`${viewer} ${label}: refused with ${JSON.stringify(res.body)}`);
        }
      }
    }
    // One comparison of the whole table, so a failure shows every wrong cell at once.
    expect(got).toEqual(want);
    expect(leaks).toEqual([]);
  });

  it("follows the article's current state: unpublished, only its author is signed; published again, everyone", async () => {
    // The home feed's (throttled) signal goes out at once, to a broker that is not there (port 9): logged, not thrown.
    vi.spyOn(console, "error").mockImplementation(() => {});
    const channel = `private-resource.ARTICLE.${s.hello}`;
    const statuses = async () => {
      const out: Record<Viewer, number> = { alice: 0, bob: 0, carol: 0, anonymous: 0 };
      for (const viewer of VIEWERS) {
        await viewAs(viewer);
        out[viewer] = (await callAuth({ socket_id: SOCKET, channel_name: channel })).status;
      }
      return out;
    };
    await viewAs("alice");
    expect((await setArticlePublished({ id: s.hello, published: false })).ok).toBe(true);
    expect(await statuses()).toEqual({ alice: 200, bob: 403, carol: 403, anonymous: 403 });
    await viewAs("alice");
    expect((await setArticlePublished({ id: s.hello, published: true })).ok).toBe(true);
    expect(await statuses()).toEqual(all(200));
  });
});

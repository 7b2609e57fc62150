import { describe, expect, it, vi } from "vitest";
import { toggleResourceBookmark } from "@/backend/services/bookmark.action";
import { toggleResourceReaction } from "@/backend/services/reaction.actions";
import { resourceChannel, userChannel } from "@/backend/realtime/channels";
import { collectSignals, publishInvalidate, realtime } from "@/backend/realtime/server";
import { bookmarkSignal, commentThreadSignal, notificationsSignal } from "@/backend/realtime/signals";
import { readChannelVersions } from "@/backend/realtime/versions";
import { getDb } from "@/db/client";
import { capturePublications, expectOnlyChannels, realtimeMatchers } from "@/lib/realtime/testing";
import { signInAs } from "../../helpers/db";
import { flushAfter, request } from "../../helpers/next-request";
import { uuid } from "../../helpers/uuids";
import { ok, setupSeededDb, type Seeded } from "../../db/fixtures";
import { setupFakeBroker } from "./fake-broker";

/**
 * The test kit's server half: capturePublications runs real actions against a seeded database with a broker
 * configured (a loopback HTTP endpoint that records calls), and shows what they published while nothing reaches it.
 */
const fake = setupFakeBroker({ timeoutMs: 2_000 });
let s: Seeded;
setupSeededDb((r) => ({ s } = r), { resetRequests: false });

const ALICE = uuid("kit:alice");
const BOB = uuid("kit:bob");
const ARTICLE = uuid("kit:article");

describe("capturePublications on real actions", () => {
  it("a bookmark toggle publishes { scope: bookmarks } on the user's own channel only; the result still carries it; nothing is sent", async () => {
    await signInAs("carol");
    const { value, publications, refused } = await capturePublications(realtime, () => toggleResourceBookmark({ resource_id: s.hello }), { flush: flushAfter });
    expect(ok(value)).toEqual({ bookmarked: true });
    expect(value).toMatchObject({ signals: [bookmarkSignal(s.carol, s.hello).signal] }); // collectSignals still gathers
    expect(publications).toEqual([bookmarkSignal(s.carol, s.hello)]);
    expect(refused).toEqual([]);
    expect(publications).toContainSignal(userChannel(s.carol), { scope: "bookmarks", ids: { resource_id: s.hello } });
    expect(publications).toPublishOnlyTo([userChannel(s.carol)]);
    expect(request.afterQueue).toHaveLength(0);
    expect(fake.broker.calls()).toEqual([]);

    // The same action outside a capture does reach the broker: the capture, not the setup, kept it quiet.
    ok(await toggleResourceBookmark({ resource_id: s.hello }));
    await flushAfter();
    // With the version the write gave carol's channel (the captured toggle moved it too: versions are the database's).
    const v = (await readChannelVersions(await getDb(), [userChannel(s.carol)]))[userChannel(s.carol)];
    expect(fake.broker.deliveries()).toEqual([`- ${userChannel(s.carol)} {"scope":"bookmarks","ids":{"resource_id":"${s.hello}"},"v":${v}}`]);
  });

  it("a reaction: the thread's channel during the action, and the author's notification from its after() work (flush)", async () => {
    await signInAs("carol");
    const target = { resource_id: s.hello, resource_type: "ARTICLE" as const, reaction_type: "WOW" as const };
    const capture = await capturePublications(realtime, () => toggleResourceReaction(target), { flush: flushAfter });
    expect(ok(capture.value)).toEqual({ reacted: true });
    expect(capture.publications).toEqual([
      { channels: [resourceChannel("ARTICLE", s.hello)], signal: { scope: "reactions", ids: { resource_id: s.hello, resource_type: "ARTICLE" } } },
      { channels: [userChannel(s.alice)], signal: { scope: "notifications" } },
    ]);
    expect(capture).toPublishOnlyTo([resourceChannel("ARTICLE", s.hello), userChannel(s.alice)]);
    expect(fake.broker.calls()).toEqual([]);
    // Undo, without flush: the removal publishes during the action, and no after() work was queued.
    const undo = await capturePublications(realtime, () => toggleResourceReaction(target));
    expect(undo.publications.map((p) => p.signal.scope)).toEqual(["reactions"]);
    expect(fake.broker.calls()).toEqual([]);
  });
});

describe("capturePublications itself", () => {
  it("records in order, each (channel, signal) pair once; refuses what the publisher refuses, logged and listed", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const { value, publications, refused } = await capturePublications(realtime, () =>
      collectSignals(async () => {
        publishInvalidate(notificationsSignal(ALICE));
        publishInvalidate([notificationsSignal(ALICE), { channels: [userChannel(ALICE), userChannel(BOB)], signal: { scope: "notifications" } }]);
        publishInvalidate({ channels: ["nope"], signal: { scope: "notifications" } } as never);
        const receipt = publishInvalidate(bookmarkSignal(BOB, ARTICLE));
        await receipt.delivered(); // resolves at once inside a capture
        return "done";
      }),
    );
    expect(value).toEqual({ value: "done", signals: [{ scope: "notifications" }, bookmarkSignal(BOB, ARTICLE).signal], versions: [] });
    expect(publications).toEqual([notificationsSignal(ALICE), { channels: [userChannel(BOB)], signal: { scope: "notifications" } }, bookmarkSignal(BOB, ARTICLE)]);
    expect(refused.map((e) => e.message)).toEqual([expect.stringContaining('not a channel of this app: "nope"')]);
    expect(error).toHaveBeenCalledTimes(1);
    await flushAfter();
    expect(fake.broker.calls()).toEqual([]);
  });

  it("two captures in parallel keep their publications apart, and code outside both still publishes", async () => {
    const tick = () => new Promise((r) => setImmediate(r));
    const run = (user: string, n: number) =>
      capturePublications(realtime, async () => {
        for (let i = 0; i < n; i++) {
          publishInvalidate(i % 2 ? bookmarkSignal(user, uuid(`kit:${i}`)) : notificationsSignal(user));
          await tick();
        }
        return user;
      });
    const outside = (async () => {
      await tick();
      publishInvalidate(commentThreadSignal({ resource_type: "ARTICLE", resource_id: ARTICLE }));
    })();
    const [a, b] = await Promise.all([run(ALICE, 4), run(BOB, 3), outside]);
    expect(a.value).toBe(ALICE);
    expect(a).toPublishOnlyTo([userChannel(ALICE)]);
    expect(a.publications).toEqual([notificationsSignal(ALICE), bookmarkSignal(ALICE, uuid("kit:1")), bookmarkSignal(ALICE, uuid("kit:3"))]);
    expect(b).toPublishOnlyTo([userChannel(BOB)]);
    expect(b.publications).toEqual([notificationsSignal(BOB), bookmarkSignal(BOB, uuid("kit:1"))]);
    await flushAfter();
    expect(fake.broker.deliveries()).toEqual([`- ${resourceChannel("ARTICLE", ARTICLE)} ${JSON.stringify(commentThreadSignal({ resource_type: "ARTICLE", resource_id: ARTICLE }).signal)}`]);
  });

  it("two real actions in parallel, each captured with its own", async () => {
    await signInAs("bob");
    const [first, second] = await Promise.all([
      capturePublications(realtime, () => toggleResourceBookmark({ resource_id: s.hello })),
      capturePublications(realtime, () => toggleResourceReaction({ resource_id: s.publicGist, resource_type: "GIST", reaction_type: "FIRE" })),
    ]);
    expect(first.publications).toEqual([bookmarkSignal(s.bob, s.hello)]);
    expect(second.publications).toEqual([
      { channels: [resourceChannel("GIST", s.publicGist)], signal: { scope: "reactions", ids: { resource_id: s.publicGist, resource_type: "GIST" } } },
    ]);
    request.afterQueue.length = 0; // the reaction's notification request, not under test here
    expect(fake.broker.calls()).toEqual([]);
  });
});

describe("the matchers", () => {
  const publications = [
    { channels: [userChannel(ALICE), userChannel(BOB)], signal: { scope: "notifications" } },
    bookmarkSignal(BOB, ARTICLE),
  ];
  const run = <K extends keyof typeof realtimeMatchers>(name: K, ...args: Parameters<(typeof realtimeMatchers)[K]>) =>
    (realtimeMatchers[name] as (...a: unknown[]) => { pass: boolean; message: () => string })(...args);

  it("toContainSignal: channel and scope, ids as a subset by default or exactly on request", () => {
    expect(publications).toContainSignal(userChannel(BOB), { scope: "notifications" });
    expect(publications).toContainSignal(userChannel(BOB), { scope: "bookmarks" });
    expect(publications).toContainSignal(userChannel(BOB), { scope: "bookmarks", ids: { resource_id: ARTICLE } }, { exactIds: true });
    expect(publications).toContainSignal(userChannel(ALICE), { scope: "notifications", ids: {} }, { exactIds: true });
    expect(publications).not.toContainSignal(userChannel(ALICE), { scope: "bookmarks" });
    expect(publications).not.toContainSignal(userChannel(BOB), { scope: "bookmarks", ids: { resource_id: ALICE } });
    expect(publications).not.toContainSignal(userChannel(BOB), { scope: "bookmarks", ids: {} }, { exactIds: true });
    expect({ publications }).toContainSignal(userChannel(ALICE), { scope: "notifications" });
  });

  it("toContainSignal's failure lists what was published", () => {
    const miss = run("toContainSignal", publications, userChannel(ALICE), { scope: "bookmarks", ids: { resource_id: ARTICLE } });
    expect(miss.pass).toBe(false);
    expect(miss.message()).toBe(
      [
        `expected a publication of {"scope":"bookmarks","ids":{"resource_id":"${ARTICLE}"}} (ids as a subset) on ${userChannel(ALICE)}`,
        "published (2 publications):",
        `  1. ${userChannel(ALICE)}  {"scope":"notifications"}`,
        `  1. ${userChannel(BOB)}  {"scope":"notifications"}`,
        `  2. ${userChannel(BOB)}  {"scope":"bookmarks","ids":{"resource_id":"${ARTICLE}"}}`,
      ].join("\n"),
    );
    const hit = run("toContainSignal", [], userChannel(ALICE), { scope: "notifications" });
    expect(hit.message()).toBe(`expected a publication of {"scope":"notifications"} on ${userChannel(ALICE)}\nnothing was published`);
    expect(() => expect(publications).not.toContainSignal(userChannel(ALICE), { scope: "notifications" })).toThrow(/expected no publication of/);
    expect(() => run("toContainSignal", { nope: 1 }, userChannel(ALICE), { scope: "notifications" })).toThrow(/expected a capture/);
  });

  it("toPublishOnlyTo and expectOnlyChannels fail on any channel outside the list, naming it", () => {
    expect(publications).toPublishOnlyTo([userChannel(ALICE), userChannel(BOB)]);
    expect([]).toPublishOnlyTo([]);
    const extra = run("toPublishOnlyTo", publications, [userChannel(BOB)]);
    expect(extra.pass).toBe(false);
    expect(extra.message()).toMatch(new RegExp(`^expected publications only to \\[${userChannel(BOB)}\\], but also published to ${userChannel(ALICE)}\npublished \\(2 publications\\):\n`));
    expect(() => expectOnlyChannels(publications, [userChannel(BOB)])).toThrow(`but also published to ${userChannel(ALICE)}`);
    expect(() => expectOnlyChannels({ publications }, [userChannel(ALICE), userChannel(BOB)])).not.toThrow();
    expect(() => expect(publications).not.toPublishOnlyTo([userChannel(ALICE), userChannel(BOB)])).toThrow(/expected a publication outside/);
  });
});

import { AsyncResource } from "node:async_hooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { ActionError, runAction } from "@/backend/action-result";
import { userChannel } from "@/backend/realtime/channels";
import { collectSignals, publishInvalidate, realtime } from "@/backend/realtime/server";
import { bookmarkSignal, commentThreadSignal, notificationsSignal } from "@/backend/realtime/signals";
import { flushAfter, request } from "../../helpers/next-request";
import { uuid } from "../../helpers/uuids";
import { setupFakeBroker } from "./fake-broker";

/**
 * collectSignals, which runAction wraps around every server action body: one outbox per action (sent at commit,
 * without the calling tab), and the action's result carrying the signals for that tab to apply.
 */
const fake = setupFakeBroker({ timeoutMs: 5_000 });
afterEach(() => realtime.dispose());

const ALICE = uuid("alice");
const BOB = uuid("bob");
const ARTICLE = uuid("article");
const root = { resource_type: "ARTICLE", resource_id: ARTICLE } as const;
const Input = z.object({ n: z.number() });
const NOTIFICATIONS = '{"scope":"notifications"}';

describe("server actions return the signals they published", () => {
  it("once each, in the order first published; a body that published nothing returns no `signals` at all", async () => {
    const result = await runAction(Input, { n: 1 }, async ({ n }) => {
      publishInvalidate(commentThreadSignal(root));
      publishInvalidate([notificationsSignal(ALICE), notificationsSignal(BOB)]);
      publishInvalidate(commentThreadSignal(root));
      return n + 1;
    });
    expect(result).toEqual({ ok: true, data: 2, signals: [commentThreadSignal(root).signal, { scope: "notifications" }] });
    expect(await runAction(Input, { n: 1 }, async ({ n }) => n)).toEqual({ ok: true, data: 1 });
  });

  it("work an action leaves behind (an after() callback, run in the action's async context) still publishes", async () => {
    const { after } = await import("next/server");
    let late: ReturnType<typeof publishInvalidate> | undefined;
    // Published after the action returned: the late publication is a send of its own, made at once.
    // AsyncResource.bind keeps the action's async context for the callback, as Next's after() does.
    const result = await runAction(Input, { n: 1 }, async () => {
      after(AsyncResource.bind(() => void (late = publishInvalidate(notificationsSignal(ALICE)))));
      return 1;
    });
    expect(result).toEqual({ ok: true, data: 1 });
    await flushAfter();
    expect(late?.signals).toEqual([{ scope: "notifications" }]);
    expect(fake.broker.deliveries()).toEqual([`- ${userChannel(ALICE)} ${NOTIFICATIONS}`]);
  });

  it("invalid input is refused before the body runs: no signals, nothing published", async () => {
    const body = vi.fn(async () => void publishInvalidate(notificationsSignal(ALICE)));
    expect(await runAction(Input, { n: "x" }, body)).toMatchObject({ ok: false, error: { code: "INVALID_INPUT" } });
    expect(body).not.toHaveBeenCalled();
    expect(request.afterQueue).toHaveLength(0);
    // The same action with valid input does publish.
    await runAction(Input, { n: 1 }, body);
    await flushAfter();
    expect(fake.broker.deliveries()).toEqual([`- ${userChannel(ALICE)} ${NOTIFICATIONS}`]);
  });

  it("a refusal thrown before any write returns its error, no signals, and publishes nothing", async () => {
    const result = await runAction(Input, { n: 1 }, async () => {
      throw new ActionError("FORBIDDEN", "not yours");
    });
    expect(result).toEqual({ ok: false, error: { code: "FORBIDDEN", message: "not yours" } });
    expect(request.afterQueue).toHaveLength(0);
    await flushAfter();
    expect(fake.broker.calls()).toHaveLength(0);
    // The same path delivers what a permitted action publishes.
    await runAction(Input, { n: 1 }, async () => void publishInvalidate(notificationsSignal(ALICE)));
    await flushAfter();
    expect(fake.broker.deliveries()).toEqual([`- ${userChannel(ALICE)} ${NOTIFICATIONS}`]);
  });

  it("a body that throws after publishing: the publications still go out (they announce committed writes)", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    request.headers = new Headers({ "x-socket-id": "3.4" });
    const result = await runAction(Input, { n: 1 }, async () => {
      publishInvalidate(commentThreadSignal(root));
      throw new Error("the next step failed");
    });
    expect(result).toMatchObject({ ok: false, error: { code: "INTERNAL" } });
    expect(result).not.toHaveProperty("signals");
    expect(error).toHaveBeenCalledWith("[action] unexpected failure", expect.any(Error));
    expect(request.afterQueue).toHaveLength(1);
    await flushAfter();
    expect(fake.broker.deliveries()).toEqual([
      `3.4 ${commentThreadSignal(root).channels[0]} {"scope":"comments","ids":{"resource_id":"${ARTICLE}","resource_type":"ARTICLE"}}`,
    ]);
  });

  it("collectSignals rethrows the body's error, after scheduling what it published", async () => {
    await expect(
      collectSignals(async () => {
        publishInvalidate(notificationsSignal(ALICE));
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    await flushAfter();
    expect(fake.broker.deliveries()).toEqual([`- ${userChannel(ALICE)} ${NOTIFICATIONS}`]);
  });
});

describe("nested and concurrent actions", () => {
  it("a publication made inside a nested collectSignals is in the outer result too; both go out, without the tab", async () => {
    request.headers = new Headers({ "x-socket-id": "9.9" });
    const outer = await collectSignals(async () => {
      publishInvalidate(notificationsSignal(ALICE));
      const inner = await collectSignals(async () => {
        publishInvalidate(bookmarkSignal(BOB, ARTICLE));
        return "inner";
      });
      expect(inner).toEqual({ value: "inner", signals: [bookmarkSignal(BOB, ARTICLE).signal], versions: [] });
      return "outer";
    });
    expect(outer).toEqual({ value: "outer", signals: [{ scope: "notifications" }, bookmarkSignal(BOB, ARTICLE).signal], versions: [] });
    expect(fake.broker.calls()).toHaveLength(0);
    await flushAfter();
    expect(fake.broker.deliveries()).toEqual(
      [`9.9 ${userChannel(ALICE)} ${NOTIFICATIONS}`, `9.9 ${userChannel(BOB)} {"scope":"bookmarks","ids":{"resource_id":"${ARTICLE}"}}`].sort(),
    );
    // What the two published went out in one broker call.
    expect(fake.broker.calls()).toHaveLength(1);
  });

  it("an action that runs another action (runAction inside runAction) returns the inner one's signals too", async () => {
    const inner = () => runAction(Input, { n: 2 }, async () => void publishInvalidate(bookmarkSignal(BOB, ARTICLE)));
    const result = await runAction(Input, { n: 1 }, async () => {
      publishInvalidate(notificationsSignal(ALICE));
      return (await inner()).ok;
    });
    expect(result).toEqual({ ok: true, data: true, signals: [{ scope: "notifications" }, bookmarkSignal(BOB, ARTICLE).signal] });
  });

  it("concurrent actions keep their signals and their outboxes apart", async () => {
    const slow = collectSignals(async () => {
      publishInvalidate(notificationsSignal(ALICE));
      await new Promise((r) => setTimeout(r, 20));
      publishInvalidate(notificationsSignal(ALICE));
      return "slow";
    });
    const fast = collectSignals(async () => {
      publishInvalidate(bookmarkSignal(BOB, ARTICLE));
      return "fast";
    });
    expect(await fast).toEqual({ value: "fast", signals: [bookmarkSignal(BOB, ARTICLE).signal], versions: [] });
    expect(await slow).toEqual({ value: "slow", signals: [{ scope: "notifications" }], versions: [] });
    // One send (held by one after()) per synchronous run that published: the slow action's second publication
    // announces a later write, so it is a send of its own rather than a duplicate dropped from the first.
    expect(request.afterQueue).toHaveLength(3);
    await flushAfter();
    expect(fake.broker.deliveries()).toEqual(
      [`- ${userChannel(ALICE)} ${NOTIFICATIONS}`, `- ${userChannel(ALICE)} ${NOTIFICATIONS}`, `- ${userChannel(BOB)} {"scope":"bookmarks","ids":{"resource_id":"${ARTICLE}"}}`].sort(),
    );
  });
});

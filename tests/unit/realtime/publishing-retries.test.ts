import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { RealtimePublishError } from "@/lib/realtime/server";
import { PUBLISH_RETRY_POLICY } from "@/lib/realtime/server/sender";
import { runAction } from "@/backend/action-result";
import { publishInvalidate, realtime } from "@/backend/realtime/server";
import { notificationsSignal } from "@/backend/realtime/signals";
import { flushAfter, resetRequest } from "../../helpers/next-request";
import { uuid } from "../../helpers/uuids";
import { FAKE_CLOCKS, OK, realTick, setupFakeBroker, soketiRefusal, untilReal } from "./fake-broker";

/**
 * A server action's failed publish is tried again after 250 ms, 1 s, 4 s (REALTIME_PUBLISH_RETRIES, 2 here) inside
 * its after() work before it is logged as lost; an Inngest step's delivered() fails at the first refusal, so
 * Inngest retries the step. On a fake clock: the back-off is exact, and no test sleeps.
 */
const fake = setupFakeBroker({ timeoutMs: 1_000, retries: 2 });
afterEach(() => realtime.dispose());

const action = <T>(body: () => Promise<T> | T) => runAction(z.object({}), {}, async () => body());
const REFUSED = soketiRefusal("Internal error", 500);

describe("publisher retries", () => {
  it("a refused publish from an action goes again after the back-off and, once accepted, logs nothing", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    vi.useFakeTimers(FAKE_CLOCKS);
    fake.broker.setMode(REFUSED);
    resetRequest();
    expect(await action(() => void publishInvalidate(notificationsSignal(uuid("retry-1"))))).toMatchObject({ ok: true });
    let flushed = false;
    const flush = flushAfter().then(() => (flushed = true));
    await untilReal(() => fake.broker.calls().length === 1, "the first attempt reached the broker");
    await realTick();
    fake.broker.setMode(OK);
    await vi.advanceTimersByTimeAsync(PUBLISH_RETRY_POLICY.delayMs(1) - 1);
    expect(fake.broker.calls()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await untilReal(() => fake.broker.calls().length === 2, "the retry reached the broker");
    await untilReal(() => flushed, "the after() work finished");
    await flush;
    expect(error).not.toHaveBeenCalled();
    expect(fake.broker.deliveries()).toHaveLength(2);
    expect(new Set(fake.broker.deliveries()).size).toBe(1); // the same delivery, twice
  });

  it("what still fails after the last retry is logged once, as lost, after 1 + 2 attempts", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    vi.useFakeTimers(FAKE_CLOCKS);
    fake.broker.setMode(REFUSED);
    resetRequest();
    await action(() => void publishInvalidate(notificationsSignal(uuid("retry-2"))));
    let flushed = false;
    const flush = flushAfter().then(() => (flushed = true));
    for (let attempt = 1; attempt <= 3; attempt++) {
      await untilReal(() => fake.broker.calls().length === attempt, `attempt ${attempt} reached the broker`);
      if (attempt === 3) break;
      await realTick();
      expect(error).not.toHaveBeenCalled(); // not lost yet: another attempt is due
      await vi.advanceTimersByTimeAsync(PUBLISH_RETRY_POLICY.delayMs(attempt));
    }
    await untilReal(() => flushed, "the after() work finished");
    await flush;
    expect(fake.broker.calls()).toHaveLength(3);
    expect(error).toHaveBeenCalledTimes(1);
    expect(String(error.mock.calls[0][0])).toMatch(/Internal error/);
  });

  it("an Inngest step's delivered() does not retry: it rejects at the first refusal", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    fake.broker.setMode(REFUSED);
    await expect(publishInvalidate(notificationsSignal(uuid("retry-3"))).delivered()).rejects.toBeInstanceOf(RealtimePublishError);
    expect(fake.broker.calls()).toHaveLength(1);
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";
import { createVersionTracker, startVersionChecks, type ChannelVersions } from "@/lib/realtime/client/versions";

/**
 * The tab's version tracking (client/versions.ts): which signals reveal a gap, which are duplicates or late, and
 * what a baseline (from the subscription or a version check) does. Then the check's timing, on fake timers.
 */
const CH = "private-user.00000000-0000-4000-8000-000000000001";
const OTHER = "tag.00000000-0000-4000-8000-000000000002";

describe("version tracking", () => {
  it("contiguous versions from the baseline are no gap", () => {
    const t = createVersionTracker();
    expect(t.baseline(CH, 4)).toBe(false);
    expect([t.observe(CH, 5), t.observe(CH, 6), t.observe(CH, 7)]).toEqual(["next", "next", "next"]);
    expect(t.latest(CH)).toBe(7);
  });

  it("a skipped version is a gap, once; the signal after it is contiguous again", () => {
    const t = createVersionTracker();
    t.baseline(CH, 4);
    expect(t.observe(CH, 5)).toBe("next");
    expect(t.observe(CH, 7)).toBe("gap");
    expect(t.observe(CH, 8)).toBe("next");
  });

  it("a duplicate or an older version is stale", () => {
    const t = createVersionTracker();
    t.baseline(CH, 1);
    expect(t.observe(CH, 2)).toBe("next");
    expect(t.observe(CH, 2)).toBe("stale");
    expect(t.observe(CH, 1)).toBe("stale");
    expect(t.observe(CH, 3)).toBe("next");
  });

  it("out of order (two instances): the later version first costs one gap, the earlier one is then stale", () => {
    const t = createVersionTracker();
    t.baseline(CH, 10);
    expect(t.observe(CH, 12)).toBe("gap");
    expect(t.observe(CH, 11)).toBe("stale");
    expect(t.observe(CH, 13)).toBe("next");
  });

  it("a signal at the baseline's own version is applied: the baseline is not a signal the tab heard", () => {
    const t = createVersionTracker();
    t.baseline(CH, 5);
    expect(t.observe(CH, 5)).toBe("next");
    expect(t.observe(CH, 5)).toBe("stale");
  });

  it("without any baseline the first signal starts tracking, and the next skip is a gap", () => {
    const t = createVersionTracker();
    expect(t.observe(CH, 9)).toBe("next");
    expect(t.observe(CH, 11)).toBe("gap");
  });

  it("a baseline or check above what the tab knows is a gap; equal or below is not", () => {
    const t = createVersionTracker();
    expect(t.baseline(CH, 3)).toBe(false);
    expect(t.baseline(CH, 3)).toBe(false);
    expect(t.baseline(CH, 2)).toBe(false);
    t.observe(CH, 4);
    expect(t.baseline(CH, 4)).toBe(false);
    expect(t.baseline(CH, 6)).toBe(true);
    // A signal for a version the check already saw is still applied once (it may be in flight).
    expect(t.observe(CH, 6)).toBe("next");
    expect(t.observe(CH, 7)).toBe("next");
  });

  it("a throttled (coalesced) signal may jump: it stands for every version its window skipped", () => {
    const t = createVersionTracker();
    t.baseline(OTHER, 1);
    expect(t.observe(OTHER, 9, true)).toBe("next");
    expect(t.observe(OTHER, 9, true)).toBe("stale");
  });

  it("channels are tracked apart, and a forgotten channel starts again from its next baseline", () => {
    const t = createVersionTracker();
    t.baseline(CH, 5);
    t.baseline(OTHER, 50);
    expect(t.observe(OTHER, 51)).toBe("next");
    expect(t.observe(CH, 7)).toBe("gap");
    t.forget(CH);
    expect(t.latest(CH)).toBeUndefined();
    expect(t.baseline(CH, 9)).toBe(false);
  });
});

describe("version checks", () => {
  afterEach(() => vi.useRealTimers());

  function checks({ connected = true, intervalMs = 1_000 } = {}) {
    const asked: string[][] = [];
    const seen: ChannelVersions[] = [];
    let isConnected = connected;
    const held = [CH, OTHER];
    const handle = startVersionChecks({
      channels: () => held,
      isConnected: () => isConnected,
      fetchVersions: async (names) => {
        asked.push([...names]);
        return Object.fromEntries(names.map((n) => [n, 1]));
      },
      onVersions: (v) => seen.push(v),
      intervalMs,
    });
    return { asked, seen, handle, setConnected: (c: boolean) => (isConnected = c) };
  }

  it("asks for every held channel in one request per interval, while connected", async () => {
    vi.useFakeTimers();
    const { asked, seen, handle, setConnected } = checks();
    await vi.advanceTimersByTimeAsync(999);
    expect(asked).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(asked).toEqual([[CH, OTHER]]);
    expect(seen).toEqual([{ [CH]: 1, [OTHER]: 1 }]);
    setConnected(false);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(asked).toHaveLength(1);
    setConnected(true);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(asked).toHaveLength(2);
    handle.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(asked).toHaveLength(2);
  });

  it("checkSoon calls of one turn share one request, and only held channels are asked about", async () => {
    vi.useFakeTimers();
    const { asked, handle } = checks({ intervalMs: 0 });
    handle.checkSoon([CH]);
    handle.checkSoon([OTHER, "tag.00000000-0000-4000-8000-00000000dead"]);
    await vi.advanceTimersByTimeAsync(0);
    expect(asked).toEqual([[CH, OTHER]]);
    // Interval 0: no periodic checks at all.
    await vi.advanceTimersByTimeAsync(120_000);
    expect(asked).toHaveLength(1);
    handle.stop();
  });
});

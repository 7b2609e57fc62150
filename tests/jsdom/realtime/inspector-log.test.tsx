import { describe, expect, it } from "vitest";
import { Profiler } from "react";
import { act, fireEvent, render, screen } from "@testing-library/react";
import { QueryClientProvider } from "@tanstack/react-query";
import { INVALIDATE_EVENT } from "@/lib/realtime";
import {
  RealtimeProvider,
  coalescingInvalidator,
  createRealtimeLog,
  useRealtimeChannel,
  useRealtimeLog,
  useRealtimeResync,
  type RealtimeLog,
  type RealtimeLogEntry,
  type RealtimeResyncEntry,
  type RealtimeSignalEntry,
} from "@/lib/realtime/client";
import { resourceChannel, userChannel } from "@/backend/realtime/channels";
import { scopes } from "@/backend/realtime/scopes";
import { commentThreadSignal } from "@/backend/realtime/signals";
import { realtimeLog as appLog } from "@/components/realtime/inspector-gate";
import { RealtimeInspector } from "@/components/realtime/RealtimeInspector";
import { uuid } from "../../helpers/uuids";
import { newQueryClient } from "../support/app";
import { FAKE_CONFIG, createFakePusher } from "../support/fake-pusher";

/**
 * The realtime log behind the development inspector (src/lib/realtime/client/log.ts): a ring of the last 100
 * entries, fed by the provider with every signal and its fate, every resync and every status change, and nothing
 * at all (no entry, no re-render) when the provider has no log.
 */
const USER = uuid("inspector:user");
const ARTICLE = uuid("inspector:article");
const USER_CHANNEL = userChannel(USER);
const ARTICLE_CHANNEL = resourceChannel("ARTICLE", ARTICLE);
const COMMENTS = commentThreadSignal({ resource_type: "ARTICLE", resource_id: ARTICLE }).signal;
const COMMENT_KEYS = scopes.keys(COMMENTS)!;
// A long gap: the second signal of a burst is certainly merged into the first one's pending refetch.
const slowCoalescing = coalescingInvalidator({ minGapMs: 60_000 });

function Channel({ name }: { name: string }) {
  useRealtimeChannel(name);
  return null;
}

let renders = 0;
function LogProbe() {
  const entries = useRealtimeLog();
  const resync = useRealtimeResync();
  return (
    <Profiler id="log-probe" onRender={() => renders++}>
      <output data-testid="log-size">{entries.length}</output>
      <button type="button" onClick={resync}>
        Resync now
      </button>
    </Profiler>
  );
}
const resyncNow = () => fireEvent.click(screen.getAllByRole("button", { name: "Resync now" })[0]);

function renderTab({ log, pollIntervalMs, inspector = false }: { log?: RealtimeLog | null; pollIntervalMs?: number; inspector?: boolean }) {
  const fake = createFakePusher();
  renders = 0;
  const view = render(
    <QueryClientProvider client={newQueryClient()}>
      <RealtimeProvider
        config={FAKE_CONFIG}
        scopes={scopes}
        userChannel={USER_CHANNEL}
        createPusher={fake.factory}
        createInvalidator={slowCoalescing}
        pollIntervalMs={pollIntervalMs}
        log={log}
      >
        <Channel name={ARTICLE_CHANNEL} />
        <Channel name={ARTICLE_CHANNEL} />
        <LogProbe />
        {inspector ? <RealtimeInspector onClose={() => {}} /> : null}
      </RealtimeProvider>
    </QueryClientProvider>,
  );
  const send = (channel: string, data: unknown) => act(() => fake.emit(channel, INVALIDATE_EVENT, data));
  return { fake, send, view };
}

const signals = (log: RealtimeLog) => log.entries().filter((e): e is RealtimeSignalEntry => e.kind === "signal");
const resyncs = (log: RealtimeLog) => log.entries().filter((e): e is RealtimeResyncEntry => e.kind === "resync");

describe("the log itself", () => {
  it("keeps the last 100 entries, newest first, with one snapshot per change", () => {
    let clock = 0;
    const log = createRealtimeLog({ now: () => ++clock });
    let notified = 0;
    log.subscribe(() => notified++);
    for (let i = 1; i <= 250; i++) log.record({ kind: "status", status: "connected", socketId: `s${i}` });
    const entries = log.entries();
    expect(entries).toHaveLength(100);
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, i) => 250 - i));
    expect(entries[0]).toMatchObject({ socketId: "s250", at: 250 });
    expect(entries[99]).toMatchObject({ socketId: "s151", at: 151 });
    expect(notified).toBe(250);
    expect(log.entries()).toBe(entries); // unchanged: the same array (useSyncExternalStore)
    log.record({ kind: "status", status: "offline", socketId: null });
    expect(log.entries()).not.toBe(entries);
    expect(log.entries()).toHaveLength(100);
    log.clear();
    expect(log.entries()).toEqual([]);
  });
});

describe("the provider records each signal's fate", () => {
  it("applied, then coalesced into the refetch already pending for the same keys", async () => {
    const log = createRealtimeLog();
    const tab = renderTab({ log });
    const before = renders;
    await tab.send(ARTICLE_CHANNEL, COMMENTS);
    await tab.send(ARTICLE_CHANNEL, COMMENTS);
    expect(renders).toBeGreaterThan(before); // a reader of the log re-renders on each entry (cf. "disabled" below)
    const [second, first] = signals(log);
    expect(first).toMatchObject({ channel: ARTICLE_CHANNEL, scope: "comments", ids: COMMENTS.ids, fate: "applied", coalescedKeys: 0 });
    expect(first.keys).toEqual(COMMENT_KEYS);
    expect(second).toMatchObject({ channel: ARTICLE_CHANNEL, scope: "comments", fate: "coalesced", coalescedKeys: COMMENT_KEYS.length });
    expect(second.keys).toEqual(COMMENT_KEYS);
    expect(screen.getByTestId("log-size").textContent).toBe(String(log.entries().length));
  });

  it.each([
    ["not JSON", ARTICLE_CHANNEL, "not json {", /^malformed/],
    ["content beside the ids", ARTICLE_CHANNEL, { ...COMMENTS, body: "hi" }, /^malformed/],
    ["an unknown scope", ARTICLE_CHANNEL, { scope: "everything" }, /^unknown scope "everything"/],
    ["a scope the channel does not carry", USER_CHANNEL, COMMENTS, /^scope "comments" is not carried by user channels/],
    ["ids that are not the scope's", ARTICLE_CHANNEL, { scope: "comments", ids: { resource_id: ARTICLE } }, /^ids missing or malformed/],
  ] as const)("ignored, with why: %s", async (_label, channel, data, reason) => {
    const log = createRealtimeLog();
    const tab = renderTab({ log });
    await tab.send(channel, data);
    const [entry] = signals(log);
    expect(entry).toMatchObject({ channel, fate: "ignored", keys: [] });
    expect(entry.reason).toMatch(reason);
  });
});

describe("the provider records resyncs and status changes", () => {
  it("a reconnect: offline, connected with the socket id, then one resync per held channel", async () => {
    const log = createRealtimeLog();
    const tab = renderTab({ log });
    await act(() => tab.fake.drop());
    await act(() => tab.fake.reconnect());
    const kinds = log.entries().map((e) => (e.kind === "status" ? `status ${e.status} ${e.socketId}` : `${e.kind} ${"cause" in e ? e.cause : ""}`));
    expect(kinds.slice(0, 4).reverse()).toEqual(["status offline null", "status connected 1.1", "resync reconnect", "resync reconnect"]);
    expect(resyncs(log).map((e) => e.channel).sort()).toEqual([ARTICLE_CHANNEL, USER_CHANNEL].sort());
    const article = resyncs(log).find((e) => e.channel === ARTICLE_CHANNEL)!;
    expect(article.keys).toEqual(scopes.resyncKeys(scopes.channels.parse(ARTICLE_CHANNEL)!));
  });

  it('"Resync now" resyncs every held channel, recorded as manual', async () => {
    const log = createRealtimeLog();
    renderTab({ log });
    await act(() => resyncNow());
    expect(resyncs(log).map((e) => `${e.cause} ${e.channel}`).sort()).toEqual([`manual ${ARTICLE_CHANNEL}`, `manual ${USER_CHANNEL}`].sort());
  });

  it("a fallback poll while offline is a resync with cause poll", async () => {
    const log = createRealtimeLog();
    const tab = renderTab({ log, pollIntervalMs: 20 });
    await act(() => tab.fake.drop());
    await act(() => new Promise((r) => setTimeout(r, 60)));
    expect(resyncs(log).some((e) => e.cause === "poll" && e.channel === ARTICLE_CHANNEL)).toBe(true);
  });
});

describe("disabled: no log", () => {
  it("records nothing and re-renders nobody", async () => {
    const tab = renderTab({ log: null });
    const before = renders;
    for (let i = 0; i < 10; i++) await tab.send(ARTICLE_CHANNEL, COMMENTS);
    await tab.send(ARTICLE_CHANNEL, "not json {");
    await act(() => tab.fake.drop());
    await act(() => tab.fake.reconnect());
    await act(() => resyncNow());
    expect(renders).toBe(before);
    expect(screen.getByTestId("log-size").textContent).toBe("0");
  });

  it("the app creates no log outside development unless NEXT_PUBLIC_REALTIME_INSPECTOR=1", () => {
    expect(process.env.NODE_ENV).not.toBe("development");
    expect(process.env.NEXT_PUBLIC_REALTIME_INSPECTOR).toBeUndefined();
    expect(appLog).toBeNull();
  });
});

describe("the inspector panel", () => {
  it("shows the connection, the held channels with their holders, and each entry with its keys", async () => {
    const log = createRealtimeLog();
    const tab = renderTab({ log, inspector: true });
    await tab.send(ARTICLE_CHANNEL, COMMENTS);
    await tab.send(ARTICLE_CHANNEL, { scope: "everything" });
    await act(() => new Promise((r) => setTimeout(r, 600))); // the channel list is read twice a second
    expect(screen.getByTestId("inspector-status").textContent).toBe("connected");
    expect(screen.getByTestId("inspector-socket-id").textContent).toBe("1.1");
    const held = screen.getByTestId("inspector-channels");
    expect(held.querySelector(`[data-channel="${ARTICLE_CHANNEL}"]`)?.getAttribute("data-holders")).toBe("2");
    expect(held.querySelector(`[data-channel="${USER_CHANNEL}"]`)?.getAttribute("data-holders")).toBe("1");
    const rows = screen.getAllByTestId("inspector-entry");
    const entries: RealtimeLogEntry[] = [...log.entries()];
    expect(rows.map((r) => r.getAttribute("data-fate"))).toEqual(entries.map((e) => (e.kind === "signal" ? e.fate : e.kind)));
    expect(rows[0].textContent).toContain('unknown scope "everything"');
    expect(rows[1].getAttribute("data-scope")).toBe("comments");
    expect(rows[1].textContent).toContain(JSON.stringify(COMMENT_KEYS[0]));
  });
});

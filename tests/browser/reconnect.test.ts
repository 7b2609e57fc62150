import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../helpers/chromium";
import { startAppServer, type AppServer } from "../helpers/app-server";
import { startSoketi, type SoketiHandle } from "../helpers/soketi";
import { POLL_INTERVAL_MS } from "@/lib/realtime/client/fallback-polling";
import { RECONNECT_POLICY } from "@/lib/realtime/client/reconnect";
import { LIVE_MS, articleChannelOn, contextFor, postComment, rowTestId, unique, watchSocket } from "./live-support";

/*
 * This file runs its own broker and app server (from the shared build): it stops and restarts the broker, which
 * the other browser files must not notice.
 */

/**
 * How long after the broker is back the page may take, from the client's own reconnect policy: its longest wait
 * between tries while an outage is short (the first dozen failures; this one lasts a few seconds), an attempt it
 * abandons at attemptTimeoutMs if it hangs, then the resubscription and resync refetch (LIVE_MS).
 */
const FAST_RETRY_MS = Math.max(...Array.from({ length: 13 }, (_, failures) => RECONNECT_POLICY.delayMs(failures, () => 1)));
const BACK_WITHIN_MS = FAST_RETRY_MS + RECONNECT_POLICY.attemptTimeoutMs + LIVE_MS;
let soketi: SoketiHandle;
let server: AppServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  soketi = await startSoketi();
  server = await startAppServer({
    env: { ...soketi.env, PUSHER_PUBLIC_HOST: soketi.host, PUSHER_PUBLIC_PORT: String(soketi.port), PUSHER_PUBLIC_TLS: "0" },
  });
  browser = await launchChromium();
});
afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await server?.stop();
  await soketi?.stop();
});

async function open(user: string) {
  const context = await contextFor(browser, server.url, user);
  contexts.push(context);
  const page = await context.newPage();
  const socket = watchSocket(page);
  await page.goto(`${server.url}/@alice/hello-realtime`);
  await page.getByRole("heading", { name: "Hello, realtime" }).waitFor();
  const channel = await articleChannelOn(page);
  await socket.subscribed(channel);
  await indicator(page, "connected");
  return { page, socket, channel };
}

function indicator(page: Page, status: string, timeout = BACK_WITHIN_MS) {
  return page.locator(`[data-testid="realtime-status"][data-status="${status}"]`).waitFor({ timeout });
}

/** Every value the navbar indicator takes from now on, in order (a brief state is not missed). */
async function recordIndicator(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const w = window as unknown as { __statuses: string[] };
    w.__statuses = [];
    const note = () => {
      const value = document.querySelector('[data-testid="realtime-status"]')?.getAttribute("data-status") ?? "none";
      if (w.__statuses.at(-1) !== value) w.__statuses.push(value);
    };
    note();
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-status"] });
  });
  return () => page.evaluate(() => (window as unknown as { __statuses: string[] }).__statuses);
}

describe("broker restart with an article page open", () => {
  it("a comment made while the broker was down appears after it returns, without reload; the indicator goes offline and back to live", async () => {
    const alice = await open("alice");
    const statuses = await recordIndicator(alice.page);

    await soketi.stop();
    await indicator(alice.page, "offline");
    const offlineAt = Date.now();

    // Bob comments meanwhile: the write succeeds, its signal is lost (the broker is down). His page has no live
    // connection either; it works all the same.
    const bobContext = await contextFor(browser, server.url, "bob");
    contexts.push(bobContext);
    const bobPage = await bobContext.newPage();
    await bobPage.goto(`${server.url}/@alice/hello-realtime`);
    const text = unique("Written while the broker was down");
    await postComment(bobPage, text);

    const onAlice = alice.page.getByTestId(rowTestId("comment")).filter({ hasText: text });
    // Nothing told alice's page yet, unless her tab's offline polling (every POLL_INTERVAL_MS) came first on a very
    // slow machine. Not a "nothing works" pass: the comment must still show once the broker is back, below.
    if (Date.now() - offlineAt < POLL_INTERVAL_MS) expect(await onAlice.count()).toBe(0);

    const restarted = Date.now();
    await soketi.restart();
    await onAlice.waitFor({ timeout: BACK_WITHIN_MS });
    const shownAfter = Date.now() - restarted;
    await indicator(alice.page, "connected");
    console.log(`[reconnect] bob's comment on alice's page ${shownAfter} ms after the broker restarted`);

    const seen = await statuses();
    expect(seen[0]).toBe("connected");
    expect(seen).toContain("offline");
    expect(seen.at(-1)).toBe("connected");
    expect(seen.indexOf("offline")).toBeLessThan(seen.lastIndexOf("connected"));
    expect(alice.page.url()).toBe(`${server.url}/@alice/hello-realtime`);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../helpers/chromium";
import { startAppServer, type AppServer } from "../helpers/app-server";
import { startSoketi, type SoketiHandle } from "../helpers/soketi";
import { articleIdOn, contextFor, unique, watchSocket } from "./live-support";

/*
 * This file runs its own broker and app server (from the shared build): it stops and restarts the broker, which
 * the other browser files must not notice.
 */
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
  const channel = `private-resource.ARTICLE.${await articleIdOn(page)}`;
  await socket.subscribed(channel);
  await indicator(page, "connected");
  return { page, socket, channel };
}

function indicator(page: Page, status: string, timeout = 15_000) {
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

async function post(page: Page, text: string) {
  await page.getByLabel("Write a comment").fill(text);
  await page.getByRole("button", { name: "Post comment" }).click();
  await page.getByTestId(/^comment-\d+$/).filter({ hasText: text }).waitFor({ timeout: 10_000 });
}

describe("broker restart with an article page open", () => {
  it("a comment made while the broker was down appears after it returns, without reload; the indicator goes offline and back to live", async () => {
    const alice = await open("alice");
    const statuses = await recordIndicator(alice.page);

    await soketi.stop();
    await indicator(alice.page, "offline");

    // Bob comments meanwhile: the write succeeds, its signal is lost (the broker is down). His page has no live
    // connection either; it works all the same.
    const bobContext = await contextFor(browser, server.url, "bob");
    contexts.push(bobContext);
    const bobPage = await bobContext.newPage();
    await bobPage.goto(`${server.url}/@alice/hello-realtime`);
    const text = unique("Written while the broker was down");
    await post(bobPage, text);

    const onAlice = alice.page.getByTestId(/^comment-\d+$/).filter({ hasText: text });
    expect(await onAlice.count()).toBe(0); // nothing told alice's page yet

    const restarted = Date.now();
    await soketi.restart();
    await onAlice.waitFor({ timeout: 15_000 });
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

  it("no self-echo: alice's own comment reaches her other tab's socket but not the one that posted it", async () => {
    const first = await open("alice");
    const second = await open("alice");
    const commentSignals = (s: ReturnType<typeof watchSocket>, channel: string) =>
      s.signalsOn(channel).filter((d: { scope?: string }) => d.scope === "comments").length;

    const text = unique("From alice's first tab");
    await post(first.page, text);
    await second.page.getByTestId(/^comment-\d+$/).filter({ hasText: text }).waitFor({ timeout: 10_000 });
    expect(commentSignals(second.socket, second.channel)).toBe(1);

    // Bob's comment is a marker: it reaches both of alice's tabs, after anything alice's own action sent.
    const bob = await open("bob");
    await post(bob.page, unique("Marker from bob"));
    await expect.poll(() => commentSignals(first.socket, first.channel), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => commentSignals(second.socket, second.channel), { timeout: 10_000 }).toBe(2);
  });
});

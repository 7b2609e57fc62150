import { afterAll, beforeAll, expect } from "vitest";
import type { Browser, BrowserContext, ConsoleMessage, Page } from "playwright-core";
import { launchChromium, signIn } from "../helpers/chromium";

/**
 * What one tab's broker connection did, read from its WebSocket frames: the ground truth for "this page is on
 * that channel" without any hook into the app. Attach before the first navigation.
 */
export function watchSocket(page: Page) {
  const sent: string[] = [];
  const received: string[] = [];
  page.on("websocket", (ws) => {
    ws.on("framesent", (f) => sent.push(String(f.payload)));
    ws.on("framereceived", (f) => received.push(String(f.payload)));
  });
  const has = (list: string[], event: string, channel: string) =>
    list.some((p) => p.includes(`"event":"${event}"`) && p.includes(`"${channel}"`));
  return {
    sent,
    received,
    /** Resolves once the broker confirmed the subscription. */
    subscribed: (channel: string) =>
      expect.poll(() => has(received, "pusher_internal:subscription_succeeded", channel), { timeout: 15_000 }).toBe(true),
    /** The signed-in user's own channel, once the tab is on it (the provider joins it on every page). */
    userChannel: async () => {
      const find = () =>
        received
          .filter((p) => p.includes("pusher_internal:subscription_succeeded"))
          .map((p) => /"(private-user\.\d+)"/.exec(p)?.[1])
          .find(Boolean);
      await expect.poll(find, { timeout: 15_000 }).toBeTruthy();
      return find()!;
    },
    /** Resolves once the tab asked the broker to drop the channel. */
    unsubscribed: (channel: string) =>
      expect.poll(() => has(sent, "pusher:unsubscribe", channel), { timeout: 15_000 }).toBe(true),
    /** The invalidate signals this tab received on a channel (the data as sent, JSON). */
    signalsOn: (channel: string) =>
      received
        .map((p) => JSON.parse(p) as { event: string; channel?: string; data?: string })
        .filter((m) => m.event === "invalidate" && m.channel === channel)
        .map((m) => (typeof m.data === "string" ? JSON.parse(m.data) : m.data)),
  };
}

/** Everything a page reports as going wrong: uncaught errors and console errors. */
export function watchErrors(page: Page) {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}`));
  page.on("console", (msg: ConsoleMessage) => {
    if (msg.type() === "error") errors.push(`console: ${msg.text()} @ ${msg.location().url}`);
  });
  return errors;
}

/** A new context signed in as a demo user, or anonymous. */
export async function contextFor(browser: Browser, appUrl: string, user: string | null): Promise<BrowserContext> {
  const context = await browser.newContext();
  if (user) await signIn(context, appUrl, user);
  return context;
}

/**
 * One Chromium for the test file: launched before the file's tests; after them, every context opened through
 * `context()` is closed, then the browser.
 */
export function browserForFile() {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
  });
  return {
    /** A new context signed in as a demo user, or anonymous (see contextFor); closed after the file. */
    async context(appUrl: string, user: string | null): Promise<BrowserContext> {
      if (!browser) throw new Error("browserForFile: the browser is launched in beforeAll");
      const context = await contextFor(browser, appUrl, user);
      contexts.push(context);
      return context;
    },
  };
}

/** The article id, read from the page's own reaction bar (`reaction-ARTICLE-{id}-LOVE`). */
export async function articleIdOn(page: Page): Promise<number> {
  const testId = await page.locator('[data-testid^="reaction-ARTICLE-"]').first().getAttribute("data-testid");
  const id = Number(/^reaction-ARTICLE-(\d+)-/.exec(testId ?? "")?.[1]);
  if (!id) throw new Error(`no article reaction bar on ${page.url()}`);
  return id;
}

export const unique = (label: string) => `${label} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

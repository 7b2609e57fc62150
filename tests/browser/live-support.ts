import { afterAll, beforeAll, expect } from "vitest";
import type { Browser, BrowserContext, ConsoleMessage, Locator, Page } from "playwright-core";
import { launchChromium, signIn } from "../helpers/chromium";

/** A canonical (lowercase, hyphenated) UUID, as every id in URLs, test ids and channel names now is. */
export const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

/** `data-testid` of one row of a list: `comment-<uuid>`, `notification-<uuid>`, `session-<uuid>`, `my-article-<uuid>`. */
export const rowTestId = (kind: string) => new RegExp(`^${kind}-${UUID}$`);

/** The id in a row's `data-testid` (see rowTestId); throws unless it is a UUID. */
export async function rowId(row: Locator, kind: string): Promise<string> {
  const testId = await row.getAttribute("data-testid");
  const id = new RegExp(`^${kind}-(${UUID})$`).exec(testId ?? "")?.[1];
  if (!id) throw new Error(`not a ${kind}-<uuid> test id: ${testId}`);
  return id;
}

/** The gist id of a /gists/<uuid> URL; throws unless the segment is a UUID. */
export function gistIdOf(url: string): string {
  const id = new RegExp(`/gists/(${UUID})$`).exec(new URL(url).pathname)?.[1];
  if (!id) throw new Error(`not a gist page: ${url}`);
  return id;
}
export const GIST_PAGE = new RegExp(`/gists/${UUID}$`);

/**
 * How long a test waits for a change to show on an open page: the publisher's bound on one broker call
 * (REALTIME_PUBLISH_TIMEOUT_MS, the app's default of 2 s; global-setup does not set it), then the tab's refetch,
 * with ample slack for a 2-core machine other suites share. A wait, not a measurement: latencies belong to bench/.
 */
const PUBLISH_TIMEOUT_MS = 2_000;
export const LIVE_MS = PUBLISH_TIMEOUT_MS + 10_000;
/** How long to wait for the tab's connection to report a subscription (page load, auth round trip, broker). */
export const SUBSCRIBE_MS = 15_000;

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
  const userChannelPattern = new RegExp(`"(private-user\\.${UUID})"`);
  return {
    sent,
    received,
    /** Resolves once the broker confirmed the subscription. */
    subscribed: (channel: string) =>
      expect.poll(() => has(received, "pusher_internal:subscription_succeeded", channel), { timeout: SUBSCRIBE_MS }).toBe(true),
    /** The signed-in user's own channel, once the tab is on it (the provider joins it on every page). */
    userChannel: async () => {
      const find = () =>
        received
          .filter((p) => p.includes("pusher_internal:subscription_succeeded"))
          .map((p) => userChannelPattern.exec(p)?.[1])
          .find(Boolean);
      await expect.poll(find, { timeout: SUBSCRIBE_MS }).toBeTruthy();
      return find()!;
    },
    /** The first channel the broker confirmed whose whole name matches `pattern`, once there is one. */
    subscribedMatching: async (pattern: RegExp) => {
      const find = () =>
        received
          .map((p) => JSON.parse(p) as { event: string; channel?: string })
          .filter((m) => m.event === "pusher_internal:subscription_succeeded")
          .map((m) => m.channel ?? "")
          .find((c) => pattern.test(c));
      await expect.poll(find, { timeout: SUBSCRIBE_MS }).toBeTruthy();
      return find()!;
    },
    /** Resolves once the tab asked the broker to drop the channel. */
    unsubscribed: (channel: string) =>
      expect.poll(() => has(sent, "pusher:unsubscribe", channel), { timeout: SUBSCRIBE_MS }).toBe(true),
    /** How many frames the tab has received so far: a mark for signalsOn's range. */
    mark: () => received.length,
    /**
     * The invalidate signals this tab received on a channel (the data as sent, JSON, without the channel's version
     * `v`: a counter that depends on every earlier write; tests/integration/realtime/channel-versions.test.ts checks
     * it), optionally between marks.
     */
    signalsOn: (channel: string, range: { from?: number; to?: number } = {}) =>
      received
        .slice(range.from ?? 0, range.to)
        .map((p) => JSON.parse(p) as { event: string; channel?: string; data?: string })
        .filter((m) => m.event === "invalidate" && m.channel === channel)
        .map((m) => {
          const { v: _v, ...signal } = (typeof m.data === "string" ? JSON.parse(m.data) : m.data) as {
            scope: string;
            ids?: Record<string, unknown>;
            v?: number;
          };
          return signal;
        }),
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

/** Every main-frame navigation of the page from now on: empty means "updated without a reload". */
export function watchNavigations(page: Page): string[] {
  const list: string[] = [];
  page.on("framenavigated", (f) => {
    if (f === page.mainFrame()) list.push(f.url());
  });
  return list;
}

/** A page of `context` with its socket and errors watched from the start, navigated to `url`. */
export async function openPage(context: BrowserContext, url: string) {
  const page = await context.newPage();
  const socket = watchSocket(page);
  const errors = watchErrors(page);
  await page.goto(url);
  return { page, socket, errors };
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
    async context(appUrl: string, user: string | null, options?: Parameters<Browser["newContext"]>[0]): Promise<BrowserContext> {
      if (!browser) throw new Error("browserForFile: the browser is launched in beforeAll");
      const context = await browser.newContext(options);
      contexts.push(context);
      if (user) await signIn(context, appUrl, user);
      return context;
    },
  };
}

/** The article id, read from the page's own reaction bar (`reaction-ARTICLE-<uuid>-LOVE`). */
export async function articleIdOn(page: Page): Promise<string> {
  const testId = await page.locator('[data-testid^="reaction-ARTICLE-"]').first().getAttribute("data-testid");
  const id = new RegExp(`^reaction-ARTICLE-(${UUID})-`).exec(testId ?? "")?.[1];
  if (!id) throw new Error(`no article reaction bar on ${page.url()} (test id ${testId})`);
  return id;
}

/** The article page's channel, `private-resource.ARTICLE.<uuid>`. */
export const articleChannelOn = async (page: Page) => `private-resource.ARTICLE.${await articleIdOn(page)}`;

/** The navbar's unread-notifications badge (absent at zero). */
export async function badgeCount(page: Page): Promise<number> {
  const badge = page.getByTestId("unread-badge");
  if ((await badge.count()) === 0) return 0;
  return Number((await badge.textContent())?.trim() ?? "0");
}

/** Posts a top-level comment from the page's comment form and waits until this tab shows it. */
export async function postComment(page: Page, text: string): Promise<Locator> {
  await page.getByLabel("Write a comment").fill(text);
  await page.getByRole("button", { name: "Post comment" }).click();
  const posted = page.getByTestId(rowTestId("comment")).filter({ hasText: text });
  await posted.waitFor({ timeout: LIVE_MS });
  return posted;
}

export const unique = (label: string) => `${label} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

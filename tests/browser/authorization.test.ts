import { beforeAll, describe, expect, inject, it } from "vitest";
import type { BrowserContext, Page, Route } from "playwright-core";
import { GIST_PAGE, LIVE_MS, articleChannelOn, badgeCount, browserForFile, gistIdOf, postComment, rowId, rowTestId, unique, watchErrors, watchSocket } from "./live-support";

/**
 * Readability changes while pages are open: a reader who loses access sees the article go and leaves its channel;
 * a subscription the auth route refuses is quiet and leaves the rest of the page (and the tab's other channels) live.
 */
const app = inject("app");
// The app's ErrorMessage; Next's own route announcer is also role="alert", so match the app's element.
const ERROR_MESSAGE = 'p[role="alert"]';
const chromium = browserForFile();
let aliceContext: BrowserContext;
let dashboard: Page;

beforeAll(async () => {
  aliceContext = await chromium.context(app.url, "alice");
  dashboard = await aliceContext.newPage();
  await dashboard.goto(`${app.url}/dashboard`);
  await dashboard.getByRole("heading", { name: "My articles" }).waitFor();
});

/** alice writes and publishes a fresh article from her dashboard; returns its URL and the row's locator. */
async function publishArticle(): Promise<{ url: string; row: ReturnType<Page["getByTestId"]> }> {
  const title = unique("Access test");
  await dashboard.getByRole("button", { name: "New article" }).click();
  await dashboard.getByLabel("Title").fill(title);
  await dashboard.getByLabel("Body").fill("Readable for now.");
  await dashboard.getByRole("button", { name: "Create article" }).click();
  const created = dashboard.getByTestId(rowTestId("my-article")).filter({ hasText: title });
  await created.waitFor({ timeout: LIVE_MS });
  const row = dashboard.getByTestId(`my-article-${await rowId(created, "my-article")}`);
  await row.getByRole("button", { name: "Publish" }).click();
  // The dashboard is the writing tab: its row follows from the signals the action returned.
  await row.getByRole("button", { name: "Unpublish" }).waitFor({ timeout: LIVE_MS });
  const href = await row.getByRole("link", { name: title }).getAttribute("href");
  return { url: `${app.url}${href}`, row };
}

async function reader(user: string | null) {
  const context = await chromium.context(app.url, user);
  const page = await context.newPage();
  return { page, socket: watchSocket(page), errors: watchErrors(page) };
}

describe("a reader who loses access while the page is open", () => {
  it("unpublish: readers see 'no longer available' and leave the channel; the author keeps the page, as a draft", async () => {
    const { url, row } = await publishArticle();
    const readers = [await reader(null), await reader("bob")];
    const author = { page: await aliceContext.newPage() };
    const authorSocket = watchSocket(author.page);
    let channel = "";
    for (const r of readers) {
      await r.page.goto(url);
      channel = await articleChannelOn(r.page);
      await r.socket.subscribed(channel);
    }
    await author.page.goto(url);
    await authorSocket.subscribed(channel);

    await row.getByRole("button", { name: "Unpublish" }).click();

    for (const r of readers) {
      await r.page.getByRole("heading", { name: "This article is no longer available" }).waitFor({ timeout: LIVE_MS });
      await r.socket.unsubscribed(channel);
      expect(await r.page.locator(ERROR_MESSAGE).count()).toBe(0);
      expect(await r.page.getByLabel("Write a comment").count()).toBe(0);
      expect(r.errors).toEqual([]);
      // What reached the reader was an id, not the article.
      expect(JSON.stringify(r.socket.signalsOn(channel))).not.toContain("Readable for now");
    }
    // The author can still read her draft: same page, now marked as one, still on the channel.
    await author.page.getByText("Draft — only you can see this").waitFor({ timeout: LIVE_MS });
    expect(authorSocket.sent.some((p) => p.includes("pusher:unsubscribe") && p.includes(channel))).toBe(false);

    // A reload gives the readers the ordinary not-found page.
    await readers[0].page.reload();
    await readers[0].page.getByRole("heading", { name: "Not found" }).waitFor();
    await author.page.close();
  });
});

describe("a refused subscription", () => {
  it("is quiet: no error on the page or in the console, the page keeps working and the user's channel stays live", async () => {
    const { url, row } = await publishArticle();
    const bob = await reader("bob");
    await bob.page.goto(`${app.url}/dashboard/notifications`);
    const userChannel = await bob.socket.userChannel();

    // Hold bob's authorization of the article's channel until the article is no longer his to read. The tab asks
    // for its channels in one request, so his user channel's authorization may be held with it.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const authStatuses: number[] = [];
    await bob.page.route("**/api/realtime/auth", async (route: Route) => {
      const names = new URLSearchParams(route.request().postData() ?? "").getAll("channel_name");
      const article = names.find((name) => name.startsWith("private-resource.ARTICLE."));
      if (!article) return route.continue();
      await held;
      const response = await route.fetch();
      // One channel: the response's status is the channel's; several: each channel has its own answer.
      const batch = names.length > 1 ? ((await response.json()) as { channels: Record<string, { status?: number }> }) : null;
      authStatuses.push(batch ? (batch.channels[article]?.status ?? 200) : response.status());
      await route.fulfill({ response });
    });

    bob.socket.received.length = 0; // from here on, frames of the article page's connection only
    await bob.page.goto(url);
    const channel = await articleChannelOn(bob.page);
    // Everything the page reads has loaded before the article goes away (a read still in flight then would rightly
    // answer NOT_FOUND): the thread, every reaction bar and the bookmark button are ready.
    await bob.page.getByRole("heading", { name: /^Comments \(\d+\)$/ }).waitFor();
    await expect.poll(() => bob.page.locator('button[aria-pressed]:disabled').count(), { timeout: LIVE_MS }).toBe(0);
    expect(await bob.page.locator('[role="status"]', { hasText: "Loading" }).count()).toBe(0);
    await row.getByRole("button", { name: "Unpublish" }).click();
    await row.getByRole("button", { name: "Publish" }).waitFor({ timeout: LIVE_MS });
    release();
    await expect.poll(() => authStatuses.length, { timeout: LIVE_MS }).toBeGreaterThan(0);
    expect(new Set(authStatuses)).toEqual(new Set([403]));
    await bob.socket.subscribed(userChannel);

    // The rest of the tab is live: a notification for bob (alice comments on his public gist) still arrives.
    const before = await badgeCount(bob.page);
    const gists = await aliceContext.newPage();
    await gists.goto(`${app.url}/gists`);
    await gists.getByRole("link", { name: "debounce.ts" }).first().click();
    await gists.waitForURL(GIST_PAGE);
    await postComment(gists, unique("alice on bob's gist"));
    await expect.poll(() => badgeCount(bob.page), { timeout: LIVE_MS }).toBeGreaterThan(before);

    // Now that this connection has delivered something after the refusal: the refused channel never joined, and
    // nothing went wrong that bob can see or that the page logged. Chromium's own line about the refused request
    // is the network layer speaking, not the app.
    expect(bob.socket.received.some((p) => p.includes("subscription_succeeded") && p.includes(channel))).toBe(false);
    expect(await bob.page.locator(ERROR_MESSAGE).allTextContents()).toEqual([]);
    const networkLine = /^console: Failed to load resource: .*status of 403 .*\/api\/realtime\/auth$/;
    expect(bob.errors.filter((e) => !networkLine.test(e))).toEqual([]);
    await bob.page.getByRole("heading", { level: 1 }).first().waitFor();
    await gists.close();
  });
});

describe("a private gist", () => {
  it("its owner's page is on its channel; anyone else gets a 404 page, no subscription, and a 403 if they ask", async () => {
    const bob = await reader("bob");
    await bob.page.goto(`${app.url}/gists`);
    await bob.page.getByRole("link", { name: "notes.md" }).first().click();
    await bob.page.waitForURL(GIST_PAGE);
    const gistUrl = bob.page.url();
    const channel = `private-resource.GIST.${gistIdOf(gistUrl)}`;
    await bob.socket.subscribed(channel);
    expect(bob.errors).toEqual([]);

    const alice = await reader("alice");
    const authCalls: string[] = [];
    alice.page.on("request", (r) => {
      if (r.url().endsWith("/api/realtime/auth")) authCalls.push(r.postData() ?? "");
    });
    await alice.page.goto(gistUrl);
    await alice.page.getByRole("heading", { name: "Not found" }).waitFor();
    await alice.socket.userChannel(); // her tab is connected (own channel), yet never asks for the gist's
    expect(authCalls.some((body) => body.includes(encodeURIComponent(channel)) || body.includes(channel))).toBe(false);

    // Asking anyway, with her session cookie, from the app's origin: refused, and no signature.
    const res = await alice.page.context().request.post(`${app.url}/api/realtime/auth`, {
      form: { socket_id: "123.456", channel_name: channel },
      headers: { origin: app.url },
    });
    expect(res.status()).toBe(403);
    expect(await res.json()).not.toHaveProperty("auth");
  });
});


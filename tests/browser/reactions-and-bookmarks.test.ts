import { describe, expect, inject, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { LIVE_MS, articleChannelOn, articleIdOn, browserForFile, openPage, rowId, rowTestId } from "./live-support";

const app = inject("app");
const ARTICLE_URL = `${app.url}/@alice/hello-realtime`;
const chromium = browserForFile();

const signedIn = (user: string) => chromium.context(app.url, user);

/** Opens a page and waits until its tab is on the channel (the article's; by default the user's own). */
async function openOn(context: BrowserContext, url: string, channel?: (page: Page) => Promise<string>) {
  const tab = await openPage(context, url);
  if (channel) await tab.socket.subscribed(await channel(tab.page));
  else await tab.socket.userChannel();
  return tab;
}

const count = async (page: Page, testId: string) => Number(await page.getByTestId(testId).textContent());

describe("live reactions", () => {
  it("carol reacts to a comment: the count changes in her tab and on alice's open page without reload", async () => {
    const alice = await openOn(await signedIn("alice"), ARTICLE_URL, articleChannelOn);
    const carol = await openOn(await signedIn("carol"), ARTICLE_URL, articleChannelOn);

    // bob's seeded top-level comment; its FIRE button shows the count.
    const bobTop = alice.page.getByTestId(rowTestId("comment")).filter({ hasText: "Great intro. Does this work with several tabs open?" });
    const commentId = await rowId(bobTop, "comment");
    const button = `reaction-COMMENT-${commentId}-FIRE`;
    await alice.page.getByTestId(button).waitFor();
    await carol.page.getByTestId(button).waitFor();

    for (let i = 0; i < 2; i++) {
      const before = await count(alice.page, button);
      const pressed = (await carol.page.getByTestId(button).getAttribute("aria-pressed")) === "true";
      await carol.page.getByTestId(button).click();
      const expected = before + (pressed ? -1 : 1);
      // The writer's tab: from the signal its toggle returned (the broker skips that tab).
      await expect.poll(() => count(carol.page, button), { timeout: LIVE_MS }).toBe(expected);
      await expect.poll(() => carol.page.getByTestId(button).getAttribute("aria-pressed"), { timeout: LIVE_MS }).toBe(String(!pressed));
      await expect.poll(() => count(alice.page, button), { timeout: LIVE_MS }).toBe(expected);
    }
    // The signal named the comment, so only its bar refetched; it carried ids, never counts.
    const signals = alice.socket.signalsOn(await articleChannelOn(alice.page));
    expect(signals).toContainEqual({ scope: "reactions", ids: { resource_id: commentId, resource_type: "COMMENT" } });
    expect(alice.errors).toEqual([]);
    expect(carol.errors).toEqual([]);
  });
});

describe("live bookmarks across alice's tabs", () => {
  it("bookmarking in one tab updates that tab, the button in her other tab and her bookmarks page", async () => {
    const context = await signedIn("alice");
    const tab1 = await openOn(context, ARTICLE_URL);
    const tab2 = await openOn(context, ARTICLE_URL);
    const list = await openOn(context, `${app.url}/dashboard/bookmarks`);
    await list.page.getByRole("heading", { name: "Bookmarks" }).waitFor();
    const listed = list.page.getByRole("link", { name: "Hello, realtime" });

    const state = async (page: Page) => {
      const remove = page.getByRole("button", { name: "Remove bookmark" });
      const add = page.getByRole("button", { name: "Bookmark", exact: true });
      await expect.poll(async () => (await remove.count()) + (await add.count()), { timeout: LIVE_MS }).toBe(1);
      return (await remove.count()) === 1;
    };

    for (let i = 0; i < 2; i++) {
      const bookmarked = await state(tab1.page);
      expect(await state(tab2.page)).toBe(bookmarked);
      await tab1.page.getByRole("button", { name: bookmarked ? "Remove bookmark" : "Bookmark", exact: true }).click();
      // tab1 wrote: its button follows from the signal its action returned.
      await expect.poll(() => state(tab1.page), { timeout: LIVE_MS }).toBe(!bookmarked);
      await expect.poll(() => state(tab2.page), { timeout: LIVE_MS }).toBe(!bookmarked);
      await expect.poll(() => listed.count(), { timeout: LIVE_MS }).toBe(bookmarked ? 0 : 1);
    }
    // Then tab2 writes once: tab1 follows it live, as the second tab did.
    const bookmarked = await state(tab2.page);
    await tab2.page.getByRole("button", { name: bookmarked ? "Remove bookmark" : "Bookmark", exact: true }).click();
    await expect.poll(() => state(tab2.page), { timeout: LIVE_MS }).toBe(!bookmarked);
    await expect.poll(() => state(tab1.page), { timeout: LIVE_MS }).toBe(!bookmarked);
    await expect.poll(() => listed.count(), { timeout: LIVE_MS }).toBe(bookmarked ? 0 : 1);

    // The other tabs heard each write as a signal on alice's channel (not from a focus or poll refetch). tab1 heard
    // tab2's write only: its own two, which the broker skips, reached it through their results.
    const id = await articleIdOn(tab2.page);
    const signal = { scope: "bookmarks", ids: { resource_id: id } };
    const bookmarkSignals = async (tab: typeof tab1) =>
      tab.socket.signalsOn(await tab.socket.userChannel()).filter((d) => d.scope === "bookmarks");
    expect(await bookmarkSignals(list)).toEqual([signal, signal, signal]);
    expect(await bookmarkSignals(tab2)).toEqual([signal, signal]);
    expect(await bookmarkSignals(tab1)).toEqual([signal]);
    for (const tab of [tab1, tab2, list]) expect(tab.errors).toEqual([]);
  });
});

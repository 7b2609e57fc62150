import { describe, expect, inject, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { articleIdOn, browserForFile, watchErrors, watchSocket } from "./live-support";

const app = inject("app");
const ARTICLE_URL = `${app.url}/@alice/hello-realtime`;
const chromium = browserForFile();

const signedIn = (user: string) => chromium.context(app.url, user);

/** Opens a page and waits until its tab is on the channel (the article's; by default the user's own). */
async function openOn(context: BrowserContext, url: string, channel?: (page: Page) => Promise<string>) {
  const page = await context.newPage();
  const socket = watchSocket(page);
  const errors = watchErrors(page);
  await page.goto(url);
  if (channel) await socket.subscribed(await channel(page));
  else await socket.userChannel();
  return { page, socket, errors };
}

const count = async (page: Page, testId: string) => Number(await page.getByTestId(testId).textContent());

describe("live reactions", () => {
  it("carol reacts to a comment: the count changes on alice's open page without reload", async () => {
    const articleChannel = async (page: Page) => `private-resource.ARTICLE.${await articleIdOn(page)}`;
    const alice = await openOn(await signedIn("alice"), ARTICLE_URL, articleChannel);
    const carol = await openOn(await signedIn("carol"), ARTICLE_URL, articleChannel);

    // bob's seeded top-level comment; its UNICORN button shows the count.
    const bobTop = alice.page.getByTestId(/^comment-\d+$/).filter({ hasText: "Great intro. Does this work with several tabs open?" });
    const commentId = Number(/(\d+)$/.exec((await bobTop.getAttribute("data-testid"))!)![1]);
    const button = `reaction-COMMENT-${commentId}-FIRE`;
    await alice.page.getByTestId(button).waitFor();
    await carol.page.getByTestId(button).waitFor();

    for (let i = 0; i < 2; i++) {
      const before = await count(alice.page, button);
      const pressed = (await carol.page.getByTestId(button).getAttribute("aria-pressed")) === "true";
      await carol.page.getByTestId(button).click();
      const expected = before + (pressed ? -1 : 1);
      await expect.poll(() => count(carol.page, button), { timeout: 10_000 }).toBe(expected);
      await expect.poll(() => count(alice.page, button), { timeout: 10_000 }).toBe(expected);
    }
    // The signal named the comment, so only its bar refetched; it carried ids, never counts.
    const signals = alice.socket.signalsOn(await articleChannel(alice.page));
    expect(signals).toContainEqual({ scope: "reactions", ids: { resource_id: commentId, resource_type: "COMMENT" } });
    expect(alice.errors).toEqual([]);
    expect(carol.errors).toEqual([]);
  });
});

describe("live bookmarks across alice's tabs", () => {
  it("bookmarking in one tab updates the button in her second tab and her bookmarks page", async () => {
    const context = await signedIn("alice");
    const tab1 = await openOn(context, ARTICLE_URL);
    const tab2 = await openOn(context, ARTICLE_URL);
    const list = await openOn(context, `${app.url}/dashboard/bookmarks`);
    await list.page.getByRole("heading", { name: "Bookmarks" }).waitFor();
    const listed = list.page.getByRole("link", { name: "Hello, realtime" });

    const state = async (page: Page) => {
      const remove = page.getByRole("button", { name: "Remove bookmark" });
      const add = page.getByRole("button", { name: "Bookmark", exact: true });
      await expect.poll(async () => (await remove.count()) + (await add.count()), { timeout: 10_000 }).toBe(1);
      return (await remove.count()) === 1;
    };

    for (let i = 0; i < 2; i++) {
      const bookmarked = await state(tab1.page);
      expect(await state(tab2.page)).toBe(bookmarked);
      await tab1.page.getByRole("button", { name: bookmarked ? "Remove bookmark" : "Bookmark", exact: true }).click();
      await expect.poll(() => state(tab1.page), { timeout: 10_000 }).toBe(!bookmarked);
      await expect.poll(() => state(tab2.page), { timeout: 10_000 }).toBe(!bookmarked);
      await expect.poll(() => listed.count(), { timeout: 10_000 }).toBe(bookmarked ? 0 : 1);
    }
    // The other tabs heard it as a signal on alice's channel (not from a focus or poll refetch).
    const id = await articleIdOn(tab2.page);
    const signal = { scope: "bookmarks", ids: { resource_id: id } };
    for (const tab of [tab2, list]) {
      expect(tab.socket.signalsOn(await tab.socket.userChannel()).filter((d) => d.scope === "bookmarks")).toEqual([signal, signal]);
    }
    for (const tab of [tab1, tab2, list]) expect(tab.errors).toEqual([]);
  });
});

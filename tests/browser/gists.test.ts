import { describe, expect, inject, it } from "vitest";
import type { Page } from "playwright-core";
import { GIST_PAGE, LIVE_MS, SUBSCRIBE_MS, browserForFile, gistIdOf, openPage, unique, watchNavigations } from "./live-support";
import { channelCounter } from "./support/soketi-channels";

/**
 * Gists, live for their viewers and for the owner's own tab. The owner moves around by client-side navigation (the
 * navbar, links, the redirects after a save or a delete), so the pages he comes back to are answered from his tab's
 * query cache, which only the signals his own actions returned can have refreshed (the broker skips that tab).
 */
const app = inject("app");
const occupied = channelCounter(inject("soketi"));
const chromium = browserForFile();

const holders = async (channel: string) => (await occupied(channel))[channel] ?? 0;

/** Opens the gist list in a tab of `user`, for the client-side navigation the helpers below do. */
async function gistListOf(user: string) {
  const tab = await openPage(await chromium.context(app.url, user), `${app.url}/gists`);
  await tab.page.getByRole("heading", { name: "Gists" }).waitFor();
  await tab.page.getByRole("link", { name: "debounce.ts" }).first().waitFor(); // the list loaded
  return tab;
}

/** From the gist list: "New gist", the form, "Create gist"; returns the new gist's id (its page is open). */
async function createGist(page: Page, title: string, content: string): Promise<string> {
  await page.getByRole("link", { name: "New gist" }).click();
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Filename 1").fill(`${title}.ts`);
  await page.getByLabel("Content of file 1").fill(content);
  await page.getByRole("button", { name: "Create gist" }).click();
  await page.waitForURL(GIST_PAGE);
  await page.getByText(content).waitFor();
  return gistIdOf(page.url());
}

/** The navbar's "Gists", then back into the gist from the list: the list must already show it. */
async function throughList(page: Page, id: string, title: string) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Gists" }).click();
  await page.waitForURL(/\/gists$/);
  const listed = page.getByTestId(`gist-${id}`);
  await listed.waitFor({ timeout: LIVE_MS });
  await listed.getByRole("link", { name: title }).click();
  await page.waitForURL(new RegExp(`/gists/${id}$`));
}

/** On the gist's page: "Edit", the change, "Save gist", back on the gist's page. */
async function editGist(page: Page, id: string, change: (page: Page) => Promise<void>) {
  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await page.waitForURL(new RegExp(`/gists/${id}/edit$`));
  await change(page);
  await page.getByRole("button", { name: "Save gist" }).click();
  await page.waitForURL(new RegExp(`/gists/${id}$`));
}

describe("gists, live for their viewers and their owner's tab", () => {
  it("bob edits a public gist while alice views it; then makes it private, and alice's page lets go", async () => {
    const bob = await gistListOf("bob");
    const title = unique("gist").replace(/\s+/g, "-");
    const id = await createGist(bob.page, title, "export const version = 1;");
    // bob's list (loaded before the create, still fresh in his tab's cache) lists it: the create's signal.
    await throughList(bob.page, id, title);
    await bob.page.getByText("export const version = 1;").waitFor();
    const channel = `private-resource.GIST.${id}`;

    const alice = await openPage(await chromium.context(app.url, "alice"), `${app.url}/gists/${id}`);
    await alice.page.getByText("export const version = 1;").waitFor();
    await expect.poll(() => holders(channel), { timeout: SUBSCRIBE_MS }).toBe(2); // bob's page and alice's
    const navigations = watchNavigations(alice.page);

    // Edited: alice's page from the broker; bob's, whose cache holds version 1, from the signal his save returned.
    await editGist(bob.page, id, (p) => p.getByLabel("Content of file 1").fill("export const version = 2;"));
    await bob.page.getByText("export const version = 2;").waitFor({ timeout: LIVE_MS });
    expect(await bob.page.getByText("export const version = 1;").count()).toBe(0);
    await alice.page.getByText("export const version = 2;").waitFor({ timeout: LIVE_MS });

    // Made private: gone for alice; still there for bob, marked private.
    await editGist(bob.page, id, (p) => p.getByLabel(/^Public/).uncheck());
    await bob.page.getByText("Private", { exact: true }).waitFor({ timeout: LIVE_MS });
    await alice.page.getByText("This gist was deleted or made private.").waitFor({ timeout: LIVE_MS });
    expect(await alice.page.getByText("export const version = 2;").count()).toBe(0);
    // Alice left the channel: only bob's own page holds it now.
    await expect.poll(() => holders(channel), { timeout: LIVE_MS }).toBe(1);
    expect(navigations).toEqual([]);
    expect(alice.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
  });

  it("bob deletes a gist while alice views it: she sees it was deleted, not an error page; his list drops it", async () => {
    const bob = await gistListOf("bob");
    const title = unique("doomed").replace(/\s+/g, "-");
    const id = await createGist(bob.page, title, "soon gone");
    await throughList(bob.page, id, title); // now his cached list holds it
    const channel = `private-resource.GIST.${id}`;

    const alice = await openPage(await chromium.context(app.url, null), `${app.url}/gists/${id}`); // anonymous
    await alice.page.getByText("soon gone").waitFor();
    await expect.poll(() => holders(channel), { timeout: SUBSCRIBE_MS }).toBe(2);

    await bob.page.getByRole("button", { name: "Delete" }).click();
    await bob.page.getByRole("button", { name: "Yes, remove it" }).click();
    await bob.page.waitForURL(/\/gists$/);
    // bob's list, which held the gist a moment ago, drops it: the delete's signal.
    await bob.page.getByTestId(`gist-${id}`).waitFor({ state: "detached", timeout: LIVE_MS });
    await bob.page.getByRole("link", { name: "debounce.ts" }).first().waitFor();

    await alice.page.getByRole("heading", { name: /This gist was deleted/ }).waitFor({ timeout: LIVE_MS });
    // A notice in the page, not the error boundary or a 404 page.
    expect(await alice.page.getByText(/No such gist|Something went wrong|does not exist/i).count()).toBe(0);
    await alice.page.getByRole("link", { name: "Browse gists" }).waitFor();
    await expect.poll(() => holders(channel), { timeout: LIVE_MS }).toBe(0);
    expect(alice.errors).toEqual([]);
  });
});

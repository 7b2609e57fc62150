import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchChromium, signIn } from "../helpers/chromium";
import { channelCounter } from "./support/soketi-channels";

const app = inject("app");
const occupied = channelCounter(inject("soketi"));
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

const holders = async (channel: string) => (await occupied(channel))[channel] ?? 0;

async function createGist(page: Page, title: string, content: string): Promise<number> {
  await page.goto(`${app.url}/gists/new`);
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Filename 1").fill(`${title}.ts`);
  await page.getByLabel("Content of file 1").fill(content);
  await page.getByRole("button", { name: "Create gist" }).click();
  await page.waitForURL(/\/gists\/\d+$/);
  return Number(new URL(page.url()).pathname.split("/").pop());
}

async function editGist(page: Page, id: number, change: (page: Page) => Promise<void>) {
  await page.goto(`${app.url}/gists/${id}/edit`);
  await change(page);
  await page.getByRole("button", { name: "Save gist" }).click();
  await page.waitForURL(new RegExp(`/gists/${id}$`));
}

describe("gists, live for their viewers", () => {
  it("bob edits a public gist while alice views it; then makes it private, and alice's page lets go", async () => {
    const bob = await browser.newContext();
    await signIn(bob, app.url, "bob");
    const bobPage = await bob.newPage();
    const title = `p4-gist-${Date.now()}`;
    const id = await createGist(bobPage, title, "export const version = 1;");
    const channel = `private-resource.GIST.${id}`;

    const alice = await browser.newContext();
    await signIn(alice, app.url, "alice");
    const alicePage = await alice.newPage();
    await alicePage.goto(`${app.url}/gists/${id}`);
    await alicePage.getByText("export const version = 1;").waitFor();
    await expect.poll(() => holders(channel), { timeout: 15_000 }).toBe(2); // bob's page and alice's
    const navigations: string[] = [];
    alicePage.on("framenavigated", (f) => f === alicePage.mainFrame() && navigations.push(f.url()));

    await editGist(bobPage, id, (p) => p.getByLabel("Content of file 1").fill("export const version = 2;"));
    await alicePage.getByText("export const version = 2;").waitFor({ timeout: 10_000 });

    await editGist(bobPage, id, (p) => p.getByLabel(/^Public/).uncheck());
    await alicePage.getByText("This gist was deleted or made private.").waitFor({ timeout: 10_000 });
    expect(await alicePage.getByText("export const version = 2;").count()).toBe(0);
    // Alice left the channel: only bob's own page holds it now.
    await expect.poll(() => holders(channel), { timeout: 10_000 }).toBe(1);
    expect(navigations).toEqual([]);

    await alice.close();
    await bob.close();
  });

  it("bob deletes a gist while alice views it: she sees it was deleted, not an error page", async () => {
    const bob = await browser.newContext();
    await signIn(bob, app.url, "bob");
    const bobPage = await bob.newPage();
    const id = await createGist(bobPage, `p4-doomed-${Date.now()}`, "soon gone");

    const alice = await browser.newContext();
    const alicePage = await alice.newPage(); // anonymous
    await alicePage.goto(`${app.url}/gists/${id}`);
    await alicePage.getByText("soon gone").waitFor();
    await expect.poll(() => holders(`private-resource.GIST.${id}`), { timeout: 15_000 }).toBe(2);

    await bobPage.getByRole("button", { name: "Delete" }).click();
    await bobPage.getByRole("button", { name: "Yes, remove it" }).click();
    await bobPage.waitForURL(/\/gists$/);

    await alicePage.getByRole("heading", { name: /This gist was deleted/ }).waitFor({ timeout: 10_000 });
    // A notice in the page, not the error boundary or a 404 page.
    expect(await alicePage.getByText(/No such gist|Something went wrong|does not exist/i).count()).toBe(0);
    await alicePage.getByRole("link", { name: "Browse gists" }).waitFor();
    await expect.poll(() => holders(`private-resource.GIST.${id}`), { timeout: 10_000 }).toBe(0);

    await alice.close();
    await bob.close();
  });
});

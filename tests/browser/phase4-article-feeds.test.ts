import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchChromium, signIn } from "../helpers/chromium";
import { channelCounter } from "./support/soketi-channels";

/**
 * Needs the article actions to call publishArticleFeedSignals (profile, tag and home feed signals) after each
 * write; without that wiring, the lists below stay as they were loaded.
 */
const app = inject("app");
const occupied = channelCounter(inject("soketi"));
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

const total = async (prefix: string) => Object.values(await occupied(prefix)).reduce((a, b) => a + b, 0);

function watchNavigations(page: Page): string[] {
  const list: string[] = [];
  page.on("framenavigated", (f) => f === page.mainFrame() && list.push(f.url()));
  return list;
}

describe("public article feeds", () => {
  it("alice publishes: an open tag page and her profile list it without reload; the home page shows the pill", async () => {
    const [tagsBefore, profilesBefore, feedBefore] = await Promise.all([total("tag."), total("profile."), total("feed.")]);
    const visitor = await browser.newContext(); // anonymous: public channels need no sign-in
    const tagPage = await visitor.newPage();
    await tagPage.goto(`${app.url}/tags/nextjs`);
    // Each list loaded (alice's seeded article is on all three) before anything changes.
    await tagPage.getByText("Hello, realtime").first().waitFor();
    const profilePage = await visitor.newPage();
    await profilePage.goto(`${app.url}/@alice`);
    await profilePage.getByText("Hello, realtime").first().waitFor();
    const homePage = await visitor.newPage();
    await homePage.goto(`${app.url}/`);
    await homePage.getByText("Hello, realtime").first().waitFor();
    await expect
      .poll(async () => [await total("tag."), await total("profile."), await total("feed.")], { timeout: 15_000 })
      .toEqual([tagsBefore + 1, profilesBefore + 1, feedBefore + 1]);
    const navigations = [tagPage, profilePage, homePage].map(watchNavigations);

    const alice = await browser.newContext();
    await signIn(alice, app.url, "alice");
    const dashboard = await alice.newPage();
    await dashboard.goto(`${app.url}/dashboard`);
    const title = `Feeds live ${Date.now()}`;
    await dashboard.getByRole("button", { name: "New article" }).click();
    await dashboard.getByLabel("Title").fill(title);
    await dashboard.getByLabel("Tags").fill("nextjs");
    await dashboard.getByLabel("Body").fill("Published while the feeds were open.");
    await dashboard.getByRole("button", { name: "Create article" }).click();
    const mine = dashboard.getByTestId(/^my-article-\d+$/).filter({ hasText: title });
    await mine.waitFor();

    // A draft is silent on public channels: nothing appears yet.
    await tagPage.waitForTimeout(1000);
    expect(await tagPage.getByText(title).count()).toBe(0);
    expect(await homePage.getByRole("button", { name: "New articles" }).count()).toBe(0);

    await mine.getByRole("button", { name: "Publish" }).click();
    await mine.getByText("Published", { exact: true }).waitFor();

    await tagPage.getByText(title).waitFor({ timeout: 10_000 });
    await profilePage.getByText(title).waitFor({ timeout: 10_000 });
    // The home page only offers the news; the list is unchanged until the visitor asks.
    const pill = homePage.getByRole("button", { name: "New articles" });
    await pill.waitFor({ timeout: 15_000 });
    expect(await homePage.getByText(title).count()).toBe(0);
    await pill.click();
    await homePage.getByText(title).waitFor({ timeout: 10_000 });
    await pill.waitFor({ state: "detached" });
    expect(navigations).toEqual([[], [], []]);

    await alice.close();
    await visitor.close();
  });
});

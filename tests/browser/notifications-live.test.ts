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

async function badgeCount(page: Page): Promise<number> {
  const badge = page.getByTestId("unread-badge");
  if ((await badge.count()) === 0) return 0;
  return Number((await badge.textContent())?.trim() ?? "0");
}

describe("Phase 1: live notifications", () => {
  it("bob's comment raises alice's badge and lists in her open notifications page, without a reload", async () => {
    const before = await occupied("private-user.");
    const alice = await browser.newContext();
    await signIn(alice, app.url, "alice");
    const home = await alice.newPage();
    await home.goto(`${app.url}/`);
    const inbox = await alice.newPage();
    await inbox.goto(`${app.url}/dashboard/notifications`);
    await inbox.getByRole("heading", { name: "Notifications" }).waitFor();

    // Both tabs of alice hold her user channel before bob acts (the broker counts them).
    let aliceChannel = "";
    await expect
      .poll(
        async () => {
          const now = await occupied("private-user.");
          aliceChannel = Object.keys(now).find((c) => now[c] - (before[c] ?? 0) >= 2) ?? "";
          return aliceChannel;
        },
        { timeout: 15_000 },
      )
      .not.toBe("");

    const initial = await badgeCount(home);
    const homeNavigations: string[] = [];
    home.on("framenavigated", (f) => f === home.mainFrame() && homeNavigations.push(f.url()));

    const bob = await browser.newContext();
    await signIn(bob, app.url, "bob");
    const bobPage = await bob.newPage();
    await bobPage.goto(`${app.url}/@alice/hello-realtime`);
    const body = `Live notification check ${Date.now()}`;
    await bobPage.getByLabel("Write a comment").fill(body);
    await bobPage.getByRole("button", { name: "Post comment" }).click();
    await bobPage.getByTestId(/^comment-\d+$/).filter({ hasText: body }).waitFor({ timeout: 15_000 });

    await expect.poll(() => badgeCount(home), { timeout: 15_000 }).toBe(initial + 1);
    await inbox.getByTestId(/^notification-\d+$/).filter({ hasText: body }).waitFor({ timeout: 15_000 });
    // Neither of alice's tabs reloaded to get there.
    expect(homeNavigations).toEqual([]);

    await bob.close();
    await alice.close();
  });
});

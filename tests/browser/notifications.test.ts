import { describe, expect, inject, it } from "vitest";
import { LIVE_MS, SUBSCRIBE_MS, UUID, badgeCount, browserForFile, postComment, rowTestId, unique, watchNavigations } from "./live-support";
import { channelCounter } from "./support/soketi-channels";

const app = inject("app");
const occupied = channelCounter(inject("soketi"));
const chromium = browserForFile();

describe("live notifications", () => {
  it("bob's comment raises alice's badge and lists in her open notifications page, without a reload; marking it read there clears it in both tabs", async () => {
    const before = await occupied("private-user.");
    const alice = await chromium.context(app.url, "alice");
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
        { timeout: SUBSCRIBE_MS },
      )
      .not.toBe("");
    expect(aliceChannel).toMatch(new RegExp(`^private-user\\.${UUID}$`));

    const initial = await badgeCount(home);
    const navigations = [home, inbox].map(watchNavigations);

    const bobPage = await (await chromium.context(app.url, "bob")).newPage();
    await bobPage.goto(`${app.url}/@alice/hello-realtime`);
    const body = unique("Live notification check");
    await postComment(bobPage, body);

    await expect.poll(() => badgeCount(home), { timeout: LIVE_MS }).toBe(initial + 1);
    const item = inbox.getByTestId(rowTestId("notification")).filter({ hasText: body });
    await item.waitFor({ timeout: LIVE_MS });
    expect(await item.getAttribute("data-read")).toBe("false");
    await expect.poll(() => badgeCount(inbox), { timeout: LIVE_MS }).toBe(initial + 1);

    // alice marks it read in the inbox: that tab updates from the signal its action returned (the broker skips it),
    // her home tab from the broker.
    await item.getByRole("button", { name: "Mark read" }).click();
    await expect.poll(() => item.getAttribute("data-read"), { timeout: LIVE_MS }).toBe("true");
    await expect.poll(() => badgeCount(inbox), { timeout: LIVE_MS }).toBe(initial);
    await expect.poll(() => badgeCount(home), { timeout: LIVE_MS }).toBe(initial);
    // Neither of alice's tabs reloaded to get there.
    expect(navigations).toEqual([[], []]);
  });
});

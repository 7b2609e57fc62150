import { describe, expect, inject, it } from "vitest";
import { LIVE_MS, SUBSCRIBE_MS, UUID, browserForFile, rowTestId, watchNavigations } from "./live-support";
import { brokerClient, channelCounter } from "./support/soketi-channels";
import { recordFrames, signalsOn, subscribedChannels } from "./support/ws-frames";

const app = inject("app");
const soketi = inject("soketi");
const occupied = channelCounter(soketi);
const broker = brokerClient(soketi);
const chromium = browserForFile();

const FIREFOX_ON_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0";
const SESSION = rowTestId("session");

describe("sessions, live on every device", () => {
  it("a new sign-in appears on device 1; revoking device 2 there signs it out and it hears nothing more", async () => {
    // Device 1: alice's sessions page.
    const device1 = await chromium.context(app.url, "alice");
    const page1 = await device1.newPage();
    const frames1 = recordFrames(page1);
    await page1.goto(`${app.url}/dashboard/sessions`);
    // Loaded first: a signal that lands while a query's very first fetch is in flight joins that fetch (TanStack
    // cancels in-flight refetches only once a query has data), so it could be answered by pre-write data.
    await page1.getByTestId(SESSION).filter({ hasText: "This device" }).waitFor();
    const userChannel = () => subscribedChannels(frames1).find((c) => c.startsWith("private-user."));
    await expect.poll(userChannel, { timeout: SUBSCRIBE_MS }).toBeTruthy();
    const aliceChannel = userChannel()!;
    expect(aliceChannel).toMatch(new RegExp(`^private-user\\.${UUID}$`));
    await expect.poll(async () => (await occupied(aliceChannel))[aliceChannel] ?? 0, { timeout: SUBSCRIBE_MS }).toBeGreaterThanOrEqual(1);

    // Device 2 signs in: device 1's list shows it without a reload.
    const device2 = await chromium.context(app.url, "alice", { userAgent: FIREFOX_ON_WINDOWS });
    const page2 = await device2.newPage();
    const frames2 = recordFrames(page2);
    await page2.goto(`${app.url}/dashboard/sessions`);
    const own = page2.getByTestId(SESSION).filter({ hasText: "This device" });
    await own.waitFor();
    const sessionTestId = (await own.getAttribute("data-testid"))!;
    const navigations1 = watchNavigations(page1);
    await page1.getByTestId(sessionTestId).waitFor({ timeout: LIVE_MS });
    expect(await page1.getByTestId(sessionTestId).textContent()).toContain("Firefox on Windows");

    // Both devices now hold alice's channel.
    await expect.poll(() => subscribedChannels(frames2), { timeout: SUBSCRIBE_MS }).toContain(aliceChannel);
    await expect.poll(async () => (await occupied(aliceChannel))[aliceChannel] ?? 0, { timeout: SUBSCRIBE_MS }).toBeGreaterThanOrEqual(2);
    const heldBefore = (await occupied(aliceChannel))[aliceChannel] ?? 0;

    // Device 1 revokes device 2: device 2 signs out (from the broker), device 1's list drops it (from the signal
    // its own revoke returned: the broker skips device 1's tab).
    const revokedAt = Date.now();
    await page1.getByTestId(sessionTestId).getByRole("button", { name: "Revoke" }).click();
    await page2.waitForURL(/\/login$/, { timeout: LIVE_MS });
    const signedOutMs = Date.now() - revokedAt;
    await page2.getByRole("button", { name: "Sign in as alice" }).waitFor();
    await expect(page2.getByRole("button", { name: "Sign out" }).count()).resolves.toBe(0);
    await page1.getByTestId(sessionTestId).waitFor({ state: "detached", timeout: LIVE_MS });
    expect(navigations1).toEqual([]);

    // The broker dropped device 2's subscription; device 1 still holds its own.
    await expect.poll(async () => (await occupied(aliceChannel))[aliceChannel] ?? 0, { timeout: LIVE_MS }).toBe(heldBefore - 1);

    // A signal on alice's channel now reaches device 1 only. Device 1 got it, so device 2 would have by now.
    const markerAt = Date.now();
    await broker.trigger(aliceChannel, "invalidate", { scope: "notifications" });
    await expect.poll(() => signalsOn(frames1, aliceChannel, markerAt).length, { timeout: LIVE_MS }).toBe(1);
    await page2.waitForTimeout(500);
    const after = signalsOn(frames2, "private-user.", revokedAt + signedOutMs);
    expect(after).toEqual([]);
    // And the dead session is really dead: the dashboard sends device 2 to sign in.
    await page2.goto(`${app.url}/dashboard/sessions`);
    await page2.waitForURL(/\/login\?next=/);
    console.info(`[sessions] revoked device signed out ${signedOutMs} ms after the click`);

    // Signing out from the navbar still works as before on device 1 (its own logout signal does not loop back).
    await page1.getByRole("button", { name: "Sign out" }).click();
    await page1.getByRole("link", { name: "Sign in" }).waitFor({ timeout: LIVE_MS });
    await expect.poll(async () => (await occupied(aliceChannel))[aliceChannel] ?? 0, { timeout: LIVE_MS }).toBe(heldBefore - 2);
  });
});

import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchChromium, signIn } from "../helpers/chromium";
import { brokerClient, channelCounter } from "./support/soketi-channels";
import { recordFrames, signalsOn, subscribedChannels } from "./support/ws-frames";

const app = inject("app");
const soketi = inject("soketi");
const occupied = channelCounter(soketi);
const broker = brokerClient(soketi);
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

const FIREFOX_ON_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0";

describe("sessions, live on every device", () => {
  it("a new sign-in appears on device 1; revoking device 2 signs it out and it hears nothing more", async () => {
    // Device 1: alice's sessions page.
    const device1 = await browser.newContext();
    await signIn(device1, app.url, "alice");
    const page1 = await device1.newPage();
    const frames1 = recordFrames(page1);
    await page1.goto(`${app.url}/dashboard/sessions`);
    // Loaded first: a signal that lands while a query's very first fetch is in flight joins that fetch (TanStack
    // cancels in-flight refetches only once a query has data), so it could be answered by pre-write data.
    await page1.getByTestId(/^session-\d+$/).filter({ hasText: "This device" }).waitFor();
    await expect.poll(() => subscribedChannels(frames1).find((c) => c.startsWith("private-user.")), { timeout: 15_000 }).toBeTruthy();
    const aliceChannel = subscribedChannels(frames1).find((c) => c.startsWith("private-user."))!;
    await expect.poll(async () => (await occupied(aliceChannel))[aliceChannel] ?? 0, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);

    // Device 2 signs in: device 1's list shows it without a reload.
    const device2 = await browser.newContext({ userAgent: FIREFOX_ON_WINDOWS });
    await signIn(device2, app.url, "alice");
    const page2 = await device2.newPage();
    const frames2 = recordFrames(page2);
    await page2.goto(`${app.url}/dashboard/sessions`);
    const own = page2.getByTestId(/^session-\d+$/).filter({ hasText: "This device" });
    await own.waitFor();
    const sessionTestId = (await own.getAttribute("data-testid"))!;
    const navigations1: string[] = [];
    page1.on("framenavigated", (f) => f === page1.mainFrame() && navigations1.push(f.url()));
    await page1.getByTestId(sessionTestId).waitFor({ timeout: 15_000 });
    expect(await page1.getByTestId(sessionTestId).textContent()).toContain("Firefox on Windows");

    // Both devices now hold alice's channel.
    await expect.poll(() => subscribedChannels(frames2)).toContain(aliceChannel);
    await expect.poll(async () => (await occupied(aliceChannel))[aliceChannel] ?? 0, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    const heldBefore = (await occupied(aliceChannel))[aliceChannel] ?? 0;

    // Device 1 revokes device 2.
    const revokedAt = Date.now();
    await page1.getByTestId(sessionTestId).getByRole("button", { name: "Revoke" }).click();
    await page2.waitForURL(/\/login$/, { timeout: 10_000 });
    const signedOutMs = Date.now() - revokedAt;
    await page2.getByRole("button", { name: "Sign in as alice" }).waitFor();
    await expect(page2.getByRole("button", { name: "Sign out" }).count()).resolves.toBe(0);
    await page1.getByTestId(sessionTestId).waitFor({ state: "detached", timeout: 10_000 });
    expect(navigations1).toEqual([]);

    // The broker dropped device 2's subscription; device 1 still holds its own.
    await expect.poll(async () => (await occupied(aliceChannel))[aliceChannel] ?? 0, { timeout: 10_000 }).toBe(heldBefore - 1);

    // A signal on alice's channel now reaches device 1 only. Device 1 got it, so device 2 would have by now.
    const markerAt = Date.now();
    await broker.trigger(aliceChannel, "invalidate", { scope: "notifications" });
    await expect.poll(() => signalsOn(frames1, aliceChannel, markerAt).length, { timeout: 10_000 }).toBe(1);
    await page2.waitForTimeout(500);
    const after = signalsOn(frames2, "private-user.", revokedAt + signedOutMs);
    expect(after).toEqual([]);
    // And the dead session is really dead: the dashboard sends device 2 to sign in.
    await page2.goto(`${app.url}/dashboard/sessions`);
    await page2.waitForURL(/\/login\?next=/);
    console.info(`[phase4] revoked device signed out ${signedOutMs} ms after the click`);

    // Signing out from the navbar still works as before on device 1 (its own logout signal does not loop back).
    await page1.getByRole("button", { name: "Sign out" }).click();
    await page1.getByRole("link", { name: "Sign in" }).waitFor({ timeout: 10_000 });
    await expect.poll(async () => (await occupied(aliceChannel))[aliceChannel] ?? 0, { timeout: 10_000 }).toBe(heldBefore - 2);

    await device2.close();
    await device1.close();
  });
});

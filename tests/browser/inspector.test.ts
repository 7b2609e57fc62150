import { describe, expect, inject, it } from "vitest";
import { LIVE_MS, UUID, articleChannelOn, browserForFile, openPage } from "./live-support";
import { brokerClient } from "./support/soketi-channels";

/**
 * The development realtime inspector (src/components/realtime/RealtimeInspector.tsx), in the one production-mode
 * build that includes it: the browser-test build sets NEXT_PUBLIC_REALTIME_INSPECTOR=1 (tests/helpers/app-server.ts).
 * Signals are published straight to the test broker, as the app's publisher would send them.
 *
 * REALTIME_INSPECTOR_SCREENSHOT=docs/images/realtime-inspector.png also saves the open inspector as a PNG (the
 * README's picture; generated once, by hand, not on every run).
 */
const app = inject("app");
const soketi = inject("soketi");
const ARTICLE_URL = `${app.url}/@alice/hello-realtime`;
const chromium = browserForFile();

describe("the realtime inspector", () => {
  it("opens from the status indicator, lists arriving signals with their fate and keys, and resyncs on demand", async () => {
    const context = await chromium.context(app.url, "alice", { viewport: { width: 1100, height: 900 } });
    const { page, socket, errors } = await openPage(context, ARTICLE_URL);
    await page.getByRole("heading", { name: "Hello, realtime" }).waitFor();
    const channel = await articleChannelOn(page);
    await socket.subscribed(channel);
    const userChannel = await socket.userChannel();
    const articleId = channel.slice("private-resource.ARTICLE.".length);

    // Opened from the navbar's indicator (its chunk loads now, not with the page).
    const inspector = page.getByTestId("realtime-inspector");
    expect(await inspector.count()).toBe(0);
    await page.getByTestId("realtime-inspector-toggle").click();
    await inspector.waitFor();
    expect(await inspector.getByTestId("inspector-status").textContent()).toBe("connected");
    expect(await inspector.getByTestId("inspector-socket-id").textContent()).toMatch(/^\d+\.\d+$/);
    const held = inspector.getByTestId("inspector-channels");
    await held.locator(`[data-channel="${channel}"]`).waitFor();
    await held.locator(`[data-channel="${userChannel}"]`).waitFor();

    // Signals as the publisher sends them: applied, then more for the same key merged into the pending refetch,
    // one for another scope, and one the tab cannot use.
    const broker = brokerClient(soketi);
    const comments = { scope: "comments", ids: { resource_id: articleId, resource_type: "ARTICLE" } };
    await broker.trigger(channel, "invalidate", comments);
    const entries = inspector.getByTestId("inspector-entry");
    const applied = entries.and(page.locator(`[data-kind="signal"][data-scope="comments"][data-channel="${channel}"]`));
    await applied.first().waitFor({ timeout: LIVE_MS });
    expect(await applied.first().getAttribute("data-fate")).toBe("applied");
    expect(await applied.first().getByTestId("inspector-entry-keys").textContent()).toContain(JSON.stringify(["comments", articleId, "ARTICLE"]));

    // Two more for the same key in one broker call: they arrive back to back, so the second finds the first's
    // refetch in flight (or queued) whatever the machine's speed, and is merged into it.
    await broker.triggerBatch([
      { channel, name: "invalidate", data: comments },
      { channel, name: "invalidate", data: comments },
    ]);
    await broker.trigger(channel, "invalidate", { scope: "reactions", ids: { resource_id: articleId, resource_type: "ARTICLE" } });
    await broker.trigger(channel, "invalidate", { scope: "no-such-scope" });
    const ignored = entries.and(page.locator('[data-fate="ignored"][data-scope="no-such-scope"]'));
    await ignored.waitFor({ timeout: LIVE_MS });
    expect(await ignored.textContent()).toContain('unknown scope "no-such-scope"');
    await entries.and(page.locator('[data-scope="reactions"]')).waitFor();
    expect(await applied.count()).toBe(3);
    expect(await applied.first().getAttribute("data-fate")).toBe("coalesced"); // newest first

    // "Resync now": one manual resync per held channel, with the keys it refreshed.
    await inspector.getByRole("button", { name: "Resync now" }).click();
    const resynced = entries.and(page.locator(`[data-kind="resync"][data-channel="${channel}"]`));
    await resynced.waitFor();
    expect(await resynced.textContent()).toContain("manual");
    expect(await resynced.getByTestId("inspector-entry-keys").textContent()).toContain(JSON.stringify(["comments", articleId, "ARTICLE"]));
    await entries.and(page.locator(`[data-kind="resync"][data-channel="${userChannel}"]`)).waitFor();

    const screenshot = process.env.REALTIME_INSPECTOR_SCREENSHOT;
    if (screenshot) {
      await page.mouse.move(0, 0);
      await page.screenshot({ path: screenshot });
    }

    // Alt+R closes it (and opens it again).
    await page.keyboard.press("Alt+KeyR");
    await inspector.waitFor({ state: "detached" });
    await page.keyboard.press("Alt+KeyR");
    await inspector.waitFor();

    expect(errors).toEqual([]);
    expect(new RegExp(`^private-user\\.${UUID}$`).test(userChannel)).toBe(true);
  });
});

import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchChromium, signIn } from "../helpers/chromium";

const app = inject("app");
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

describe("commenting on an article", () => {
  it("alice posts a comment on her article and sees it once the action completes", async () => {
    const context = await browser.newContext();
    await signIn(context, app.url, "alice");
    const page = await context.newPage();
    await page.goto(`${app.url}/@alice/hello-realtime`);
    await page.getByRole("heading", { name: "Hello, realtime" }).waitFor();

    const body = `A comment from the browser test ${Date.now()}`;
    const textarea = page.getByLabel("Write a comment");
    await textarea.fill(body);
    await page.getByRole("button", { name: "Post comment" }).click();

    const posted = page.getByTestId(/^comment-\d+$/).filter({ hasText: body });
    await posted.waitFor({ timeout: 15_000 });
    expect(await posted.count()).toBe(1);
    // The form is ready for the next comment; the text was not left behind.
    await expect.poll(() => textarea.inputValue()).toBe("");

    // It was persisted, not just rendered optimistically.
    await page.reload();
    await page.getByTestId(/^comment-\d+$/).filter({ hasText: body }).waitFor();
    await context.close();
  });
});

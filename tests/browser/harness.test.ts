import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchChromium, signIn } from "../helpers/chromium";

const app = inject("app");
const soketi = inject("soketi");
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

describe("browser harness", () => {
  it("serves the production build with the seeded demo users on /login", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const res = await page.goto(`${app.url}/login`);
    expect(res?.status()).toBe(200);
    for (const name of ["alice", "bob", "carol"]) {
      await page.getByRole("button", { name: `Sign in as ${name}` }).waitFor();
    }
    await context.close();
  });

  it("signs in through the login form", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app.url}/login?next=/login`);
    await page.getByRole("button", { name: "Sign in as bob" }).click();
    await page.waitForURL(`${app.url}/login`);
    const cookies = await context.cookies(app.url);
    expect(cookies.find((c) => c.name === "session_token")).toMatchObject({ httpOnly: true, sameSite: "Lax" });
    await context.close();
  });

  it("signs a context in through the helper", async () => {
    const context = await browser.newContext();
    await signIn(context, app.url, "carol");
    expect((await context.cookies(app.url)).map((c) => c.name)).toContain("session_token");
    await context.close();
  });

  it("runs a real Soketi beside the app", async () => {
    const res = await fetch(`http://${soketi.host}:${soketi.port}/`);
    expect(await res.text()).toBe("OK");
    expect(soketi.env.PUSHER_PORT).toBe(String(soketi.port));
  });
});

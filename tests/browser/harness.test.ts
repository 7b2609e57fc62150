import { describe, expect, inject, it } from "vitest";
import { signIn } from "../helpers/chromium";
import { browserForFile } from "./live-support";

const app = inject("app");
const soketi = inject("soketi");
const chromium = browserForFile();

describe("browser harness", () => {
  it("serves the production build with the seeded demo users on /login", async () => {
    const context = await chromium.context(app.url, null);
    const page = await context.newPage();
    const res = await page.goto(`${app.url}/login`);
    expect(res?.status()).toBe(200);
    for (const name of ["alice", "bob", "carol"]) {
      await page.getByRole("button", { name: `Sign in as ${name}` }).waitFor();
    }
  });

  it("signs in through the login form", async () => {
    const context = await chromium.context(app.url, null);
    const page = await context.newPage();
    await page.goto(`${app.url}/login?next=/login`);
    await page.getByRole("button", { name: "Sign in as bob" }).click();
    await page.waitForURL(`${app.url}/login`);
    const cookies = await context.cookies(app.url);
    expect(cookies.find((c) => c.name === "session_token")).toMatchObject({ httpOnly: true, sameSite: "Lax" });
  });

  it("signs a context in through the helper", async () => {
    const context = await chromium.context(app.url, null);
    await signIn(context, app.url, "carol");
    expect((await context.cookies(app.url)).map((c) => c.name)).toContain("session_token");
  });

  it("runs a real Soketi beside the app", async () => {
    const res = await fetch(`http://${soketi.host}:${soketi.port}/`);
    expect(await res.text()).toBe("OK");
    expect(soketi.env.PUSHER_PORT).toBe(String(soketi.port));
  });
});

import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext } from "playwright-core";

export const CHROMIUM_INSTALL = "apt-get update && apt-get install -y chromium";

/** Debian's Chromium (or CHROMIUM_PATH); playwright's own browser download cannot work on this network. */
export function findChromium(): string {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium"].filter((p): p is string => Boolean(p));
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `Browser tests need Chromium, but none was found at ${candidates.join(" or ")}.\n` +
        `Install Debian's package (as root):  ${CHROMIUM_INSTALL}\n` +
        `or point CHROMIUM_PATH at a Chromium/Chrome binary.`,
    );
  }
  return found;
}

/**
 * Headless Chromium with its background traffic off: this machine's network refuses it, and it only
 * slows start-up. Playwright gives every launch a fresh throw-away profile.
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: findChromium(),
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/**
 * Signs a browser context in as a seeded demo user through the real endpoint; the context's cookie jar
 * (shared with its pages) receives the session cookie exactly as a form submit would set it.
 */
export async function signIn(context: BrowserContext, appUrl: string, username: string): Promise<void> {
  const res = await context.request.post(`${appUrl}/api/auth/demo-login`, {
    form: { username },
    maxRedirects: 0,
  });
  if (res.status() !== 303) {
    throw new Error(`demo sign-in as ${username} failed: HTTP ${res.status()} ${await res.text()}`);
  }
  const cookies = await context.cookies(appUrl);
  if (!cookies.some((c) => c.name === "session_token")) {
    throw new Error(`demo sign-in as ${username} set no session cookie (Secure cookie on plain http?)`);
  }
}

import { describe, expect, inject, it } from "vitest";
import { articleIdOn, browserForFile, unique, watchErrors, watchSocket } from "./live-support";

const app = inject("app");
const ARTICLE_URL = `${app.url}/@alice/hello-realtime`;
const chromium = browserForFile();

async function open(user: string | null) {
  const context = await chromium.context(app.url, user);
  const page = await context.newPage();
  const socket = watchSocket(page);
  const errors = watchErrors(page);
  await page.goto(ARTICLE_URL);
  await page.getByRole("heading", { name: "Hello, realtime" }).waitFor();
  await socket.subscribed(`private-resource.ARTICLE.${await articleIdOn(page)}`);
  return { page, socket, errors };
}

describe("live comments on an article (bob writes, alice and an anonymous reader watch)", () => {
  it("a new comment, a reply to a reply, an edit and a delete appear on both pages without reload", async () => {
    const [alice, anonymous, bob] = [await open("alice"), await open(null), await open("bob")];
    const watchers = [alice, anonymous];
    const commentWith = (p: (typeof watchers)[number], text: string) => p.page.getByTestId(/^comment-\d+$/).filter({ hasText: text });
    const everyone = async (check: (p: (typeof watchers)[number]) => Promise<unknown>) => Promise.all(watchers.map(check));

    // Posted.
    const text = unique("Live from bob");
    await bob.page.getByLabel("Write a comment").fill(text);
    await bob.page.getByRole("button", { name: "Post comment" }).click();
    await everyone((p) => commentWith(p, text).waitFor({ timeout: 10_000 }));
    const testId = (await commentWith(alice, text).getAttribute("data-testid"))!;

    // A reply to alice's reply (depth 3): announced on the article's channel, nested on both pages.
    const replyText = unique("Deep reply from bob");
    const aliceReply = bob.page.getByTestId(/^comment-\d+$/).filter({ hasText: "Yes: every tab holds its own subscription." });
    await aliceReply.getByRole("button", { name: "Reply" }).click();
    await bob.page.getByLabel("Write a reply").fill(replyText);
    await bob.page.getByRole("button", { name: "Post reply" }).click();
    await everyone(async (p) => {
      await commentWith(p, replyText).waitFor({ timeout: 10_000 });
      expect(await commentWith(p, replyText).getAttribute("data-depth")).toBe("3");
    });

    // Edited.
    const edited = unique("Edited by bob");
    const mine = bob.page.getByTestId(testId);
    await mine.getByRole("button", { name: "Edit" }).click();
    await mine.getByLabel("Edit comment").fill(edited);
    await mine.getByRole("button", { name: "Save" }).click();
    await everyone(async (p) => {
      await expect.poll(() => p.page.getByTestId(testId).textContent(), { timeout: 10_000 }).toContain(edited);
      expect(await p.page.getByTestId(testId).textContent()).not.toContain(text);
    });

    // Deleted: first bob's top-level comment, then his reply under alice's.
    await bob.page.getByTestId(testId).getByRole("button", { name: "Delete" }).click();
    await everyone((p) => p.page.getByTestId(testId).waitFor({ state: "detached", timeout: 10_000 }));
    const replyBy = bob.page.getByTestId(/^comment-\d+$/).filter({ hasText: replyText });
    await replyBy.getByRole("button", { name: "Delete" }).click();
    await everyone((p) => commentWith(p, replyText).waitFor({ state: "detached", timeout: 10_000 }));

    // None of it needed a reload, and nothing went wrong on any page.
    for (const p of [alice, anonymous, bob]) expect(p.errors).toEqual([]);
    // Each change reached the watchers as a content-free signal on the article's channel.
    const channel = `private-resource.ARTICLE.${await articleIdOn(alice.page)}`;
    for (const p of watchers) {
      const signals = p.socket.signalsOn(channel);
      expect(signals.filter((d) => d.scope === "comments").length).toBeGreaterThanOrEqual(5);
      expect(JSON.stringify(signals)).not.toContain("bob");
    }
  });
});

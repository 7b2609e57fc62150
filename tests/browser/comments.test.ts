import { describe, expect, inject, it } from "vitest";
import type { BrowserContext } from "playwright-core";
import {
  LIVE_MS,
  articleChannelOn,
  browserForFile,
  openPage,
  postComment,
  rowId,
  rowTestId,
  unique,
  watchNavigations,
} from "./live-support";

const app = inject("app");
const ARTICLE_URL = `${app.url}/@alice/hello-realtime`;
const COMMENT = rowTestId("comment");
const chromium = browserForFile();

/** The seeded article's page, loaded and on the article's channel. */
async function openArticle(context: BrowserContext) {
  const tab = await openPage(context, ARTICLE_URL);
  await tab.page.getByRole("heading", { name: "Hello, realtime" }).waitFor();
  const channel = await articleChannelOn(tab.page);
  await tab.socket.subscribed(channel);
  return { ...tab, channel, navigations: watchNavigations(tab.page) };
}
type ArticleTab = Awaited<ReturnType<typeof openArticle>>;

describe("commenting on an article", () => {
  it("alice posts a comment on her article and sees it once the action completes", async () => {
    const page = (await openPage(await chromium.context(app.url, "alice"), ARTICLE_URL)).page;
    await page.getByRole("heading", { name: "Hello, realtime" }).waitFor();

    const body = unique("A comment from the browser test");
    const textarea = page.getByLabel("Write a comment");
    const posted = await postComment(page, body);
    expect(await posted.count()).toBe(1);
    await rowId(posted, "comment"); // its test id names a UUID
    // The form is ready for the next comment; the text was not left behind.
    await expect.poll(() => textarea.inputValue()).toBe("");

    // It was persisted, not just rendered optimistically.
    await page.reload();
    await page.getByTestId(COMMENT).filter({ hasText: body }).waitFor();
    await page.close();
  });
});

describe("live comments on an article (bob writes; alice, an anonymous reader and bob's other tab watch)", () => {
  it("a new comment, a reply to a reply, an edit and a delete appear on every page, the writer's own tab included, without reload", async () => {
    const bobContext = await chromium.context(app.url, "bob");
    const alice = await openArticle(await chromium.context(app.url, "alice"));
    const anonymous = await openArticle(await chromium.context(app.url, null));
    const bobOther = await openArticle(bobContext);
    // The writer: the broker skips this tab (its socket id), so what it shows comes from its own actions' results.
    const bob = await openArticle(bobContext);
    const watchers = [alice, anonymous, bobOther];
    const everyone = [...watchers, bob];
    // A comment as shown, not one with a form open in it: the writer's own tab holds the text being typed in a
    // textarea of the comment replied to or edited, which would match too.
    const shown = (p: ArticleTab) => p.page.getByTestId(COMMENT).filter({ hasNot: p.page.getByRole("textbox") });
    const commentWith = (p: ArticleTab, text: string) => shown(p).filter({ hasText: text });
    const onEvery = (check: (p: ArticleTab) => Promise<unknown>) => Promise.all(everyone.map(check));

    // Posted.
    const text = unique("Live from bob");
    await bob.page.getByLabel("Write a comment").fill(text);
    await bob.page.getByRole("button", { name: "Post comment" }).click();
    await onEvery((p) => commentWith(p, text).waitFor({ timeout: LIVE_MS }));
    const commentId = await rowId(commentWith(alice, text), "comment");
    const testId = `comment-${commentId}`;
    expect(await bob.page.getByTestId(testId).count()).toBe(1);

    // A reply to alice's reply (depth 3): announced on the article's channel, nested on every page.
    const replyText = unique("Deep reply from bob");
    const aliceReply = bob.page.getByTestId(COMMENT).filter({ hasText: "Yes: every tab holds its own subscription." });
    await aliceReply.getByRole("button", { name: "Reply" }).click();
    await bob.page.getByLabel("Write a reply").fill(replyText);
    await bob.page.getByRole("button", { name: "Post reply" }).click();
    await onEvery(async (p) => {
      await commentWith(p, replyText).waitFor({ timeout: LIVE_MS });
      expect(await commentWith(p, replyText).getAttribute("data-depth")).toBe("3");
    });

    // Edited.
    const edited = unique("Edited by bob");
    const mine = bob.page.getByTestId(testId);
    await mine.getByRole("button", { name: "Edit" }).click();
    await mine.getByLabel("Edit comment").fill(edited);
    await mine.getByRole("button", { name: "Save" }).click();
    await onEvery(async (p) => {
      await commentWith(p, edited).waitFor({ timeout: LIVE_MS });
      expect(await commentWith(p, edited).getAttribute("data-testid")).toBe(testId);
      expect(await p.page.getByTestId(testId).textContent()).not.toContain(text);
    });

    // Deleted: first bob's top-level comment, then his reply under alice's.
    await bob.page.getByTestId(testId).getByRole("button", { name: "Delete" }).click();
    await onEvery((p) => p.page.getByTestId(testId).waitFor({ state: "detached", timeout: LIVE_MS }));
    await commentWith(bob, replyText).getByRole("button", { name: "Delete" }).click();
    await onEvery((p) => commentWith(p, replyText).waitFor({ state: "detached", timeout: LIVE_MS }));

    // Each change reached the watchers (bob's other tab too) as a content-free signal on the article's channel.
    const channel = alice.channel;
    const commentSignals = (p: ArticleTab) => p.socket.signalsOn(channel).filter((d) => d.scope === "comments");
    for (const p of watchers) {
      expect(commentSignals(p).length).toBeGreaterThanOrEqual(5);
      expect(JSON.stringify(p.socket.signalsOn(channel))).not.toContain("bob");
    }

    // No self-echo: a marker from alice reaches bob's writing tab (and shows in hers, the writer's, at once)...
    const marker = unique("Marker from alice");
    await postComment(alice.page, marker);
    await onEvery((p) => commentWith(p, marker).waitFor({ timeout: LIVE_MS }));
    // ...and is the only comments signal that tab ever heard: its five changes came from their own results, while
    // the same five reached bob's other tab through the broker.
    const articleId = channel.slice("private-resource.ARTICLE.".length);
    expect(commentSignals(bob)).toEqual([{ scope: "comments", ids: { resource_id: articleId, resource_type: "ARTICLE" } }]);
    expect(commentSignals(bobOther).length).toBe(commentSignals(anonymous).length);

    // None of it needed a reload, and nothing went wrong on any page.
    for (const p of everyone) {
      expect(p.navigations).toEqual([]);
      expect(p.errors).toEqual([]);
    }
  });
});

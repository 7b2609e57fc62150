import { describe, expect, inject, it } from "vitest";
import { HOME_FEED_WINDOW_MS } from "@/backend/realtime/scopes";
import { LIVE_MS, UUID, browserForFile, openPage, rowId, rowTestId, unique, watchNavigations } from "./live-support";

/**
 * Article writes from the dashboard: the author's own dashboard follows each of her actions (from the signals the
 * action returned; the broker skips the writing tab), and the public lists open elsewhere follow the published
 * side: the profile and tag pages refetch, the home page offers a "New articles" pill.
 */
const app = inject("app");
const chromium = browserForFile();

describe("articles in the dashboard and the public feeds", () => {
  it("a draft is silent; publishing lists it on an open tag page and her profile and raises the home page's pill; an edit and a delete follow live", async () => {
    // Anonymous: public channels need no sign-in. Each list loaded (alice's seeded article is on all three) and
    // each page is on its channel before anything changes.
    const visitor = await chromium.context(app.url, null);
    const tag = await openPage(visitor, `${app.url}/tags/nextjs`);
    const profile = await openPage(visitor, `${app.url}/@alice`);
    const home = await openPage(visitor, `${app.url}/`);
    for (const p of [tag, profile, home]) await p.page.getByText("Hello, realtime").first().waitFor();
    const [tagChannel, profileChannel, feedChannel] = await Promise.all([
      tag.socket.subscribedMatching(new RegExp(`^tag\\.${UUID}$`)),
      profile.socket.subscribedMatching(new RegExp(`^profile\\.${UUID}$`)),
      home.socket.subscribedMatching(/^feed\.articles$/),
    ]);
    const navigations = [tag, profile, home].map((p) => watchNavigations(p.page));

    const dashboard = await openPage(await chromium.context(app.url, "alice"), `${app.url}/dashboard`);
    await dashboard.page.getByRole("heading", { name: "My articles" }).waitFor();
    // The profile's channel is named by alice's id, the same UUID as her private channel.
    const aliceId = (await dashboard.socket.userChannel()).slice("private-user.".length);
    expect(profileChannel).toBe(`profile.${aliceId}`);

    // Created as a draft: it shows in alice's dashboard (the writing tab).
    const title = unique("Feeds live");
    await dashboard.page.getByRole("button", { name: "New article" }).click();
    await dashboard.page.getByLabel("Title").fill(title);
    await dashboard.page.getByLabel("Tags").fill("nextjs");
    await dashboard.page.getByLabel("Body").fill("Published while the feeds were open.");
    const draftMarks = [tag, profile, home].map((p) => p.socket.mark());
    await dashboard.page.getByRole("button", { name: "Create article" }).click();
    const created = dashboard.page.getByTestId(rowTestId("my-article")).filter({ hasText: title });
    await created.waitFor({ timeout: LIVE_MS });
    // From here on by id: the title changes below.
    const row = dashboard.page.getByTestId(`my-article-${await rowId(created, "my-article")}`);
    await row.getByText("Draft", { exact: true }).waitFor();

    // Published: the dashboard row says so, the tag page and the profile list it.
    const publishMarks = [tag, profile, home].map((p) => p.socket.mark());
    await row.getByRole("button", { name: "Publish" }).click();
    await row.getByText("Published", { exact: true }).waitFor({ timeout: LIVE_MS });
    await tag.page.getByText(title).waitFor({ timeout: LIVE_MS });
    await profile.page.getByText(title).waitFor({ timeout: LIVE_MS });
    // The home page only offers the news (the home feed's signal is throttled to one per window); the list is
    // unchanged until the visitor asks.
    const pill = home.page.getByRole("button", { name: "New articles" });
    await pill.waitFor({ timeout: HOME_FEED_WINDOW_MS + LIVE_MS });
    expect(await home.page.getByText(title).count()).toBe(0);

    // A draft is silent on public channels: now that each public page heard the publish, none of them had heard
    // anything on its channel between the draft's creation and the publish. The tag and profile pages heard
    // exactly the publish (the tag's signal is named by its UUID); the home feed's channel is throttled per server
    // process, so only the draft's window is checked there (another file's last write can end a window later).
    const during = (i: number) => ({ from: draftMarks[i], to: publishMarks[i] });
    expect(tag.socket.signalsOn(tagChannel, during(0))).toEqual([]);
    expect(profile.socket.signalsOn(profileChannel, during(1))).toEqual([]);
    expect(home.socket.signalsOn(feedChannel, during(2))).toEqual([]);
    expect(tag.socket.signalsOn(tagChannel)).toEqual([{ scope: "tag-articles", ids: { tag_id: tagChannel.slice("tag.".length) } }]);
    expect(profile.socket.signalsOn(profileChannel)).toEqual([{ scope: "user-article-feed", ids: { user_id: aliceId } }]);
    expect(home.socket.signalsOn(feedChannel, { from: publishMarks[2] }).map((s) => s.scope)).toEqual(["article-feed"]);

    await pill.click();
    await home.page.getByText(title).waitFor({ timeout: LIVE_MS });
    await pill.waitFor({ state: "detached" });

    // Edited in the dashboard: the row there, and the lists open elsewhere, show the new title.
    const retitled = unique("Feeds live, retitled");
    await row.getByRole("button", { name: "Edit" }).click();
    const titleField = row.getByLabel("Title");
    await expect.poll(() => titleField.inputValue(), { timeout: LIVE_MS }).toBe(title);
    await titleField.fill(retitled);
    await row.getByRole("button", { name: "Save changes" }).click();
    await row.getByRole("link", { name: retitled }).waitFor({ timeout: LIVE_MS });
    for (const p of [tag, profile]) {
      await p.page.getByText(retitled).waitFor({ timeout: LIVE_MS });
      expect(await p.page.getByText(title).count()).toBe(0);
    }

    // Deleted in the dashboard: gone from the row list there, and from the open lists.
    await row.getByRole("button", { name: "Delete" }).click();
    await row.getByRole("button", { name: "Yes, remove it" }).click();
    await row.waitFor({ state: "detached", timeout: LIVE_MS });
    for (const p of [tag, profile]) await p.page.getByText(retitled).waitFor({ state: "detached", timeout: LIVE_MS });
    // The seeded article is still listed: the lists refetched, they did not empty.
    for (const p of [tag, profile]) await p.page.getByText("Hello, realtime").first().waitFor();

    // None of the public pages reloaded, and nothing went wrong on any of them or in the dashboard.
    expect(navigations).toEqual([[], [], []]);
    for (const p of [tag, profile, home, dashboard]) expect(p.errors).toEqual([]);
  });
});

import { beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, screen, waitFor } from "@testing-library/react";
import { queryKeys } from "@/lib/query-keys";
import { articleFeedChannel, profileChannel, tagChannel, userChannel } from "@/backend/realtime/channels";
import type { AppPublication } from "@/backend/realtime/scopes";
import { articleChangeSignals, profileSignals, type ArticleState } from "@/backend/realtime/signals";
import { HomeFeed } from "@/components/article/HomeFeed";
import { TagFeed } from "@/components/article/TagFeed";
import { ProfileForm } from "@/components/dashboard/ProfileForm";
import { ProfileView } from "@/components/user/ProfileView";
import { uuid } from "../../helpers/uuids";
import { BROKER_WAIT, liveBroker, renderLive } from "../support/broker";
import { alice, articleSummary, ok } from "../support/fixtures";
import { held, ids, renderScopeCache } from "../support/scope-cache";
import { actions } from "../support/server-actions";

/**
 * The public feeds on the real Soketi with real pusher-js: a tag page and a profile page (articles and the user
 * card) follow public channels that need no sign-in and no signature; the home feed only raises a "New articles"
 * pill. The settings form follows the user's own channel. Publications come from the app's builders.
 */
const broker = liveBroker();
const TAG = uuid("tag:nextjs");
const hello = articleSummary("hello", "Hello, realtime");

/** What publishing a new article of alice's under TAG announces. */
const published = (name: string): AppPublication[] => {
  const after: ArticleState = { id: uuid(`article:${name}`), author_id: alice.id, published: true, tag_ids: [TAG] };
  return articleChangeSignals({ ...after, published: false }, after);
};
const only = (scope: string, list: AppPublication[]) => list.filter((p) => p.signal.scope === scope);

beforeEach(() => {
  actions.currentSessionStatus.mockResolvedValue(ok({ user_id: alice.id, session_id: ids.session }));
});

describe("tag and profile pages", () => {
  it("tag-articles on the tag's channel refetches that tag's feed; the subscription needed no authorization", async () => {
    actions.tagArticles.mockResolvedValueOnce(ok([hello]));
    actions.tagArticles.mockResolvedValueOnce(ok([articleSummary("fresh", "Fresh on nextjs"), hello]));
    const app = renderLive(broker, <TagFeed tag={{ id: TAG, name: "nextjs" }} />, { user: null });
    await screen.findByText("Hello, realtime");
    await broker.subscribedTo(tagChannel(TAG));
    // Another tag's key on this channel: nothing here refetches (checked below, after the real one).
    await broker.trigger(tagChannel(TAG), { scope: "tag-articles", ids: { tag_id: uuid("tag:other") } });
    await broker.publish(only("tag-articles", published("fresh")));
    await screen.findByText("Fresh on nextjs", {}, BROKER_WAIT);
    expect(actions.tagArticles).toHaveBeenCalledTimes(2);
    expect(app.clients.signed).toEqual([]);
    app.unmount();
  });

  it("the profile channel carries the article feed and the user card", async () => {
    actions.userArticleFeed.mockResolvedValueOnce(ok([hello]));
    actions.userArticleFeed.mockResolvedValueOnce(ok([articleSummary("second", "Second post"), hello]));
    actions.getUserProfile.mockResolvedValueOnce(ok({ id: alice.id, username: "alice", name: "Alice R.", bio: "new bio" }));
    const initial = { id: alice.id, username: "alice", name: "Alice Rahman", bio: "" };
    const app = renderLive(broker, <ProfileView initialProfile={initial} />, { user: null });
    await screen.findByText("Hello, realtime");
    await broker.subscribedTo(profileChannel(alice.id));

    await broker.publish(only("user-article-feed", published("second")));
    await screen.findByText("Second post", {}, BROKER_WAIT);
    expect(actions.getUserProfile).not.toHaveBeenCalled();

    await broker.publish(profileSignals(alice.id, false));
    await screen.findByRole("heading", { name: "Alice R." }, BROKER_WAIT);
    expect(screen.getByText("new bio")).toBeTruthy();
    expect(actions.userArticleFeed).toHaveBeenCalledTimes(2);
    expect(app.clients.signed).toEqual([]);
    app.unmount();
  });

  it("the settings form takes a profile saved on another device, unless it holds edits of its own", async () => {
    actions.getUserProfile.mockResolvedValueOnce(ok({ id: alice.id, username: "alice", name: "Alice (phone)", bio: "" }));
    actions.getUserProfile.mockResolvedValueOnce(ok({ id: alice.id, username: "alice", name: "Alice (tablet)", bio: "" }));
    const app = renderLive(broker, <ProfileForm me={{ id: alice.id, username: "alice", name: "Alice Rahman", bio: "" }} />, { user: alice });
    await broker.subscribedTo(userChannel(alice.id));
    const name = screen.getByLabelText("Name") as HTMLInputElement;

    await broker.publish(profileSignals(alice.id, false));
    await waitFor(() => expect(name.value).toBe("Alice (phone)"), BROKER_WAIT);

    fireEvent.change(name, { target: { value: "Typing here" } });
    await broker.publish(profileSignals(alice.id, false));
    await screen.findByText("Your profile was changed on another device.", {}, BROKER_WAIT);
    expect(name.value).toBe("Typing here");
    fireEvent.click(screen.getByRole("button", { name: "Load the saved version" }));
    expect(name.value).toBe("Alice (tablet)");
    app.unmount();
  });
});

describe("the home feed's New articles pill (article-feed scope, a notice)", () => {
  it("a signal raises the pill without refetching; clicking refetches once and shows the article", async () => {
    actions.articleFeed.mockResolvedValueOnce(ok([hello]));
    actions.articleFeed.mockResolvedValueOnce(ok([articleSummary("brand-new", "Brand new"), hello]));
    const app = renderLive(broker, <HomeFeed />, { user: null });
    await screen.findByText("Hello, realtime");
    await broker.subscribedTo(articleFeedChannel());

    await broker.publish(only("article-feed", published("brand-new")));
    const pill = await screen.findByRole("button", { name: "New articles" }, BROKER_WAIT);
    expect(actions.articleFeed).toHaveBeenCalledTimes(1);
    expect(screen.queryByText("Brand new")).toBeNull();

    window.scrollTo = vi.fn() as never;
    fireEvent.click(pill);
    await screen.findByText("Brand new");
    await waitFor(() => expect(screen.queryByRole("button", { name: "New articles" })).toBeNull());
    expect(actions.articleFeed).toHaveBeenCalledTimes(2);
    expect(app.clients.signed).toEqual([]); // a public channel

    // The next signal raises it again, and still fetches nothing by itself.
    await broker.publish(only("article-feed", published("brand-new")));
    await screen.findByRole("button", { name: "New articles" }, BROKER_WAIT);
    expect(actions.articleFeed).toHaveBeenCalledTimes(2);
    app.unmount();
  });

  it("any refetch of the feed (focus, navigation) also clears the pill", async () => {
    actions.articleFeed.mockResolvedValue(ok([hello]));
    const app = renderLive(broker, <HomeFeed />, { user: null });
    await screen.findByText("Hello, realtime");
    await broker.subscribedTo(articleFeedChannel());
    await broker.publish(only("article-feed", published("another")));
    await screen.findByRole("button", { name: "New articles" }, BROKER_WAIT);
    await app.queryClient.refetchQueries({ queryKey: queryKeys.articleFeed() });
    await waitFor(() => expect(screen.queryByRole("button", { name: "New articles" })).toBeNull());
    app.unmount();
  });
});

describe("which cached queries the feed and profile scopes reach", () => {
  it.each([
    ["a tag's feed on its channel", held.tag, { scope: "tag-articles", ids: { tag_id: ids.tag } }, ["tagFeed"]],
    ["a user's article feed on their profile channel", held.profile, { scope: "user-article-feed", ids: { user_id: ids.user } }, ["userFeed"]],
    ["the user card on the profile channel", held.profile, profileSignals(ids.user, false)[0].signal, ["userCard"]],
    ["the user card on the user's own channel (the settings form)", held.user, profileSignals(ids.user, false)[0].signal, ["userCard"]],
    ["the home feed: its notice only, never the feed itself", held.feed, { scope: "article-feed" }, ["homeFeedNotice"]],
  ] as const)("%s", async (_label, channel, data, expected) => {
    const tab = renderScopeCache();
    expect(await tab.invalidatedBy(channel, data)).toEqual(expected);
  });

  it.each([
    ["a tag feed signal on a profile channel", held.profile, { scope: "tag-articles", ids: { tag_id: ids.tag } }, { scope: "user-article-feed", ids: { user_id: ids.user } }, ["userFeed"]],
    ["the home feed signal on a tag channel", held.tag, { scope: "article-feed" }, { scope: "tag-articles", ids: { tag_id: ids.tag } }, ["tagFeed"]],
    ["a profile's article feed on the user channel", held.user, { scope: "user-article-feed", ids: { user_id: ids.user } }, { scope: "dashboard-articles" }, ["dashboard"]],
  ] as const)("ignored: %s", async (_label, channel, data, valid, expected) => {
    const tab = renderScopeCache();
    await tab.send(channel, data);
    expect(await tab.invalidatedBy(channel, valid)).toEqual(expected);
  });
});

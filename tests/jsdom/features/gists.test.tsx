import { beforeEach, describe, expect, it } from "vitest";
import { fireEvent, screen, waitFor } from "@testing-library/react";
import { queryKeys } from "@/lib/query-keys";
import { resourceChannel, userChannel } from "@/backend/realtime/channels";
import { gistSignals } from "@/backend/realtime/signals";
import { GistList } from "@/components/gist/GistList";
import { GistView } from "@/components/gist/GistView";
import { BROKER_WAIT, liveBroker, renderLive } from "../support/broker";
import { bob, gistDetail, notFound, ok, reactionCounts } from "../support/fixtures";
import { held, ids, renderScopeCache } from "../support/scope-cache";
import { actions, router } from "../support/server-actions";

/**
 * Gists on the real Soketi with real pusher-js: a gist page follows its resource channel (edits, and the moment it
 * is deleted or made private), the owner's gist list follows their user channel, and the owner's own tab applies
 * what its delete returned.
 */
const broker = liveBroker();
const gist = gistDetail("debounce");
const CHANNEL = resourceChannel("GIST", gist.id);
const summary = (g: ReturnType<typeof gistDetail>) => ({ ...g, files_count: g.files.length });

beforeEach(() => {
  actions.getComments.mockResolvedValue(ok([]));
  actions.getResourceReactions.mockResolvedValue(ok(reactionCounts(0)));
  actions.currentSessionStatus.mockResolvedValue(ok({ user_id: bob.id, session_id: ids.session }));
});

describe("a gist page on its resource channel", () => {
  it("a gist signal refetches that gist only; once it is gone the page says so and leaves the channel", async () => {
    actions.getGist.mockResolvedValueOnce(ok({ ...gist, title: "debounce v2" }));
    const app = renderLive(broker, <GistView initialGist={gist} />, { user: null });
    await broker.subscribedTo(CHANNEL);
    await waitFor(() => expect(actions.getComments).toHaveBeenCalledTimes(1));

    await broker.publish(gistSignals(bob.id, gist.id));
    await screen.findByRole("heading", { name: "debounce v2" }, BROKER_WAIT);
    expect(actions.getGist).toHaveBeenCalledTimes(1);
    expect(actions.getComments).toHaveBeenCalledTimes(1);
    // Another gist's signal on this channel: its key is not on screen.
    await broker.trigger(CHANNEL, { scope: "gist", ids: { id: gistDetail("other").id } });

    actions.getGist.mockResolvedValue(notFound("No such gist."));
    await broker.publish(gistSignals(bob.id, gist.id));
    await screen.findByText("This gist was deleted or made private.", {}, BROKER_WAIT); // after the coalescing gap of the last refetch
    // Delivered after the other gist's signal on the same channel, and the only fetch since: that one fetched nothing.
    expect(actions.getGist).toHaveBeenCalledTimes(2);
    expect(screen.queryByRole("alert")).toBeNull(); // a notice, not an error
    await broker.subscribedTo(CHANNEL, 0);
    expect(app.queryClient.getQueryData(queryKeys.gist(gist.id))).toBeNull();
    app.unmount();
  });

  it("the owner's view of a vanished gist says it was deleted", async () => {
    actions.getGist.mockResolvedValue(notFound("No such gist."));
    const app = renderLive(broker, <GistView initialGist={gist} />, { user: bob });
    await broker.subscribedTo(CHANNEL);
    await broker.publish(gistSignals(bob.id, gist.id));
    await screen.findByText("This gist was deleted.", {}, BROKER_WAIT);
    app.unmount();
  });

  it("the owner deleting it: the page applies the returned gist signal (it refetches and says so) and goes to the gist list", async () => {
    actions.deleteMyGist.mockImplementation(async () => {
      actions.getGist.mockResolvedValue(notFound("No such gist."));
      return ok({ id: gist.id, was_public: true }, gistSignals(bob.id, gist.id));
    });
    const app = renderLive(broker, <GistView initialGist={gist} />, { user: bob });
    await broker.subscribedTo(CHANNEL);
    fireEvent.click(screen.getByRole("button", { name: "Delete" }));
    fireEvent.click(screen.getByRole("button", { name: "Yes, remove it" }));
    await screen.findByText("This gist was deleted.");
    await waitFor(() => expect(router.push).toHaveBeenCalledWith("/gists"));
    expect(actions.deleteMyGist).toHaveBeenCalledWith({ id: gist.id });
    expect(actions.getGist).toHaveBeenCalledTimes(1);
    app.unmount();
  });
});

describe("the gist list on the user's channel", () => {
  it("a gists signal refetches the gist list", async () => {
    const fresh = gistDetail("fresh");
    actions.gistList.mockResolvedValueOnce(ok([summary(gist)]));
    actions.gistList.mockResolvedValueOnce(ok([summary(fresh), summary(gist)]));
    const app = renderLive(broker, <GistList />, { user: bob });
    await screen.findByText("debounce.ts");
    await broker.subscribedTo(userChannel(bob.id));
    await broker.publish(gistSignals(bob.id, null));
    await screen.findByText("fresh.ts", {}, BROKER_WAIT);
    expect(actions.gistList).toHaveBeenCalledTimes(2);
    app.unmount();
  });
});

describe("which cached queries the gist scopes reach", () => {
  it("a gist write: the owner's list on their channel, that gist's page on its own", async () => {
    const tab = renderScopeCache();
    const [list, page] = gistSignals(ids.user, ids.gist);
    expect(await tab.invalidatedBy(held.user, list.signal)).toEqual(["gists"]);
    expect(await tab.invalidatedBy(held.gist, page.signal)).toEqual(["gist"]);
  });

  it("ignored: a gist list signal on a resource channel, a gist signal on the user channel", async () => {
    const tab = renderScopeCache();
    const [list, page] = gistSignals(ids.user, ids.gist);
    await tab.send(held.gist, list.signal);
    expect(await tab.invalidatedBy(held.gist, page.signal)).toEqual(["gist"]);
    await tab.send(held.user, page.signal);
    expect(await tab.invalidatedBy(held.user, list.signal)).toEqual(["gists"]);
  });
});

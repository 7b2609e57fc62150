import { beforeEach, describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { renderWithRealtime } from "@/lib/realtime/testing";
import { userChannel } from "@/backend/realtime/channels";
import { scopes } from "@/backend/realtime/scopes";
import { bookmarkSignal } from "@/backend/realtime/signals";
import { CurrentUserProvider } from "@/components/session/CurrentUser";
import { BookmarkButton } from "@/components/article/BookmarkButton";
import { MyBookmarks } from "@/components/dashboard/MyBookmarks";
import { alice, articleSummary, ok } from "../support/fixtures";
import { held, ids, renderScopeCache } from "../support/scope-cache";
import { actions } from "../support/server-actions";

/**
 * Bookmarks are private: the user channel carries them to the user's own tabs (the button on an article, the
 * bookmarks page). The resync of the user channel after missed signals refreshes every button (resilience tests).
 */
const first = articleSummary("bookmarks-first", "First article");
const second = articleSummary("bookmarks-second", "Second article");

describe("the writer's own tab (useServerAction applies the returned bookmarks signal)", () => {
  const saved = new Set<string>();
  beforeEach(() => {
    saved.clear();
    actions.bookmarkStatus.mockImplementation(async ({ resource_id }: { resource_id: string }) => {
      const bookmarked = saved.has(resource_id);
      await new Promise((r) => setTimeout(r, 30)); // a server round trip: the refetch lands well after the toggle
      return ok({ bookmarked });
    });
    actions.myBookmarks.mockImplementation(async () => ok([first, second].filter((a) => saved.has(a.id))));
    actions.toggleResourceBookmark.mockImplementation(async ({ resource_id }: { resource_id: string }) => {
      await new Promise((r) => setTimeout(r, 20));
      if (!saved.delete(resource_id)) saved.add(resource_id);
      return ok({ bookmarked: saved.has(resource_id) }, [bookmarkSignal(alice.id, resource_id)]);
    });
  });

  function renderPage() {
    return renderWithRealtime(
      <CurrentUserProvider user={alice}>
        <div data-testid="first">
          <BookmarkButton resource_id={first.id} />
        </div>
        <div data-testid="second">
          <BookmarkButton resource_id={second.id} />
        </div>
        <MyBookmarks />
      </CurrentUserProvider>,
      { render, scopes, userChannel: userChannel(alice.id), strict: true },
    );
  }
  const button = (testId: string) => within(screen.getByTestId(testId)).getByRole("button");
  const statusCalls = (id: string) => actions.bookmarkStatus.mock.calls.filter(([arg]) => arg.resource_id === id).length;

  it("toggling refetches the button and the bookmarks list, not another article's button; the button is fresh when it is enabled again", async () => {
    renderPage();
    await screen.findByText(/Nothing bookmarked yet/);
    await waitFor(() => expect(button("first").hasAttribute("disabled")).toBe(false));
    await waitFor(() => expect(button("second").hasAttribute("disabled")).toBe(false));
    // Every state the first button goes through from the click on: enabled must never show the old answer.
    const states: string[] = [];
    const observer = new MutationObserver(() => {
      const b = button("first");
      states.push(`${b.hasAttribute("disabled") ? "disabled" : "enabled"} ${b.getAttribute("aria-pressed")}`);
    });
    observer.observe(screen.getByTestId("first"), { attributes: true, subtree: true, childList: true });

    fireEvent.click(button("first"));
    await waitFor(() => expect(button("first").getAttribute("aria-pressed")).toBe("true"));
    await waitFor(() => expect(button("first").hasAttribute("disabled")).toBe(false));
    observer.disconnect();
    expect(states).not.toContain("enabled false");
    expect(actions.toggleResourceBookmark).toHaveBeenCalledWith({ resource_id: first.id });
    await screen.findByText("First article");
    expect(actions.myBookmarks).toHaveBeenCalledTimes(2);
    expect(statusCalls(first.id)).toBe(2);
    expect(statusCalls(second.id)).toBe(1); // not named by the returned signal
    expect(button("second").getAttribute("aria-pressed")).toBe("false");

    // And back.
    fireEvent.click(button("first"));
    await waitFor(() => expect(button("first").getAttribute("aria-pressed")).toBe("false"));
    await screen.findByText(/Nothing bookmarked yet/);
    expect(actions.myBookmarks).toHaveBeenCalledTimes(3);
    expect(statusCalls(second.id)).toBe(1);
  });

  it("a refused toggle shows its error and refetches nothing", async () => {
    actions.toggleResourceBookmark.mockResolvedValue({ ok: false, error: { code: "NOT_FOUND", message: "No such article." } });
    renderPage();
    await screen.findByText(/Nothing bookmarked yet/);
    await waitFor(() => expect(button("first").hasAttribute("disabled")).toBe(false));
    fireEvent.click(button("first"));
    expect((await within(screen.getByTestId("first")).findByRole("alert")).textContent).toContain("No such article.");
    expect(actions.myBookmarks).toHaveBeenCalledTimes(1);
    expect(statusCalls(first.id)).toBe(1);
  });
});

describe("which cached queries the bookmarks scope reaches", () => {
  it.each([
    ["a bookmark toggle: the button and the bookmarks page", bookmarkSignal(ids.user, ids.article).signal, ["bookmarkButton", "myBookmarks"]],
    ["a bookmarks signal naming no article: the bookmarks page", { scope: "bookmarks", ids: {} }, ["myBookmarks"]],
  ] as const)("%s", async (_label, data, expected) => {
    const tab = renderScopeCache();
    expect(await tab.invalidatedBy(held.user, data)).toEqual(expected);
  });

  it.each([
    ["a bookmarks signal on a resource channel", held.article, bookmarkSignal(ids.user, ids.article).signal, { scope: "article", ids: { id: ids.article } }, ["articlePage"]],
    ["a bookmarks signal naming no UUID", held.user, { scope: "bookmarks", ids: { resource_id: "7" } }, bookmarkSignal(ids.user, ids.article).signal, ["bookmarkButton", "myBookmarks"]],
  ] as const)("ignored: %s", async (_label, channel, data, valid, expected) => {
    const tab = renderScopeCache();
    await tab.send(channel, data);
    expect(await tab.invalidatedBy(channel, valid)).toEqual(expected);
  });
});

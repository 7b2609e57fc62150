import { beforeEach, describe, expect, it } from "vitest";
import type { ReactNode } from "react";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { queryKeys } from "@/lib/query-keys";
import { renderWithRealtime } from "@/lib/realtime/testing";
import { userChannel } from "@/backend/realtime/channels";
import { scopes } from "@/backend/realtime/scopes";
import { notificationsSignal } from "@/backend/realtime/signals";
import { CurrentUserProvider, type CurrentUser } from "@/components/session/CurrentUser";
import { NotificationList } from "@/components/dashboard/NotificationList";
import { Navbar } from "@/components/navbar/Navbar";
import { uuid } from "../../helpers/uuids";
import { alice, at, bob, ok } from "../support/fixtures";
import { held, ids, renderScopeCache } from "../support/scope-cache";
import { actions } from "../support/server-actions";

/**
 * Notifications: the navbar's unread badge and the notifications page, both refreshed by the notifications scope
 * on the user's channel (a real-broker delivery is in realtime/provider-connection.test.tsx).
 */
function renderTab(ui: ReactNode, user: CurrentUser | null = null) {
  return renderWithRealtime(<CurrentUserProvider user={user}>{ui}</CurrentUserProvider>, { render, scopes, userChannel: user && userChannel(user.id) });
}

describe("the navbar's unread badge", () => {
  it("shows the unread count beside Notifications", async () => {
    actions.unreadNotificationCount.mockResolvedValue(ok({ count: 3 }));
    renderTab(<Navbar />, alice);
    const badge = await screen.findByTestId("unread-badge");
    expect(badge.textContent).toBe("3");
    expect(screen.getByRole("link", { name: /Notifications/ }).contains(badge)).toBe(true);
    expect(screen.getByRole("button", { name: "Sign out" })).toBeTruthy();
    expect(screen.getByText("alice")).toBeTruthy();
  });

  it("is hidden when the count is 0", async () => {
    actions.unreadNotificationCount.mockResolvedValue(ok({ count: 0 }));
    const { queryClient } = renderTab(<Navbar />, alice);
    await waitFor(() => expect(queryClient.getQueryData(queryKeys.unreadNotificationCount())).toEqual({ count: 0 }));
    expect(screen.queryByTestId("unread-badge")).toBeNull();
  });

  it("follows the query: hidden again after the count drops to 0", async () => {
    actions.unreadNotificationCount.mockResolvedValue(ok({ count: 2 }));
    const { queryClient } = renderTab(<Navbar />, alice);
    expect((await screen.findByTestId("unread-badge")).textContent).toBe("2");
    actions.unreadNotificationCount.mockResolvedValue(ok({ count: 0 }));
    await queryClient.invalidateQueries({ queryKey: queryKeys.unreadNotificationCount() });
    await waitFor(() => expect(screen.queryByTestId("unread-badge")).toBeNull());
  });

  it("is not fetched for a signed-out visitor, who gets a Sign in link", () => {
    renderTab(<Navbar />);
    expect(actions.unreadNotificationCount).not.toHaveBeenCalled();
    expect(screen.queryByTestId("unread-badge")).toBeNull();
    expect(screen.getByRole("link", { name: "Sign in" })).toBeTruthy();
  });
});

describe("the writer's own tab (useServerAction applies the returned notifications signal)", () => {
  const unread = new Set<string>();
  const notification = (name: string) => ({
    id: uuid(`notification:${name}`),
    type: "COMMENT",
    payload: { title: `Bob commented (${name})`, url: "/@alice/hello" },
    actor: { id: bob.id, username: bob.username, name: bob.name },
    read_at: null as Date | null,
    created_at: at(),
  });
  const list = [notification("one"), notification("two")];

  beforeEach(() => {
    unread.clear();
    for (const n of list) unread.add(n.id);
    actions.myNotifications.mockImplementation(async () => ok(list.map((n) => ({ ...n, read_at: unread.has(n.id) ? null : at(5) }))));
    actions.unreadNotificationCount.mockImplementation(async () => ok({ count: unread.size }));
    actions.markNotificationRead.mockImplementation(async ({ id }: { id: string }) => {
      unread.delete(id);
      return ok({ id, read_at: at(5) }, [notificationsSignal(alice.id)]);
    });
    actions.markAllNotificationsRead.mockImplementation(async () => {
      const count = unread.size;
      unread.clear();
      return ok({ count }, [notificationsSignal(alice.id)]);
    });
  });

  it("marking one read refreshes the list and the badge", async () => {
    renderTab(
      <>
        <Navbar />
        <NotificationList />
      </>,
      alice,
    );
    expect((await screen.findByTestId("unread-badge")).textContent).toBe("2");
    const first = await screen.findByTestId(`notification-${list[0].id}`);
    fireEvent.click(within(first).getByRole("button", { name: "Mark read" }));
    await waitFor(() => expect(screen.getByTestId("unread-badge").textContent).toBe("1"));
    await waitFor(() => expect(screen.getByTestId(`notification-${list[0].id}`).dataset.read).toBe("true"));
    expect(screen.getByTestId(`notification-${list[1].id}`).dataset.read).toBe("false");
    expect(actions.myNotifications).toHaveBeenCalledTimes(2);
    expect(actions.unreadNotificationCount).toHaveBeenCalledTimes(2);
  });

  it("marking all read empties the badge", async () => {
    renderTab(
      <>
        <Navbar />
        <NotificationList />
      </>,
      alice,
    );
    await screen.findByTestId("unread-badge");
    await waitFor(() => expect(screen.getByRole("button", { name: "Mark all read" }).hasAttribute("disabled")).toBe(false));
    fireEvent.click(screen.getByRole("button", { name: "Mark all read" }));
    await waitFor(() => expect(screen.queryByTestId("unread-badge")).toBeNull());
    for (const n of list) expect(screen.getByTestId(`notification-${n.id}`).dataset.read).toBe("true");
    expect(actions.unreadNotificationCount).toHaveBeenCalledTimes(2);
  });
});

describe("which cached queries the notifications scope reaches", () => {
  it("on the user channel: the list and the badge", async () => {
    const tab = renderScopeCache();
    expect(await tab.invalidatedBy(held.user, notificationsSignal(ids.user).signal)).toEqual(["notifications", "unread"]);
  });

  it("ignored on a resource channel", async () => {
    const tab = renderScopeCache();
    await tab.send(held.article, notificationsSignal(ids.user).signal);
    expect(await tab.invalidatedBy(held.article, { scope: "article", ids: { id: ids.article } })).toEqual(["articlePage"]);
  });
});

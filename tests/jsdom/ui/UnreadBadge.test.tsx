import { beforeEach, describe, expect, it, vi } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import { renderWithProviders } from "./render";

const actions = vi.hoisted(() => ({ unreadNotificationCount: vi.fn(), logout: vi.fn() }));

vi.mock("@/backend/services/notification.actions", () => ({
  unreadNotificationCount: actions.unreadNotificationCount,
}));
vi.mock("@/backend/services/session.actions", () => ({ logout: actions.logout }));
vi.mock("next/navigation", () => ({
  usePathname: () => "/",
  useRouter: () => ({ refresh: vi.fn(), push: vi.fn() }),
}));

import { Navbar } from "@/components/navbar/Navbar";

const alice = { id: "00000000-0000-4000-8000-000000000001", username: "alice", name: "Alice Rahman" };

beforeEach(() => vi.clearAllMocks());

describe("navbar unread badge", () => {
  it("shows the unread count beside Notifications", async () => {
    actions.unreadNotificationCount.mockResolvedValue({ ok: true, data: { count: 3 } });
    renderWithProviders(<Navbar />, { user: alice });
    const badge = await screen.findByTestId("unread-badge");
    expect(badge.textContent).toBe("3");
    expect(screen.getByRole("link", { name: /Notifications/ }).contains(badge)).toBe(true);
    expect(screen.getByRole("button", { name: "Sign out" })).toBeTruthy();
    expect(screen.getByText("alice")).toBeTruthy();
  });

  it("is hidden when the count is 0", async () => {
    actions.unreadNotificationCount.mockResolvedValue({ ok: true, data: { count: 0 } });
    renderWithProviders(<Navbar />, { user: alice });
    await waitFor(() => expect(actions.unreadNotificationCount).toHaveBeenCalled());
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.queryByTestId("unread-badge")).toBeNull();
  });

  it("follows the query: hidden again after the count drops to 0", async () => {
    actions.unreadNotificationCount.mockResolvedValue({ ok: true, data: { count: 2 } });
    const { queryClient } = renderWithProviders(<Navbar />, { user: alice });
    expect((await screen.findByTestId("unread-badge")).textContent).toBe("2");
    actions.unreadNotificationCount.mockResolvedValue({ ok: true, data: { count: 0 } });
    await queryClient.invalidateQueries({ queryKey: ["unread-notification-count"] });
    await waitFor(() => expect(screen.queryByTestId("unread-badge")).toBeNull());
  });

  it("is not fetched for a signed-out visitor, who gets a Sign in link", () => {
    renderWithProviders(<Navbar />);
    expect(actions.unreadNotificationCount).not.toHaveBeenCalled();
    expect(screen.queryByTestId("unread-badge")).toBeNull();
    expect(screen.getByRole("link", { name: "Sign in" })).toBeTruthy();
  });
});

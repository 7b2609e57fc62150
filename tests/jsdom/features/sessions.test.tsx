import { beforeEach, describe, expect, it } from "vitest";
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import PusherJs from "pusher-js";
import { queryKeys } from "@/lib/query-keys";
import { INVALIDATE_EVENT } from "@/lib/realtime";
import { userChannel } from "@/backend/realtime/channels";
import { notificationsSignal, sessionSignal } from "@/backend/realtime/signals";
import { SessionList } from "@/components/dashboard/SessionList";
import { uuid } from "../../helpers/uuids";
import { BROKER_WAIT, liveBroker, renderLive } from "../support/broker";
import { alice, at, ok } from "../support/fixtures";
import { held, ids, renderScopeCache } from "../support/scope-cache";
import { actions, router } from "../support/server-actions";

/**
 * Sessions on the real Soketi with real pusher-js: a sign-in or a revocation refreshes the sessions list on every
 * device of the user and makes each re-ask whether its own session is still valid (SessionWatcher); the revoked
 * device leaves at once.
 */
const broker = liveBroker();
const CHANNEL = userChannel(alice.id);
const THIS_DEVICE = uuid("session:this-device");
const PHONE = uuid("session:phone");
const row = (id: string, current: boolean) => ({
  id,
  device: current ? "Chrome on Linux" : "Phone",
  ip: "",
  last_action_at: at(),
  created_at: at(),
  current,
});

beforeEach(() => {
  // This device's session is valid unless a test says otherwise.
  actions.currentSessionStatus.mockResolvedValue(ok({ user_id: alice.id, session_id: THIS_DEVICE }));
});

const sessionCheck = (app: { queryClient: { getQueryData: (key: readonly unknown[]) => unknown } }) =>
  app.queryClient.getQueryData(queryKeys.currentSession()) as { session_id: string | null } | undefined;

describe("the sessions scope and the SessionWatcher", () => {
  it("a sign-in elsewhere refreshes the sessions list and re-checks this device's session, which stays", async () => {
    actions.mySessions.mockResolvedValueOnce([row(THIS_DEVICE, true)]);
    actions.mySessions.mockResolvedValueOnce([row(THIS_DEVICE, true), row(PHONE, false)]);
    const app = renderLive(broker, <SessionList />, { user: alice });
    await screen.findByTestId(`session-${THIS_DEVICE}`);
    await broker.subscribedTo(CHANNEL);
    expect(sessionCheck(app)?.session_id).toBeNull(); // what the server render vouched for

    await broker.publish(sessionSignal(alice.id, PHONE));
    await screen.findByTestId(`session-${PHONE}`, {}, BROKER_WAIT);
    // The signal's re-check has answered; it is the only one: the server render's word needed no request before.
    await waitFor(() => expect(sessionCheck(app)?.session_id).toBe(THIS_DEVICE));
    expect(actions.currentSessionStatus).toHaveBeenCalledTimes(1);
    expect(router.replace).not.toHaveBeenCalled();
    expect(router.refresh).not.toHaveBeenCalled();
    expect(app.clients.created.at(-1)!.connection.state).toBe("connected");
    app.unmount();
  });

  it("a revoked device disconnects, drops its cache and goes to the login page; it hears nothing more", async () => {
    actions.mySessions.mockResolvedValue([row(THIS_DEVICE, true), row(PHONE, false)]);
    const app = renderLive(broker, <SessionList />, { user: alice });
    await screen.findByTestId(`session-${PHONE}`);
    await broker.subscribedTo(CHANNEL);
    const pusher = app.clients.created.at(-1)!;
    const heard: unknown[] = [];
    pusher.connection.bind("message", (m: { event?: string }) => {
      if (m.event === INVALIDATE_EVENT) heard.push(m);
    });

    actions.currentSessionStatus.mockResolvedValue(ok({ user_id: null, session_id: null }));
    await broker.publish(sessionSignal(alice.id, THIS_DEVICE));
    await waitFor(() => expect(router.replace).toHaveBeenCalledWith("/login"), BROKER_WAIT);
    expect(heard).toHaveLength(1);
    expect(router.refresh).toHaveBeenCalled();
    expect(pusher.connection.state).toBe("disconnected");
    expect(app.queryClient.getQueryCache().getAll()).toEqual([]);
    await broker.subscribedTo(CHANNEL, 0);

    // Another device of alice's is still on the channel: the next signal reaches it, and not the revoked one.
    const { factory } = broker.clients(PusherJs);
    const other = factory(broker.config.key, {
      cluster: "mt1",
      wsHost: "127.0.0.1",
      wsPort: broker.soketi.port,
      forceTLS: false,
      enabledTransports: ["ws"],
    }) as PusherJs;
    const reached = new Promise((resolve) => other.subscribe(CHANNEL).bind(INVALIDATE_EVENT, resolve));
    await broker.subscribedTo(CHANNEL);
    await broker.publish(notificationsSignal(alice.id));
    await reached;
    expect(heard).toHaveLength(1);
    other.disconnect();
    app.unmount();
  });

  it("the writer's own tab: revoking the phone refreshes the list and re-checks this device from the returned signal", async () => {
    const sessions = [row(THIS_DEVICE, true), row(PHONE, false)];
    actions.mySessions.mockImplementation(async () => [...sessions]);
    actions.deleteSession.mockImplementation(async ({ id }: { id: string }) => {
      sessions.splice(sessions.findIndex((s) => s.id === id), 1);
      return ok({ id }, [sessionSignal(alice.id, id)]);
    });
    const app = renderLive(broker, <SessionList />, { user: alice });
    const phone = await screen.findByTestId(`session-${PHONE}`);
    fireEvent.click(within(phone).getByRole("button", { name: "Revoke" }));
    await waitFor(() => expect(screen.queryByTestId(`session-${PHONE}`)).toBeNull());
    expect(actions.deleteSession).toHaveBeenCalledWith({ id: PHONE });
    expect(actions.mySessions).toHaveBeenCalledTimes(2);
    await waitFor(() => expect(sessionCheck(app)?.session_id).toBe(THIS_DEVICE));
    expect(actions.currentSessionStatus).toHaveBeenCalledTimes(1);
    expect(router.replace).not.toHaveBeenCalled();
    app.unmount();
  });
});

describe("which cached queries the sessions scope reaches", () => {
  it("a sessions signal: the sessions list and this device's session check", async () => {
    const tab = renderScopeCache();
    expect(await tab.invalidatedBy(held.user, sessionSignal(ids.user, ids.session).signal)).toEqual(["currentSession", "sessions"]);
  });

  it("ignored: a sessions signal on a resource channel", async () => {
    const tab = renderScopeCache();
    await tab.send(held.article, sessionSignal(ids.user, ids.session).signal);
    expect(await tab.invalidatedBy(held.article, { scope: "article", ids: { id: ids.article } })).toEqual(["articlePage"]);
  });
});

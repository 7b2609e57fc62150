import { describe, expect, it } from "vitest";
import { waitFor } from "@testing-library/react";
import PusherJs from "pusher-js";
import { createPusherConnection } from "@/lib/realtime/client/pusher-connection";
import { RECONNECT_POLICY } from "@/lib/realtime/client";
import { tagChannel } from "@/backend/realtime/channels";
import { uuid } from "../../helpers/uuids";
import { BROKER_WAIT, liveBroker, startAuthStandIn } from "../support/broker";

/**
 * The broker requires user authentication (as config/soketi.json does), here with a 1 s deadline instead of 30 s:
 * a socket that neither signs in nor joins a private channel by then is closed with 4009, which pusher-js does not
 * retry. A visitor of a public-only page (home, tag, profile) joins no private channel, so the client signs every
 * socket in, as a guest without a session.
 */
const SIGNIN_DEADLINE_MS = 1_000;
const broker = liveBroker({ userAuthenticationTimeout: SIGNIN_DEADLINE_MS });
const TAG = uuid("tag:sign-in");
const TAG_CH = tagChannel(TAG);
const tagSignal = { channels: [TAG_CH], signal: { scope: "tag-articles", ids: { tag_id: TAG } } } as const;

/** A plain pusher-js client that never signs in: what the broker does to a socket without a sign-in. */
function unsignedVisitor() {
  const { key, wsHost, wsPort } = broker.config;
  const pusher = new PusherJs(key, { cluster: "mt1", wsHost, wsPort, forceTLS: false, enabledTransports: ["ws"], disableStats: true });
  pusher.subscribe(TAG_CH);
  return pusher;
}

describe("connection sign-in on a broker that requires it", () => {
  it("an anonymous visitor of a public-only page signs in as a guest and stays live past the deadline that closes an unsigned socket", async () => {
    const auth = await startAuthStandIn(broker.server);
    const unsigned = unsignedVisitor();
    const signals: unknown[] = [];
    const conn = createPusherConnection({
      config: { ...broker.config, authEndpoint: auth.url, signinEndpoint: auth.signinUrl },
      onSignal: (_channel, data) => signals.push(data),
    });
    try {
      conn.join(TAG_CH);
      await waitFor(() => expect(conn.getStatus()).toBe("connected"), BROKER_WAIT);
      await broker.subscribedTo(TAG_CH, 2);
      await waitFor(() => expect(auth.signins).toEqual([conn.socketId()]), BROKER_WAIT);

      // The broker's deadline is real: the unsigned socket is closed and not reopened by pusher-js.
      await waitFor(() => expect(unsigned.connection.state).not.toBe("connected"), { timeout: SIGNIN_DEADLINE_MS * 5 });
      await broker.subscribedTo(TAG_CH, 1);
      // This socket connected at about the same moment; give its deadline a clear margin to pass too.
      await new Promise((resolve) => setTimeout(resolve, SIGNIN_DEADLINE_MS / 2));

      await broker.publish(tagSignal);
      await waitFor(() => expect(signals).toEqual([tagSignal.signal]), BROKER_WAIT);
      expect(conn.getStatus()).toBe("connected");
      expect(auth.requests).toEqual([]); // a public channel asks nobody
    } finally {
      conn.destroy();
      unsigned.disconnect();
      await auth.close();
    }
  });

  it("a failed sign-in is retried on a new connection with the reconnect back-off, instead of leaving the socket to be closed", async () => {
    const auth = await startAuthStandIn(broker.server, { failSignins: 1 });
    const signals: unknown[] = [];
    const conn = createPusherConnection({
      config: { ...broker.config, authEndpoint: auth.url, signinEndpoint: auth.signinUrl },
      onSignal: (_channel, data) => signals.push(data),
      reconnectPolicy: { ...RECONNECT_POLICY, delayMs: () => 50 },
    });
    try {
      conn.join(TAG_CH);
      await waitFor(() => expect(auth.signins).toHaveLength(2), BROKER_WAIT);
      const [refused, accepted] = auth.signins;
      expect(accepted).not.toBe(refused); // signed in on a new socket
      await waitFor(() => expect(conn.socketId()).toBe(accepted), BROKER_WAIT);
      await broker.subscribedTo(TAG_CH, 1);

      // Past the deadline of the socket whose sign-in failed, the new one is still live.
      await new Promise((resolve) => setTimeout(resolve, SIGNIN_DEADLINE_MS * 1.5));
      await broker.publish(tagSignal);
      await waitFor(() => expect(signals).toEqual([tagSignal.signal]), BROKER_WAIT);
    } finally {
      conn.destroy();
      await auth.close();
    }
  });
});

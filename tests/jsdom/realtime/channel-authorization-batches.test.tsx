import { describe, expect, it } from "vitest";
import { waitFor } from "@testing-library/react";
import { createPusherConnection } from "@/lib/realtime/client/pusher-connection";
import { MAX_AUTH_CHANNELS } from "@/lib/realtime/client";
import { resourceChannel, userChannel } from "@/backend/realtime/channels";
import { commentThreadSignal } from "@/backend/realtime/signals";
import { uuid } from "../../helpers/uuids";
import { BROKER_WAIT, liveBroker, startAuthStandIn } from "../support/broker";

/**
 * A tab's channel authorizations in batches (client/channel-authorizer.ts) on a real Soketi: what pusher-js asks for
 * at once goes to the auth endpoint in one request, and each channel gets its own answer.
 */
const broker = liveBroker();

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => uuid(`${prefix}:${i}`));
const articles = (prefix: string, n: number) => ids(prefix, n).map((id) => resourceChannel("ARTICLE", id));
const threadSignal = (id: string) => commentThreadSignal({ resource_type: "ARTICLE", resource_id: id });

function connect(auth: { url: string; signinUrl: string }, heard: string[]) {
  return createPusherConnection({
    config: { ...broker.config, authEndpoint: auth.url, signinEndpoint: auth.signinUrl },
    onSignal: (channel) => heard.push(channel),
  });
}

describe("channel authorization in batches", () => {
  it("a tab joining its channels at once asks the auth endpoint once, and every channel subscribes", async () => {
    const auth = await startAuthStandIn(broker.server);
    const wanted = [userChannel(uuid("batch:user")), ...articles("batch:one-request", 3)];
    const conn = connect(auth, []);
    try {
      for (const name of wanted) conn.join(name);
      for (const name of wanted) await broker.subscribedTo(name);
      expect(auth.batches).toEqual([wanted]);
      expect(auth.signins).toHaveLength(1);
    } finally {
      conn.destroy();
      await auth.close();
    }
  });

  it("a refused channel of a batch is refused alone: the others subscribe and hear their signals, it never joins", async () => {
    const articleIds = ids("batch:refused", 3);
    const [readable, hidden, alsoReadable] = articleIds.map((id) => resourceChannel("ARTICLE", id));
    const auth = await startAuthStandIn(broker.server, { refuse: [hidden] });
    const heard: string[] = [];
    const conn = connect(auth, heard);
    try {
      for (const name of [readable, hidden, alsoReadable]) conn.join(name);
      await broker.subscribedTo(readable);
      await broker.subscribedTo(alsoReadable);
      expect(auth.batches).toEqual([[readable, hidden, alsoReadable]]);
      await broker.publish(articleIds.map(threadSignal));
      await waitFor(() => expect(heard.sort()).toEqual([readable, alsoReadable].sort()), BROKER_WAIT);
      // The signal on the refused channel was published with the others, which arrived: it has no subscriber.
      expect(await broker.subscriptionCount(hidden)).toBe(0);
    } finally {
      conn.destroy();
      await auth.close();
    }
  });

  it(`more than ${MAX_AUTH_CHANNELS} channels at once are split into requests of at most ${MAX_AUTH_CHANNELS}`, async () => {
    const auth = await startAuthStandIn(broker.server);
    const wanted = articles("batch:cap", MAX_AUTH_CHANNELS + 2);
    const conn = connect(auth, []);
    try {
      for (const name of wanted) conn.join(name);
      for (const name of wanted) await broker.subscribedTo(name);
      expect(auth.batches.map((b) => b.length)).toEqual([MAX_AUTH_CHANNELS, 2]);
      expect(auth.batches.flat()).toEqual(wanted);
    } finally {
      conn.destroy();
      await auth.close();
    }
  });
});

import Pusher from "pusher";
import type { ProvidedSoketi } from "../../helpers/app-server";

/** The server-side Pusher client of the test broker: its HTTP API, and triggering events as the app would. */
export function brokerClient(soketi: ProvidedSoketi): Pusher {
  return new Pusher({
    appId: soketi.app.id,
    key: soketi.app.key,
    secret: soketi.app.secret,
    host: soketi.host,
    port: String(soketi.port),
    useTLS: false,
  });
}

/**
 * Occupied channels and their subscriber counts, read from the broker's own HTTP API: the ground truth
 * for "this tab is subscribed" that needs no hook into the page.
 */
export function channelCounter(soketi: ProvidedSoketi) {
  const pusher = brokerClient(soketi);
  return async function occupied(prefix = ""): Promise<Record<string, number>> {
    const res = await pusher.get({ path: "/channels", params: { info: "subscription_count" } });
    const body = (await res.json()) as { channels: Record<string, { subscription_count?: number }> };
    const out: Record<string, number> = {};
    for (const [name, info] of Object.entries(body.channels)) {
      if (name.startsWith(prefix)) out[name] = info.subscription_count ?? 0;
    }
    return out;
  };
}

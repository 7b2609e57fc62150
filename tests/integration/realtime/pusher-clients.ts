import Pusher, { type Options } from "pusher-js";
import { SESSION_COOKIE } from "@/backend/session-store";
import { POST } from "@/app/api/realtime/auth/route";
import { request } from "../../helpers/next-request";
import { APP_ORIGIN, authRequest } from "./auth-helpers";

// The mocked cookie jar is one per process, so concurrent authorizations take turns.
let queue: Promise<unknown> = Promise.resolve();

/**
 * Authorizes through the real route handler, as if the browser had sent the request with `token`'s cookie.
 * pusher-js reports a custom handler's refusal as `{type: "AuthError", error: message}`; the message starts with
 * the route's status.
 */
export function routeAuthorizer(token: () => string | null): NonNullable<Options["channelAuthorization"]> {
  return {
    customHandler: ({ socketId, channelName }, callback) => {
      queue = queue.then(async () => {
        const t = token();
        if (t) request.cookies.set(SESSION_COOKIE, t);
        else request.cookies.delete(SESSION_COOKIE);
        try {
          const res = await POST(authRequest({ socket_id: socketId, channel_name: channelName }, { origin: APP_ORIGIN }));
          const body = await res.json();
          if (res.status !== 200) callback(new Error(`${res.status} ${body.error}`), null);
          else callback(null, body);
        } catch (err) {
          callback(err as Error, null);
        }
      });
    },
  };
}

export function clientOptions(port: number, token: () => string | null): Options {
  return {
    cluster: "mt1",
    wsHost: "127.0.0.1",
    wsPort: port,
    forceTLS: false,
    enabledTransports: ["ws"],
    disableStats: true,
    channelAuthorization: routeAuthorizer(token),
  };
}

export function connectedClient(key: string, options: Options): Promise<Pusher> {
  const pusher = new Pusher(key, options);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("pusher-js did not connect")), 10_000);
    pusher.connection.bind("connected", () => {
      clearTimeout(timer);
      resolve(pusher);
    });
  });
}

/** Resolves with the first payload of `event` on `channel`, or rejects after `ms`. */
export function once<T = unknown>(pusher: Pusher, channel: string, event: string, ms = 5_000): Promise<T> {
  const ch = pusher.channel(channel) ?? pusher.subscribe(channel);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} on ${channel} within ${ms}ms`)), ms);
    const handler = (data: T) => {
      clearTimeout(timer);
      ch.unbind(event, handler);
      resolve(data);
    };
    ch.bind(event, handler);
  });
}

export function subscribed(pusher: Pusher, channel: string): Promise<unknown> {
  const done = once(pusher, channel, "pusher:subscription_succeeded");
  pusher.subscribe(channel);
  return done;
}

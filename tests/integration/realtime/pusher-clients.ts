import Pusher, { type Options } from "pusher-js";
import { SESSION_COOKIE } from "@/backend/session-store";
import { POST } from "@/app/api/realtime/auth/route";
import { POST as SIGNIN } from "@/app/api/realtime/signin/route";
import { request } from "../../helpers/next-request";
import { APP_ORIGIN, authRequest, signinRequest } from "./auth-helpers";

// The mocked cookie jar is one per process, so concurrent authorizations (and route calls) take turns.
let queue: Promise<unknown> = Promise.resolve();

export function withCookie<T>(token: string | null, work: () => Promise<T>): Promise<T> {
  const run = queue.then(() => {
    if (token) request.cookies.set(SESSION_COOKIE, token);
    else request.cookies.delete(SESSION_COOKIE);
    return work();
  });
  queue = run.catch(() => {});
  return run;
}

type SigninAnswer = { status: number; body: { auth?: string; user_data?: string; error?: string } };
/**
 * One sign-in per socket and cookie, shared by the user authentication handler and the channel authorizer waiting
 * for it. A test's observer listens to several users' channels on one socket, so it records the socket for each
 * session it uses (the broker itself knows the socket by its first sign-in only).
 */
const signins = new Map<string, Promise<SigninAnswer>>();
function signinOnce(socketId: string, token: string | null): Promise<SigninAnswer> {
  const key = `${socketId} ${token}`;
  let answer = signins.get(key);
  if (!answer) {
    answer = withCookie(token, async () => {
      const res = await SIGNIN(signinRequest({ socket_id: socketId }, { origin: APP_ORIGIN }));
      return { status: res.status, body: await res.json() };
    });
    signins.set(key, answer);
  }
  return answer;
}

/** Signs the socket in through the real sign-in route, with `token`'s cookie (pusher-js user authentication). */
export function routeSignin(token: () => string | null): NonNullable<Options["userAuthentication"]> {
  return {
    customHandler: ({ socketId }, callback) => {
      signinOnce(socketId, token()).then(
        ({ status, body }) => (status === 200 ? callback(null, body as { auth: string; user_data: string }) : callback(new Error(`${status} ${body.error}`), null)),
        (err: Error) => callback(err, null),
      );
    },
  };
}

/**
 * Authorizes through the real route handler, as if the browser had sent the request with `token`'s cookie.
 * pusher-js reports a custom handler's refusal as `{type: "AuthError", error: message}`; the message starts with
 * the route's status.
 */
export function routeAuthorizer(token: () => string | null): NonNullable<Options["channelAuthorization"]> {
  return {
    customHandler: ({ socketId, channelName }, callback) => {
      // As the app's client does: the channel waits for the socket's sign-in.
      void (async () => {
        try {
          await signinOnce(socketId, token());
          const { status, body } = await withCookie(token(), async () => {
            const res = await POST(authRequest({ socket_id: socketId, channel_name: channelName }, { origin: APP_ORIGIN }));
            return { status: res.status, body: await res.json() };
          });
          if (status !== 200) callback(new Error(`${status} ${body.error}`), null);
          else callback(null, body);
        } catch (err) {
          callback(err as Error, null);
        }
      })();
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
    userAuthentication: routeSignin(token),
  };
}

export function connectedClient(key: string, options: Options): Promise<Pusher> {
  const pusher = new Pusher(key, options);
  if (options.userAuthentication) pusher.signin();
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

import { createRealtimeSigninHandler } from "@/lib/realtime/server";
import { getEnv } from "@/env";
import { connectionSignIn } from "@/backend/realtime/connection-sign-in";
import { realtime } from "@/backend/realtime/server";
import { getSession } from "@/backend/services/session.actions";

/** pusher-js signs its socket in here after every connection: as the request's session, or as a guest. */
export const POST = createRealtimeSigninHandler({
  realtime,
  getSession,
  signIn: connectionSignIn,
  appUrl: () => getEnv().APP_URL,
});

import { createRealtimeAuthHandler } from "@/lib/realtime/server";
import { getEnv } from "@/env";
import { canAccessChannel, canAccessChannels } from "@/backend/realtime/channel-policy";
import { connectionSignIn, sessionOnSocket } from "@/backend/realtime/connection-sign-in";
import { realtime } from "@/backend/realtime/server";
import { readChannelVersionsNow } from "@/backend/realtime/versions";
import { getSession } from "@/backend/services/session.actions";

/**
 * pusher-js asks here before joining a private channel, the library's client for all of a tab's channels in one
 * request: each signed only if the session may read it (channel-policy), and for a session only on a socket it
 * signed in (../signin). The session and the socket's sign-in are one query (sessionOnSocket).
 */
export const POST = createRealtimeAuthHandler({
  realtime,
  getSession,
  canAccess: canAccessChannel,
  canAccessMany: canAccessChannels,
  signIn: connectionSignIn,
  getSessionOnSocket: sessionOnSocket,
  appUrl: () => getEnv().APP_URL,
  readVersions: readChannelVersionsNow,
});

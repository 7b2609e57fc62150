import { createRealtimeVersionsHandler } from "@/lib/realtime/server";
import { getEnv } from "@/env";
import { canAccessChannel, canAccessChannels } from "@/backend/realtime/channel-policy";
import { realtime } from "@/backend/realtime/server";
import { readChannelVersionsNow } from "@/backend/realtime/versions";
import { getSession } from "@/backend/services/session.actions";

/**
 * A connected tab's version check: the current version of each channel it holds that it may read (public ones, and
 * private ones under the same channel policy as ../auth), in one read. A channel it heard less of is resynced.
 */
export const POST = createRealtimeVersionsHandler({
  realtime,
  getSession,
  canAccess: canAccessChannel,
  canAccessMany: canAccessChannels,
  readVersions: readChannelVersionsNow,
  appUrl: () => getEnv().APP_URL,
});

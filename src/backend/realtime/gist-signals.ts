import { resourceChannel, userChannel } from "@/lib/realtime/channels";
import type { Publication } from "./publication";

/**
 * A gist write refreshes the owner's gist list on their other tabs and devices, and (for an existing gist) every
 * open page of it: that refetch is also how a viewer learns that the gist turned private or was deleted (it answers
 * NOT_FOUND, the page says so and leaves the channel). A new gist has no page open yet: the auth route refuses an
 * unknown id, so nobody can be on its channel.
 */
export function gistSignals(ownerId: string, changedGistId: string | null): Publication[] {
  const list: Publication = { channels: [userChannel(ownerId)], signal: { scope: "gists" } };
  if (changedGistId === null) return [list];
  return [list, { channels: [resourceChannel("GIST", changedGistId)], signal: { scope: "gist", ids: { id: changedGistId } } }];
}

import { createHash, timingSafeEqual } from "node:crypto";
import { getEnv } from "@/env";
import { realtime } from "@/backend/realtime/server";

export const dynamic = "force-dynamic";

const digest = (value: string) => createHash("sha256").update(value).digest();

/** Compares digests, so neither the token's content nor its length shows in the time taken. */
function bearerMatches(header: string | null, token: string): boolean {
  const given = /^Bearer (.+)$/.exec(header ?? "")?.[1];
  return given !== undefined && timingSafeEqual(digest(given), digest(token));
}

/**
 * For monitors: always 200 while the app runs. Anyone gets `{ ok }` (realtime configured and its broker answering);
 * the details (counters of this process, the last failure, the broker's latency) need REALTIME_HEALTH_TOKEN as a
 * bearer token, since they tell an outsider when and how publishing fails. With several app instances each answers
 * for itself (`instance` names it); nothing here is summed across them.
 */
export async function GET(request: Request): Promise<Response> {
  const headers = { "cache-control": "no-store" };
  const token = getEnv().REALTIME_HEALTH_TOKEN;
  const authorization = request.headers.get("authorization");
  if (authorization !== null && (!token || !bearerMatches(authorization, token))) {
    return Response.json({ error: "Unknown token." }, { status: 401, headers: { ...headers, "www-authenticate": "Bearer" } });
  }
  const health = await realtime.health();
  if (authorization === null) return Response.json({ ok: health.configured && health.broker.reachable }, { headers });
  return Response.json(health, { headers });
}

import { realtime } from "@/backend/realtime/server";

export const dynamic = "force-dynamic";

/** Always 200 while the app runs: a broker that does not answer is reported, not an error of this endpoint. */
export async function GET(): Promise<Response> {
  return Response.json(await realtime.health(), { headers: { "cache-control": "no-store" } });
}

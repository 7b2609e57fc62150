import { handleRealtimeAuth } from "@/lib/realtime/authorize.server";

export function POST(req: Request): Promise<Response> {
  return handleRealtimeAuth(req);
}

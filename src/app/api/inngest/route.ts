import { serve } from "inngest/next";
import { getEnv, inngestDevRequested } from "@/env";
import { functions, inngest } from "@/lib/inngest";

const handlers = serve({ client: inngest, functions });

type Handler = (request: Request, context: unknown) => Promise<Response>;

/**
 * Inngest calls this route only where it is configured: a signing key (production: every call is verified) or dev
 * mode (development only; src/env.ts refuses it in production). Without either, notifications run in-process and
 * the route has nothing to serve; Inngest's own handler would answer such calls with a 500.
 */
function whenConfigured(handler: unknown): Handler {
  return async (request, context) => {
    const env = getEnv();
    if (!env.INNGEST_SIGNING_KEY && !inngestDevRequested(env.INNGEST_DEV)) {
      return Response.json({ error: "Inngest is not configured on this server." }, { status: 404 });
    }
    return (handler as Handler)(request, context);
  };
}

export const GET = whenConfigured(handlers.GET);
export const POST = whenConfigured(handlers.POST);
export const PUT = whenConfigured(handlers.PUT);

import { afterEach, describe, expect, it } from "vitest";
import { resetEnvCache } from "@/env";
import { GET, POST, PUT } from "@/app/api/inngest/route";

/** /api/inngest: nothing to serve where Inngest is not configured; unsigned calls refused where it is. */
const saved = { ...process.env };
const URL_ = "http://localhost:3000/api/inngest?fnId=techdiary-persist-notification&stepId=step";
const unsignedCall = () =>
  new Request(URL_, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ event: { name: "x", data: {} }, ctx: {} }) });

function useEnv(vars: Record<string, string>) {
  for (const k of ["INNGEST_DEV", "INNGEST_EVENT_KEY", "INNGEST_SIGNING_KEY"]) delete process.env[k];
  Object.assign(process.env, vars);
  resetEnvCache();
}

afterEach(() => {
  process.env = { ...saved };
  resetEnvCache();
});

describe("/api/inngest", () => {
  it("answers 404 to every method when neither a signing key nor dev mode is set (notifications run in-process)", async () => {
    useEnv({ NODE_ENV: "production" });
    for (const handler of [GET, POST, PUT]) {
      const res = await handler(unsignedCall(), {});
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: "Inngest is not configured on this server." });
    }
  });

  it("with a signing key, an unsigned call is refused with a 4xx and runs nothing", async () => {
    useEnv({ NODE_ENV: "production", INNGEST_SIGNING_KEY: "signkey-prod-0123456789abcdef0123456789abcdef", INNGEST_EVENT_KEY: "event-key" });
    const res = await POST(unsignedCall(), {});
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});

import { afterAll, describe, expect, it, vi } from "vitest";
import { resetEnvCache } from "@/env";
import { getBroker, realtimeClientConfig } from "@/lib/realtime/broker.server";

const saved = { ...process.env };
const VARS = ["PUSHER_APP_ID", "PUSHER_KEY", "PUSHER_SECRET", "PUSHER_HOST", "PUSHER_PORT", "PUSHER_USE_TLS", "PUSHER_PUBLIC_HOST", "PUSHER_PUBLIC_PORT", "PUSHER_PUBLIC_TLS", "PUSHER_CLUSTER"];
function useEnv(vars: Record<string, string>) {
  for (const k of VARS) delete process.env[k];
  Object.assign(process.env, vars);
  resetEnvCache();
}
afterAll(() => {
  process.env = saved;
  resetEnvCache();
});

const creds = { PUSHER_APP_ID: "a", PUSHER_KEY: "k", PUSHER_SECRET: "s" };

describe("broker configuration", () => {
  it("is off without credentials, says so once, and gives the browser no config", () => {
    const info = vi.spyOn(console, "info").mockImplementation(() => {});
    useEnv({});
    expect(getBroker()).toBeNull();
    useEnv({});
    expect(getBroker()).toBeNull();
    expect(realtimeClientConfig()).toBeNull();
    expect(info).toHaveBeenCalledTimes(1);
    expect(String(info.mock.calls[0][0])).toMatch(/realtime.*off/i);
  });

  it("reuses one client per configuration", () => {
    useEnv({ ...creds, PUSHER_HOST: "127.0.0.1", PUSHER_PORT: "6001" });
    expect(getBroker()).toBe(getBroker());
  });

  it("points the browser at the public host when one is set, else at the server's broker host", () => {
    useEnv({ ...creds, PUSHER_HOST: "soketi", PUSHER_PORT: "6001", PUSHER_USE_TLS: "0" });
    expect(realtimeClientConfig()).toEqual({ key: "k", wsHost: "soketi", wsPort: 6001, forceTLS: false, cluster: "mt1" });
    useEnv({ ...creds, PUSHER_HOST: "soketi", PUSHER_PORT: "6001", PUSHER_PUBLIC_HOST: "ws.example.com", PUSHER_PUBLIC_TLS: "1" });
    expect(realtimeClientConfig()).toEqual({ key: "k", wsHost: "ws.example.com", wsPort: 443, forceTLS: true, cluster: "mt1" });
    useEnv({ ...creds, PUSHER_CLUSTER: "eu" });
    expect(realtimeClientConfig()).toEqual({ key: "k", wsHost: "ws-eu.pusher.com", wsPort: 443, forceTLS: true, cluster: "eu" });
  });
});

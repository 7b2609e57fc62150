import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { getEnv, resetEnvCache } from "@/env";
import { createRealtimeServer } from "@/lib/realtime/server";
import { brokerConfig, realtime } from "@/backend/realtime/server";
import { scopes } from "@/backend/realtime/scopes";

/** The broker settings: from the app's environment (brokerConfig) to the REST client and the browser's config. */
const saved = { ...process.env };
const VARS = [
  "PUSHER_APP_ID",
  "PUSHER_KEY",
  "PUSHER_SECRET",
  "PUSHER_HOST",
  "PUSHER_PORT",
  "PUSHER_USE_TLS",
  "PUSHER_PUBLIC_HOST",
  "PUSHER_PUBLIC_PORT",
  "PUSHER_PUBLIC_TLS",
  "PUSHER_CLUSTER",
  "REALTIME_PUBLISH_TIMEOUT_MS",
];
function useEnv(vars: Record<string, string>) {
  for (const k of VARS) delete process.env[k];
  Object.assign(process.env, vars);
  resetEnvCache();
}
afterEach(() => vi.restoreAllMocks());
afterAll(() => {
  process.env = saved;
  resetEnvCache();
});

const creds = { PUSHER_APP_ID: "a", PUSHER_KEY: "k", PUSHER_SECRET: "top-secret" };
/** A realtime server of its own, so "said once" and the client cache start fresh. */
const fresh = () => createRealtimeServer({ scopes, broker: () => brokerConfig(getEnv()), offHint: "PUSHER_* not set" });

describe("broker configuration", () => {
  it("is off without credentials, says so once (with the host's hint), and gives the browser no config", () => {
    const info = vi.spyOn(console, "info").mockImplementation(() => {});
    const rt = fresh();
    useEnv({});
    expect(brokerConfig(getEnv())).toBeNull();
    expect(rt.broker()).toBeNull();
    useEnv({});
    expect(rt.broker()).toBeNull();
    expect(rt.clientConfig()).toBeNull();
    expect(info).toHaveBeenCalledTimes(1);
    expect(String(info.mock.calls[0][0])).toMatch(/realtime.*off.*PUSHER_\* not set/i);
  });

  it("maps the app's variables to the library's settings", () => {
    useEnv({ ...creds, PUSHER_HOST: "soketi", PUSHER_PORT: "6001", PUSHER_USE_TLS: "0", REALTIME_PUBLISH_TIMEOUT_MS: "750" });
    expect(brokerConfig(getEnv())).toMatchObject({
      appId: "a",
      key: "k",
      secret: "top-secret",
      host: "soketi",
      port: 6001,
      useTLS: false,
      cluster: "mt1",
      timeoutMs: 750,
    });
  });

  it("reuses one client per configuration, and builds a new one when the configuration changes", () => {
    const rt = fresh();
    useEnv({ ...creds, PUSHER_HOST: "127.0.0.1", PUSHER_PORT: "6001" });
    const first = rt.broker();
    expect(first).not.toBeNull();
    expect(rt.broker()).toBe(first);
    useEnv({ ...creds, PUSHER_HOST: "127.0.0.1", PUSHER_PORT: "6001" });
    expect(rt.broker()).toBe(first);
    useEnv({ ...creds, PUSHER_HOST: "127.0.0.1", PUSHER_PORT: "6002" });
    expect(rt.broker()).not.toBe(first);
    expect(rt.broker()?.timeoutMs).toBe(2000);
  });

  it("points the browser at the public host when one is set, else at the server's broker host, with the auth, sign-in and versions routes", () => {
    const rt = fresh();
    const auth = "/api/realtime/auth";
    const signin = "/api/realtime/signin";
    const versions = "/api/realtime/versions";
    useEnv({ ...creds, PUSHER_HOST: "soketi", PUSHER_PORT: "6001", PUSHER_USE_TLS: "0" });
    expect(rt.clientConfig()).toEqual({ key: "k", wsHost: "soketi", wsPort: 6001, forceTLS: false, cluster: "mt1", authEndpoint: auth, signinEndpoint: signin, versionsEndpoint: versions });
    useEnv({ ...creds, PUSHER_HOST: "soketi", PUSHER_PORT: "6001", PUSHER_PUBLIC_HOST: "ws.example.com", PUSHER_PUBLIC_TLS: "1" });
    expect(rt.clientConfig()).toEqual({ key: "k", wsHost: "ws.example.com", wsPort: 443, forceTLS: true, cluster: "mt1", authEndpoint: auth, signinEndpoint: signin, versionsEndpoint: versions });
    useEnv({ ...creds, PUSHER_CLUSTER: "eu" });
    expect(rt.clientConfig()).toEqual({ key: "k", wsHost: "ws-eu.pusher.com", wsPort: 443, forceTLS: true, cluster: "eu", authEndpoint: auth, signinEndpoint: signin, versionsEndpoint: versions });
    // The app's own instance gives the same, and never the secret.
    expect(realtime.clientConfig()).toEqual(rt.clientConfig());
    expect(JSON.stringify(realtime.clientConfig())).not.toContain("top-secret");
  });
});

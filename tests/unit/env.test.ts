import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { demoLoginEnabled, getEnv, resetEnvCache } from "@/env";

const original = process.env;

/** getEnv() reads the whole of process.env, so each case runs against exactly the variables it names. */
function withEnv(vars: Record<string, string>) {
  process.env = { ...vars } as NodeJS.ProcessEnv;
  resetEnvCache();
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected a throw");
}

afterEach(() => {
  process.env = original;
  resetEnvCache();
});

describe("getEnv", () => {
  it("applies working local defaults to an empty environment", () => {
    withEnv({});
    const env = getEnv();
    expect(env).toMatchObject({
      NODE_ENV: "development",
      APP_URL: "http://localhost:3000",
      PGLITE_DATA_DIR: ".data/pglite",
      PUSHER_CLUSTER: "mt1",
      PUSHER_USE_TLS: false,
      PUSHER_PUBLIC_TLS: false,
      REALTIME_PUBLISH_TIMEOUT_MS: 2000,
    });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.PUSHER_APP_ID).toBeUndefined();
  });

  it("parses the local broker settings of .env.development", () => {
    withEnv({
      PUSHER_APP_ID: "techdiary",
      PUSHER_KEY: "techdiary-key",
      PUSHER_SECRET: "techdiary-secret",
      PUSHER_HOST: "127.0.0.1",
      PUSHER_PORT: "6001",
      PUSHER_USE_TLS: "true",
    });
    expect(getEnv()).toMatchObject({ PUSHER_PORT: 6001, PUSHER_HOST: "127.0.0.1", PUSHER_USE_TLS: true });
  });

  it("treats an empty DATABASE_URL as unset and accepts postgres URLs", () => {
    withEnv({ DATABASE_URL: "" });
    expect(getEnv().DATABASE_URL).toBeUndefined();
    withEnv({ DATABASE_URL: "postgresql://u@127.0.0.1:5432/db" });
    expect(getEnv().DATABASE_URL).toBe("postgresql://u@127.0.0.1:5432/db");
  });

  it("names every bad variable in one error", () => {
    withEnv({
      PUSHER_PORT: "not-a-port",
      APP_URL: "localhost",
      DATABASE_URL: "mysql://x",
      REALTIME_PUBLISH_TIMEOUT_MS: "5",
      DEMO_LOGIN: "yes",
    });
    const message = errorOf(getEnv);
    expect(message).toMatch(/^Invalid environment configuration:/);
    for (const name of ["PUSHER_PORT", "APP_URL", "DATABASE_URL", "REALTIME_PUBLISH_TIMEOUT_MS", "DEMO_LOGIN"]) {
      expect(message).toMatch(new RegExp(`^  ${name}: `, "m"));
    }
    expect(message).toContain("must be a postgres:// or postgresql:// URL");
  });

  it("rejects an out-of-range port", () => {
    withEnv({ PUSHER_PORT: "70000" });
    expect(errorOf(getEnv)).toMatch(/PUSHER_PORT: /);
  });

  it("requires the broker credentials all together or not at all", () => {
    withEnv({ PUSHER_APP_ID: "techdiary", PUSHER_KEY: "techdiary-key" });
    expect(errorOf(getEnv)).toMatch(/PUSHER_APP_ID: PUSHER_APP_ID, PUSHER_KEY and PUSHER_SECRET must be set together/);
    withEnv({ PUSHER_SECRET: "s" });
    expect(errorOf(getEnv)).toMatch(/must be set together/);
    withEnv({ PUSHER_APP_ID: "a", PUSHER_KEY: "k", PUSHER_SECRET: "s" });
    expect(getEnv().PUSHER_SECRET).toBe("s");
  });

  it("caches until reset", () => {
    withEnv({ APP_URL: "http://127.0.0.1:4000" });
    const first = getEnv();
    process.env.APP_URL = "http://127.0.0.1:5000";
    expect(getEnv()).toBe(first);
    resetEnvCache();
    expect(getEnv().APP_URL).toBe("http://127.0.0.1:5000");
  });
});

describe("demoLoginEnabled", () => {
  const cases: Array<[Record<string, string>, boolean]> = [
    [{ NODE_ENV: "development" }, true],
    [{ NODE_ENV: "test" }, true],
    [{ NODE_ENV: "production" }, false],
    [{ NODE_ENV: "production", DEMO_LOGIN: "1" }, true],
    [{ NODE_ENV: "production", DEMO_LOGIN: "" }, false],
    [{ NODE_ENV: "development", DEMO_LOGIN: "0" }, false],
  ];
  it.each(cases)("%o -> %s", (vars, expected) => {
    withEnv(vars);
    expect(demoLoginEnabled()).toBe(expected);
  });
});

describe("committed env files", () => {
  /** KEY=VALUE lines as Next's dotenv loader reads them (these files use no quoting or expansion). */
  function readEnvFile(name: string): Record<string, string> {
    const text = readFileSync(path.resolve(import.meta.dirname, "../..", name), "utf8");
    return Object.fromEntries(
      text
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line && !line.startsWith("#"))
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
  }

  it(".env.example parses and names every variable of the schema", () => {
    const vars = readEnvFile(".env.example");
    withEnv(vars);
    expect(getEnv()).toMatchObject({ PUSHER_PORT: 6001, APP_URL: "http://localhost:3000" });
    const text = readFileSync(path.resolve(import.meta.dirname, "../../.env.example"), "utf8");
    const schemaKeys = Object.keys(getEnv()).filter((k) => k !== "NODE_ENV");
    for (const key of [...schemaKeys, "DATABASE_URL", "DEMO_LOGIN", "PUSHER_PUBLIC_HOST", "PUSHER_PUBLIC_PORT", "INNGEST_DEV", "INNGEST_EVENT_KEY", "INNGEST_SIGNING_KEY"]) {
      expect(text, key).toMatch(new RegExp(`^(# )?${key}=`, "m"));
    }
  });

  it(".env.development points next dev at the Soketi of config/soketi.json", () => {
    const vars = readEnvFile(".env.development");
    const soketi = JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../../config/soketi.json"), "utf8"));
    const app = soketi["appManager.array.apps"][0];
    expect(vars).toMatchObject({
      PUSHER_APP_ID: app.id,
      PUSHER_KEY: app.key,
      PUSHER_SECRET: app.secret,
      PUSHER_HOST: soketi.host,
      PUSHER_PORT: String(soketi.port),
    });
    withEnv({ ...vars, NODE_ENV: "development" });
    expect(demoLoginEnabled(getEnv())).toBe(true);
  });
});

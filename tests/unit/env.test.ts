import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { COMMITTED_PUSHER_CREDENTIALS, SOKETI_DEFAULT_CREDENTIALS, demoLoginEnabled, getEnv, inngestDevRequested, resetEnvCache } from "@/env";

const ROOT = path.resolve(import.meta.dirname, "../..");

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

describe("production refuses what anyone can read", () => {
  const own = { PUSHER_APP_ID: "techdiary", PUSHER_KEY: "k-4f1c9a", PUSHER_SECRET: "s-8d27e0b5c1" };

  it("accepts the broker's own credentials and no INNGEST_DEV", () => {
    withEnv({ NODE_ENV: "production", ...own, INNGEST_SIGNING_KEY: "signkey-prod-1", INNGEST_EVENT_KEY: "evt" });
    expect(getEnv()).toMatchObject({ PUSHER_KEY: own.PUSHER_KEY, PUSHER_SECRET: own.PUSHER_SECRET });
    withEnv({ NODE_ENV: "production" }); // realtime off, notifications in-process
    expect(getEnv().PUSHER_SECRET).toBeUndefined();
  });

  it("refuses the committed development credentials, both named in one error with what to do instead", () => {
    withEnv({ NODE_ENV: "production", PUSHER_APP_ID: "techdiary", PUSHER_KEY: "techdiary-key", PUSHER_SECRET: "techdiary-secret" });
    const message = errorOf(getEnv);
    expect(message).toMatch(/^  PUSHER_SECRET: is a published development secret .*anyone can sign private-channel subscriptions/m);
    expect(message).toMatch(/^  PUSHER_KEY: is a published development key/m);
    expect(message).toContain("leave PUSHER_APP_ID, PUSHER_KEY and PUSHER_SECRET unset and `npm start` runs the bundled local broker");
  });

  it.each([...COMMITTED_PUSHER_CREDENTIALS, ...SOKETI_DEFAULT_CREDENTIALS])("refuses %s as the key or as the secret", (value) => {
    withEnv({ NODE_ENV: "production", ...own, PUSHER_SECRET: value });
    expect(errorOf(getEnv)).toMatch(/^  PUSHER_SECRET: /m);
    withEnv({ NODE_ENV: "production", ...own, PUSHER_KEY: ` ${value} ` });
    expect(errorOf(getEnv)).toMatch(/^  PUSHER_KEY: /m);
  });

  it.each(["1", "true", "TRUE", " 1 ", "http://127.0.0.1:8288", "yes"])("refuses INNGEST_DEV=%j, saying why and what to set", (value) => {
    withEnv({ NODE_ENV: "production", INNGEST_DEV: value });
    const message = errorOf(getEnv);
    expect(message).toMatch(/^  INNGEST_DEV: must not be set in production: .*\/api\/inngest accepts unsigned calls/m);
    expect(message).toContain("set INNGEST_SIGNING_KEY and INNGEST_EVENT_KEY");
  });

  it.each(["", "0", "false", " FALSE "])("accepts INNGEST_DEV=%j (off) in production", (value) => {
    withEnv({ NODE_ENV: "production", INNGEST_DEV: value });
    expect(() => getEnv()).not.toThrow();
    expect(inngestDevRequested(value)).toBe(false);
  });

  it("lists every refused variable of production in the one error, with the other bad ones", () => {
    withEnv({ NODE_ENV: "production", PUSHER_APP_ID: "a", PUSHER_KEY: "techdiary-key", PUSHER_SECRET: "techdiary-secret", INNGEST_DEV: "1", APP_URL: "nope" });
    const message = errorOf(getEnv);
    for (const name of ["PUSHER_SECRET", "PUSHER_KEY", "INNGEST_DEV", "APP_URL"]) expect(message).toMatch(new RegExp(`^  ${name}: `, "m"));
  });

  it("development and test keep working with the committed values and INNGEST_DEV", () => {
    for (const NODE_ENV of ["development", "test"]) {
      withEnv({ NODE_ENV, PUSHER_APP_ID: "techdiary", PUSHER_KEY: "techdiary-key", PUSHER_SECRET: "techdiary-secret", INNGEST_DEV: "1" });
      expect(getEnv()).toMatchObject({ PUSHER_SECRET: "techdiary-secret", INNGEST_DEV: "1" });
    }
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

  it(".env.example parses and names every variable of the schema, and passes production as it stands", () => {
    const vars = readEnvFile(".env.example");
    withEnv(vars);
    expect(getEnv()).toMatchObject({ APP_URL: "http://localhost:3000" });
    // It hands out no broker credentials: left as they are, `npm start` runs the bundled broker with generated ones.
    expect(getEnv().PUSHER_SECRET).toBeUndefined();
    withEnv({ ...vars, NODE_ENV: "production" });
    expect(() => getEnv()).not.toThrow();
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

  /** The values a committed file hands to a broker or to the app as PUSHER_KEY / PUSHER_SECRET. */
  function credentialsIn(name: string): string[] {
    const text = readFileSync(path.resolve(ROOT, name), "utf8");
    if (name.endsWith(".json")) {
      return (JSON.parse(text)["appManager.array.apps"] as Array<{ key: string; secret: string }>).flatMap((a) => [a.key, a.secret]);
    }
    return [...text.matchAll(/^\s*(?:PUSHER_KEY|PUSHER_SECRET|SOKETI_DEFAULT_APP_KEY|SOKETI_DEFAULT_APP_SECRET)\s*[=:]\s*"?([^"\s#]+)/gm)].map((m) => m[1]);
  }

  const HOLDERS = [".env.development", "config/soketi.json", "docker-compose.soketi.yml"];
  // Generated from config/soketi.json by scripts/cluster-config.mjs (tests/unit/cluster-config.test.ts keeps them equal).
  const GENERATED_HOLDERS = ["config/soketi-cluster-node-1.json", "config/soketi-cluster-node-2.json"];

  it("COMMITTED_PUSHER_CREDENTIALS is exactly what the committed development files hold", () => {
    const held = new Set(HOLDERS.flatMap(credentialsIn));
    expect([...held].sort()).toEqual([...COMMITTED_PUSHER_CREDENTIALS].sort());
    for (const file of HOLDERS) expect(credentialsIn(file).length, file).toBeGreaterThan(0);
    expect(credentialsIn(".env.example")).toEqual([]);
  });

  it("no other tracked file (docs and tests aside) holds a committed credential", () => {
    let tracked: string[];
    try {
      tracked = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" }).split("\0").filter(Boolean);
    } catch {
      return; // not a git checkout (an unpacked archive): the files above are still checked
    }
    const holders = tracked.filter((file) => {
      if (/^(tests|docs)\//.test(file) || file.endsWith(".md") || file === "src/env.ts") return false;
      let text: string;
      try {
        text = readFileSync(path.resolve(ROOT, file), "utf8");
      } catch {
        return false; // deleted in the work tree
      }
      return COMMITTED_PUSHER_CREDENTIALS.some((value) => text.includes(value));
    });
    expect(holders.sort()).toEqual([...HOLDERS, ...GENERATED_HOLDERS].sort());
  });
});

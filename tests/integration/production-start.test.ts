import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Pusher from "pusher";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { COMMITTED_PUSHER_CREDENTIALS, getEnv, resetEnvCache } from "@/env";
import {
  BASE_CONFIG,
  SOKETI_BIN,
  appBrokerEnv,
  planStart,
  prepareBundledBroker,
  readBaseConfig,
  soketiEnv,
  type BundledBroker,
} from "../../scripts/bundled-broker.mjs";
import { freePort } from "../helpers/free-port";

/**
 * `npm start` (scripts/start.mjs): with no broker settings it runs the bundled Soketi with credentials generated once
 * into .data/soketi/ (scripts/bundled-broker.mjs), never with the committed development secret of config/soketi.json.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
const START = path.join(ROOT, "scripts/start.mjs");
const APPS = "appManager.array.apps";
const mode = (file: string) => statSync(file).mode & 0o777;

const scratch: string[] = [];
function tempProject(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "production-start-"));
  scratch.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

async function freePorts(): Promise<Record<string, string>> {
  return {
    SOKETI_PORT: String(await freePort()),
    SOKETI_METRICS_SERVER_PORT: String(await freePort()),
    SOKETI_CLUSTER_PORT: String(await freePort()),
  };
}

describe("planStart: what npm start runs", () => {
  const creds = { PUSHER_APP_ID: "a", PUSHER_KEY: "k", PUSHER_SECRET: "s" };
  it("all three broker variables: next start only, on PORT or 3000", () => {
    expect(planStart(creds)).toEqual({ mode: "external", appPort: 3000 });
    expect(planStart({ ...creds, PORT: "4100" })).toEqual({ mode: "external", appPort: 4100 });
  });
  it("none (or empty ones): the bundled broker", () => {
    expect(planStart({})).toEqual({ mode: "bundled", appPort: 3000 });
    expect(planStart({ PUSHER_APP_ID: "", PUSHER_HOST: "127.0.0.1" })).toEqual({ mode: "bundled", appPort: 3000 });
  });
  it("refuses some but not all, and a bad PORT", () => {
    expect(planStart({ PUSHER_KEY: "k", PUSHER_SECRET: "s" }).refuse).toMatch(/^PUSHER_KEY, PUSHER_SECRET are set but not PUSHER_APP_ID\. Set all three/);
    expect(planStart({ PORT: "http" }).refuse).toMatch(/PORT=http is not a port/);
  });
});

describe("the bundled broker's credentials and config", () => {
  afterEach(() => {
    resetEnvCache();
  });

  it("goes where git ignores it (.data/)", () => {
    const res = spawnSync("git", ["check-ignore", "-q", ".data/soketi/credentials.json"], { cwd: ROOT });
    if (res.error) return; // no git here
    expect(res.status, ".data/ must be git-ignored").toBe(0);
  });

  it("generates credentials once (0600, in a 0700 folder), reuses them, and writes a 0600 config from config/soketi.json", () => {
    const dir = path.join(tempProject(), ".data/soketi");
    const first = prepareBundledBroker({ dir });
    expect(first.created).toBe(true);
    expect(first.credentialsPath).toBe(path.join(dir, "credentials.json"));
    expect(mode(dir)).toBe(0o700);
    expect(mode(first.credentialsPath)).toBe(0o600);
    expect(mode(first.configPath)).toBe(0o600);
    expect(first.credentials.id).toBe("techdiary");
    expect(first.credentials.key).toMatch(/^[0-9a-f]{32}$/);
    expect(first.credentials.secret).toMatch(/^[0-9a-f]{64}$/);

    const again = prepareBundledBroker({ dir });
    expect(again.created).toBe(false);
    expect(again.credentials).toEqual(first.credentials);
    expect(JSON.parse(readFileSync(again.configPath, "utf8"))).toEqual(first.config);

    // Another machine (another folder) gets its own.
    expect(prepareBundledBroker({ dir: path.join(tempProject(), "soketi") }).credentials.secret).not.toBe(first.credentials.secret);
  });

  it("keeps every key of config/soketi.json but the app's id, key and secret, and holds no committed credential", () => {
    const { config, configPath, credentials } = prepareBundledBroker({ dir: path.join(tempProject(), "soketi") });
    const base = readBaseConfig(BASE_CONFIG);
    const { [APPS]: baseApps, ...baseRest } = base;
    const { [APPS]: apps, ...rest } = config;
    expect(rest).toEqual(baseRest);
    for (const key of ["host", "metrics.host", "cluster.hostname", "cluster.address", "cluster.unicast"]) expect(config[key], key).toBe("127.0.0.1");
    const [baseApp] = baseApps as Array<Record<string, unknown>>;
    expect(apps).toEqual([{ ...baseApp, ...credentials }]);
    // The limits came along (finding 9: none is unlimited).
    for (const [key, value] of Object.entries(baseApp)) if (key.startsWith("max")) expect(value, key).toBeGreaterThan(0);

    const written = readFileSync(configPath, "utf8");
    for (const value of COMMITTED_PUSHER_CREDENTIALS) expect(written).not.toContain(value);
    // And the server accepts them in production.
    const saved = process.env;
    try {
      process.env = { NODE_ENV: "production", ...appBrokerEnv(prepareBundledBroker({ dir: path.dirname(configPath) })) } as NodeJS.ProcessEnv;
      resetEnvCache();
      expect(getEnv().PUSHER_SECRET).toBe(credentials.secret);
    } finally {
      process.env = saved;
    }
  });

  it("takes its ports from SOKETI_PORT / SOKETI_METRICS_SERVER_PORT / SOKETI_CLUSTER_PORT", () => {
    const env = { SOKETI_PORT: "7001", SOKETI_METRICS_SERVER_PORT: "7002", SOKETI_CLUSTER_PORT: "7003" };
    const broker = prepareBundledBroker({ dir: path.join(tempProject(), "soketi"), env });
    expect(broker).toMatchObject({ host: "127.0.0.1", port: 7001, config: { "metrics.port": 7002, "cluster.port": 7003 } });
    expect(() => prepareBundledBroker({ dir: path.join(tempProject(), "soketi"), env: { SOKETI_PORT: "70000" } })).toThrow(/SOKETI_PORT=70000 is not a port/);
  });

  it("refuses a credentials file it did not write (or one holding the committed secret), and tightens a loosened mode", () => {
    const dir = path.join(tempProject(), "soketi");
    const { credentialsPath, credentials } = prepareBundledBroker({ dir });
    chmodSync(credentialsPath, 0o644);
    prepareBundledBroker({ dir });
    expect(mode(credentialsPath)).toBe(0o600);

    writeFileSync(credentialsPath, JSON.stringify({ ...credentials, secret: "techdiary-secret" }));
    expect(() => prepareBundledBroker({ dir })).toThrow(/does not hold credentials generated by npm start; delete it/);
    writeFileSync(credentialsPath, "{");
    expect(() => prepareBundledBroker({ dir })).toThrow(/delete it and start again/);
  });

  it("runs a real Soketi from the generated config on 127.0.0.1: the generated secret publishes, the committed one is refused", async () => {
    const env = await freePorts();
    const broker: BundledBroker = prepareBundledBroker({ dir: path.join(tempProject(), "soketi"), env });
    let output = "";
    const child: ChildProcess = spawn(process.execPath, [SOKETI_BIN, "start", `--config=${broker.configPath}`], {
      cwd: broker.dir,
      // What start.mjs does: no SOKETI_* variable reaches Soketi (this one would replace the generated secret).
      env: soketiEnv({ PATH: process.env.PATH, HOME: process.env.HOME, SOKETI_DEFAULT_APP_SECRET: "leaked-in", NODE_ENV: "production" }) as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    try {
      const deadline = Date.now() + 20_000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`soketi exited (${child.exitCode}):\n${output}`);
        const ok = await fetch(`http://127.0.0.1:${broker.port}/`).then((r) => r.ok, () => false);
        if (ok) break;
        if (Date.now() > deadline) throw new Error(`soketi did not answer on ${broker.port}:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const client = (secret: string) =>
        new Pusher({ appId: broker.credentials.id, key: broker.credentials.key, secret, host: "127.0.0.1", port: String(broker.port), useTLS: false });
      const accepted = await client(broker.credentials.secret).trigger("tag.start-test", "invalidate", { scope: "x" });
      expect(accepted.status).toBe(200);
      expect(await accepted.json()).toEqual({ ok: true });
      // Soketi answers a bad signature with HTTP 200 and an error body.
      const refused = await client("techdiary-secret").trigger("tag.start-test", "invalidate", { scope: "x" });
      expect(await refused.json()).toMatchObject({ code: 401, error: "The secret authentication failed" });
    } finally {
      const exited = new Promise((r) => child.once("exit", r));
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    }
  });
});

describe("scripts/start.mjs", () => {
  /** Runs `npm start`'s script in `cwd` (a project folder without a build) and collects its output and exit code. */
  function runStart(cwd: string, env: Record<string, string>, timeoutMs = 40_000) {
    const child = spawn(process.execPath, [START], {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? cwd, NEXT_TELEMETRY_DISABLED: "1", ...env } as unknown as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    return new Promise<{ code: number | null; output: string }>((resolve) => {
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.once("exit", (code) => {
        clearTimeout(timer);
        resolve({ code, output });
      });
    });
  }

  it("refuses an incomplete broker configuration before starting anything", async () => {
    const cwd = tempProject();
    const { code, output } = await runStart(cwd, { PUSHER_SECRET: "s" });
    expect(code).toBe(1);
    expect(output).toMatch(/\[start\] refused: PUSHER_SECRET is set but not PUSHER_APP_ID, PUSHER_KEY/);
    expect(existsSync(path.join(cwd, ".data"))).toBe(false);
  });

  it("reads the .env files next start reads: broker settings there mean next start only, no bundled broker", async () => {
    const cwd = tempProject();
    writeFileSync(path.join(cwd, ".env.local"), "PUSHER_APP_ID=mine\nPUSHER_KEY=my-key\nPUSHER_SECRET=my-secret\nPUSHER_HOST=127.0.0.1\nPUSHER_PORT=6001\n");
    const { code, output } = await runStart(cwd, { PORT: String(await freePort()) });
    expect(output).toMatch(/broker settings found \(app mine at 127\.0\.0\.1:6001\): starting next start only/);
    expect(output).not.toContain("[soketi]");
    expect(existsSync(path.join(cwd, ".data"))).toBe(false);
    // No build in this folder, so next start stops at once; the script exits with its code.
    expect(code).not.toBe(0);
  });

  it("without broker settings: starts the bundled Soketi, and stops it by PID when next exits (here: no build)", async () => {
    const cwd = tempProject();
    const ports = await freePorts();
    const { code, output } = await runStart(cwd, { ...ports, PORT: String(await freePort()) });
    expect(output).toMatch(/bundled Soketi on 127\.0\.0\.1:\d+ with credentials generated now in \.data\/soketi\/credentials\.json/);
    expect(output).toContain("[soketi]");
    expect(output).toMatch(/\[start\] next exited \(code 1\); stopping soketi \(pid \d+\)/);
    expect(code).toBe(1);
    expect(mode(path.join(cwd, ".data/soketi/credentials.json"))).toBe(0o600);
    // Soketi is gone: nothing answers on its port any more.
    await expect(fetch(`http://127.0.0.1:${ports.SOKETI_PORT}/`)).rejects.toThrow();

    const second = await runStart(cwd, { ...ports, PORT: String(await freePort()) });
    expect(second.output).toMatch(/with the credentials generated earlier in \.data\/soketi\/credentials\.json/);
  });

  it("refuses to start the bundled broker on a port something already listens on", async () => {
    const cwd = tempProject();
    const ports = await freePorts();
    const net = await import("node:net");
    const blocker = net.createServer().listen(Number(ports.SOKETI_PORT), "127.0.0.1");
    await new Promise((r) => blocker.once("listening", r));
    try {
      const { code, output } = await runStart(cwd, ports);
      expect(code).toBe(1);
      expect(output).toMatch(/refused: the bundled broker's port 127\.0\.0\.1:\d+ is not available \(EADDRINUSE\)/);
      expect(output).not.toContain("[soketi]");
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});

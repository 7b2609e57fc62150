import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "./free-port";
import { startRedis, type RedisHandle } from "./redis";
import { clusterNodeConfig } from "../../scripts/cluster-config.mjs";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BASE_CONFIG = path.join(ROOT, "config/soketi.json");
const SOKETI_BIN = path.join(ROOT, "node_modules/@soketi/soketi/bin/server.js");
const APPS = "appManager.array.apps";

export type SoketiApp = { id: string; key: string; secret: string };

export type SoketiHandle = {
  port: number;
  host: "127.0.0.1";
  app: SoketiApp;
  pid: number;
  /** Env for the app/publisher pointing at this broker. */
  env: Record<string, string>;
  /** Stops the process (SIGTERM, then SIGKILL after the grace period) and waits for its exit. */
  stop: (opts?: { graceful?: boolean }) => Promise<void>;
  /** Starts a new process on the same port (after stop()). */
  restart: () => Promise<void>;
  log: () => string;
};

/**
 * A fresh app key and secret for one broker: servers the tests run with NODE_ENV=production (`next start`) refuse
 * the committed development ones (src/env.ts), and no run should depend on a published secret anyway.
 */
export function randomApp(): SoketiApp {
  return { id: "techdiary", key: `test-key-${randomBytes(8).toString("hex")}`, secret: randomBytes(24).toString("hex") };
}

/**
 * Starts a real Soketi on free loopback ports, always from the project's config (loopback only, no UDP
 * broadcast, its limits) with a random app key and secret, and returns once it answers HTTP. `overrides` replace
 * config keys; an app list there brings its own credentials, which `app` and `env` then report.
 */
export async function startSoketi(overrides: Record<string, unknown> = {}): Promise<SoketiHandle> {
  const base = JSON.parse(readFileSync(BASE_CONFIG, "utf8")) as Record<string, unknown>;
  const port = await freePort();
  const config: Record<string, unknown> = {
    ...base,
    port,
    "metrics.port": await freePort(),
    "cluster.port": await freePort(),
    [APPS]: (base[APPS] as SoketiApp[]).map((app) => ({ ...app, ...randomApp() })),
    ...overrides,
  };
  const dir = mkdtempSync(path.join(tmpdir(), "soketi-"));
  const configPath = path.join(dir, "soketi.json");
  writeFileSync(configPath, JSON.stringify(config));
  // restart() needs the config until the end, so the folder goes when the test process does.
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const { id, key, secret } = (config[APPS] as SoketiApp[])[0];
  const app: SoketiApp = { id, key, secret };

  let child: ChildProcess | undefined;
  let output = "";

  const launch = async () => {
    output = "";
    // Started as `node <bin>` directly so child.pid is Soketi's own pid.
    const proc = spawn(process.execPath, [SOKETI_BIN, "start", `--config=${configPath}`], {
      cwd: dir,
      // A minimal env: Soketi reads SOKETI_* variables, which must not leak in from the developer's shell.
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? dir, NODE_ENV: "production" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = proc;
    proc.stdout!.on("data", (d) => (output += d));
    proc.stderr!.on("data", (d) => (output += d));
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`soketi exited early (${proc.exitCode}):\n${output}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    proc.kill("SIGKILL");
    throw new Error(`soketi did not start on port ${port} within 20s:\n${output}`);
  };

  const stop = async ({ graceful = false } = {}) => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    proc.kill(graceful ? "SIGTERM" : "SIGKILL");
    const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };

  await launch();
  return {
    port,
    host: "127.0.0.1",
    app,
    get pid() {
      return child?.pid ?? -1;
    },
    env: {
      PUSHER_APP_ID: app.id,
      PUSHER_KEY: app.key,
      PUSHER_SECRET: app.secret,
      PUSHER_HOST: "127.0.0.1",
      PUSHER_PORT: String(port),
      PUSHER_USE_TLS: "0",
    },
    stop,
    restart: launch,

    log: () => output,
  };
}

export type SoketiCluster = { redis: RedisHandle; nodes: SoketiHandle[]; app: SoketiApp; stop: () => Promise<void> };

/**
 * A broker cluster as production runs it (scripts/cluster-config.mjs): a throw-away Redis and `count` Soketi nodes on
 * its adapter, each from the project's config on its own free loopback ports, all serving one app (one random key
 * and secret). A publish through any node reaches subscribers on every node.
 */
export async function startSoketiCluster(count = 2): Promise<SoketiCluster> {
  const redis = await startRedis();
  const app = randomApp();
  const base = JSON.parse(readFileSync(BASE_CONFIG, "utf8")) as Record<string, unknown>;
  const nodes: SoketiHandle[] = [];
  try {
    for (let n = 1; n <= count; n++) {
      const config = clusterNodeConfig(n, { base, redis, prefix: `test-${app.key}` });
      const adapterKeys = Object.fromEntries(Object.entries(config).filter(([key]) => key.startsWith("adapter.") || key.startsWith("database.redis.")));
      nodes.push(await startSoketi({ ...adapterKeys, [APPS]: (base[APPS] as SoketiApp[]).map((a) => ({ ...a, ...app })) }));
    }
  } catch (err) {
    await Promise.all(nodes.map((node) => node.stop()));
    await redis.stop();
    throw err;
  }
  return {
    redis,
    nodes,
    app,
    async stop() {
      await Promise.all(nodes.map((node) => node.stop()));
      await redis.stop();
    },
  };
}

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "./free-port";

const ROOT = path.resolve(import.meta.dirname, "../..");
const NEXT_BIN = path.join(ROOT, "node_modules/next/dist/bin/next");
// E2E_DIST_DIR lets several checkouts or agents build side by side without sharing one output folder.
export const TEST_DIST_DIR = process.env.E2E_DIST_DIR || ".next-test";

/** What global-setup hands to browser tests through vitest's provide/inject. */
export type ProvidedApp = { url: string; pid: number };
export type ProvidedSoketi = {
  host: string;
  port: number;
  pid: number;
  app: { id: string; key: string; secret: string };
  env: Record<string, string>;
};

declare module "vitest" {
  export interface ProvidedContext {
    app: ProvidedApp;
    soketi: ProvidedSoketi;
  }
}

/** Settings a developer's shell or .env.local may hold that must not leak into the test server. */
const ISOLATED = /^(VITEST|TEST_DATABASE_URL$|DATABASE_URL$|PGLITE_DATA_DIR$|DEMO_LOGIN$|APP_URL$|NODE_ENV$|NEXT_DIST_DIR$|PUSHER_|REALTIME_|INNGEST_)/;

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(process.env)) if (!ISOLATED.test(key)) env[key] = value;
  return {
    ...env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    NEXT_DIST_DIR: TEST_DIST_DIR,
    // Empty (not absent) so a DATABASE_URL in a developer's .env file cannot win over PGlite.
    DATABASE_URL: "",
    // Likewise for Inngest: a developer's INNGEST_DEV=1 would stop this production server (src/env.ts refuses it), and
    // an event key would send the test's notifications to Inngest Cloud; empty = notifications in-process.
    INNGEST_DEV: "",
    INNGEST_EVENT_KEY: "",
    ...extra,
  };
}

function tail(text: string, lines = 80) {
  return text.split("\n").slice(-lines).join("\n");
}

/**
 * Builds the app once into .next-test (never the developer's .next). With E2E_SKIP_BUILD=1 an existing
 * build is reused, for iterating on tests rather than on the app.
 */
export async function buildApp(): Promise<{ skipped: boolean; ms: number }> {
  const started = Date.now();
  if (process.env.E2E_SKIP_BUILD === "1" && existsSync(path.join(ROOT, TEST_DIST_DIR, "BUILD_ID"))) {
    return { skipped: true, ms: 0 };
  }
  const scratch = mkdtempSync(path.join(tmpdir(), "techdiary-build-"));
  const tsconfig = `tsconfig.${TEST_DIST_DIR.replace(/^\./, "")}.local.json`;
  // The build type-checks the app only: tests, bench and scripts are `npm run typecheck`'s business, and a test
  // someone is still editing must not stop the browser suite from building the app it drives.
  writeFileSync(
    path.join(ROOT, tsconfig),
    JSON.stringify({ extends: "./tsconfig.json", include: ["next-env.d.ts", "src/**/*.ts", "src/**/*.tsx", "*.ts"] }),
  );
  let output = "";
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [NEXT_BIN, "build"], {
      cwd: ROOT,
      // NEXT_PUBLIC_REALTIME_INSPECTOR=1: the one production-mode build that includes the realtime inspector
      // (src/components/realtime/inspector-gate.tsx), so tests/browser/inspector.test.ts can open it.
      env: childEnv({ PGLITE_DATA_DIR: path.join(scratch, "pglite"), NEXT_TSCONFIG_PATH: tsconfig, NEXT_PUBLIC_REALTIME_INSPECTOR: "1" }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("exit", (c) => resolve(c));
  });
  rmSync(scratch, { recursive: true, force: true });
  if (code !== 0) throw new Error(`next build failed (exit ${code}):\n${tail(output)}`);
  return { skipped: false, ms: Date.now() - started };
}

export type AppServer = {
  url: string;
  port: number;
  pid: number;
  dataDir: string;
  log: () => string;
  stop: () => Promise<void>;
};

/**
 * `next start` of the .next-test build as a direct child (so `pid` is the server's own), on a free
 * loopback port, with a fresh PGlite directory that the server seeds at start (instrumentation).
 */
export async function startAppServer(
  opts: { env?: Record<string, string>; timeoutMs?: number; /** Node's own flags (--cpu-prof: not allowed in NODE_OPTIONS). */ nodeArgs?: string[] } = {},
): Promise<AppServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), "techdiary-e2e-db-"));
  let output = "";
  const child: ChildProcess = spawn(process.execPath, [...(opts.nodeArgs ?? []), NEXT_BIN, "start", "-H", "127.0.0.1", "-p", String(port)], {
    cwd: ROOT,
    env: childEnv({ PGLITE_DATA_DIR: dataDir, DEMO_LOGIN: "1", APP_URL: url, ...opts.env }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  while (true) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`next start exited early (${child.exitCode ?? child.signalCode}):\n${tail(output)}`);
    }
    try {
      // Any HTTP answer means the server is up; instrumentation (env check, seed) has run by then.
      await fetch(`${url}/login`, { redirect: "manual" });
      break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`next start did not answer on ${url} in time:\n${tail(output)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return { url, port, pid: child.pid!, dataDir, log: () => output, stop };
}

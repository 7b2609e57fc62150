#!/usr/bin/env node
// npm run dev:cluster: the scaled-out layout on one machine, without Docker, every listener on 127.0.0.1:
//
//   redis-server      :6390   the Soketi nodes' adapter (nothing persisted)
//   PostgreSQL        :5490   one database for both app instances, kept in .data/cluster/pg
//   Soketi node 1     :6001   config/soketi.json + the Redis adapter (scripts/cluster-config.mjs)
//   Soketi node 2     :6002
//   next dev, app 1   :3000   publishes through node 1, its browsers connect to node 1
//   next dev, app 2   :3001   publishes through node 2, its browsers connect to node 2
//
// Sign in as alice on http://127.0.0.1:3000 and as bob on http://127.0.0.1:3001: each action goes through one
// instance and one node, and the other user's page updates through the other. Ctrl-C (or SIGTERM) stops everything,
// by pid; when one process exits the others are stopped too. DEV_CLUSTER_BASE_PORT moves the app ports (3000 ->
// base, base + 1). Needs redis-server and Debian's postgresql (the same packages the tests use).
import { spawn, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { ROOT, SOKETI_BIN, readBaseConfig } from "./bundled-broker.mjs";
import { CLUSTER_NODES, clusterNodeConfig } from "./cluster-config.mjs";

const DIR = path.join(ROOT, ".data/cluster");
const REDIS_PORT = 6390;
const PG_PORT = 5490;
const APP_BASE = Number(process.env.DEV_CLUSTER_BASE_PORT || 3000);
const NEXT_BIN = path.join(ROOT, "node_modules/next/dist/bin/next");
const REDIS_BIN = process.env.REDIS_SERVER_PATH || "/usr/bin/redis-server";
const root = process.getuid?.() === 0;

const say = (text) => console.log(`[cluster] ${text}`);
function fail(text) {
  console.error(`[cluster] ${text}`);
  process.exit(1);
}

function pgBin() {
  const base = "/usr/lib/postgresql";
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(path.join(base, v, "bin/initdb"))) : [];
  versions.sort((a, b) => Number(a) - Number(b));
  return versions.length ? path.join(base, versions.at(-1), "bin") : null;
}
const bin = pgBin();
if (!bin) fail("PostgreSQL server binaries not found: apt-get install -y postgresql");
if (!existsSync(REDIS_BIN)) fail(`${REDIS_BIN} not found: apt-get install -y redis-server`);

// initdb refuses root, so as root the cluster belongs to the postgres user (as scripts/with-postgres.sh does it).
const asPg = (cmd, args) => (root ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args]);
function pgCtl(args, quiet = false) {
  const [cmd, argv] = asPg(path.join(bin, "pg_ctl"), args);
  return spawnSync(cmd, argv, { stdio: quiet ? "ignore" : "inherit" }).status === 0;
}

const pgData = path.join(DIR, "pg");
mkdirSync(DIR, { recursive: true });
if (!existsSync(path.join(pgData, "PG_VERSION"))) {
  mkdirSync(pgData, { recursive: true, mode: 0o700 });
  if (root) {
    const id = (flag) => Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim());
    chownSync(pgData, id("-u"), id("-g"));
  }
  const [cmd, argv] = asPg(path.join(bin, "initdb"), ["-D", pgData, "-U", "postgres", "-A", "trust", "--no-locale", "-E", "UTF8"]);
  if (spawnSync(cmd, argv, { stdio: "ignore" }).status !== 0) fail(`initdb failed in ${pgData}`);
  say(`created a PostgreSQL cluster in ${path.relative(ROOT, pgData)}`);
}
if (!pgCtl(["-D", pgData, "-l", path.join(pgData, "server.log"), "-w", "-o", `-c listen_addresses=127.0.0.1 -p ${PG_PORT} -k ${pgData}`, "start"], true)) {
  fail(`PostgreSQL did not start on 127.0.0.1:${PG_PORT} (see ${path.join(pgData, "server.log")})`);
}
const DATABASE_URL = `postgres://postgres@127.0.0.1:${PG_PORT}/postgres`;
say(`PostgreSQL on 127.0.0.1:${PG_PORT}`);

const base = readBaseConfig();
const [app] = base["appManager.array.apps"];
const children = [];
let stopping = false;

function start(name, cmd, args, env = process.env) {
  const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream }).on("line", (line) => console.log(`[${name}] ${line}`));
  }
  child.on("exit", (code, signal) => {
    if (!stopping) {
      say(`${name} exited (${code ?? signal}); stopping the others`);
      void stopAll(code ?? 1);
    }
  });
  children.push(child);
  return child;
}

async function stopAll(code = 0) {
  if (stopping) return;
  stopping = true;
  // The apps first, then the brokers, then Redis: nothing is left complaining about a dependency gone first.
  for (const child of [...children].reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }
  pgCtl(["-D", pgData, "-m", "fast", "-w", "stop"], true);
  say("stopped");
  process.exit(code);
}
process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));

start("redis", REDIS_BIN, ["--bind", "127.0.0.1", "--port", String(REDIS_PORT), "--save", "", "--appendonly", "no", "--dir", DIR]);

for (let n = 1; n <= CLUSTER_NODES; n++) {
  const config = clusterNodeConfig(n, { base, redis: { host: "127.0.0.1", port: REDIS_PORT } });
  const file = path.join(DIR, `soketi-node-${n}.json`);
  writeFileSync(file, JSON.stringify(config, null, 2));
  // No SOKETI_* variable from the shell: it would override the config.
  const soketiEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("SOKETI_")));
  start(`soketi-${n}`, process.execPath, [SOKETI_BIN, "start", `--config=${file}`], soketiEnv);

  const port = APP_BASE + n - 1;
  const tsconfig = `tsconfig.cluster-${n}.local.json`;
  writeFileSync(path.join(ROOT, tsconfig), JSON.stringify({ extends: "./tsconfig.json" }));
  start(`next-${n}`, process.execPath, [NEXT_BIN, "dev", "-H", "127.0.0.1", "-p", String(port)], {
    ...process.env,
    // Each instance its own build folder (two `next dev` cannot share one) and a tsconfig it may rewrite.
    NEXT_DIST_DIR: `.next-cluster-${n}`,
    NEXT_TSCONFIG_PATH: tsconfig,
    DATABASE_URL,
    APP_URL: `http://127.0.0.1:${port}`,
    PUSHER_APP_ID: app.id,
    PUSHER_KEY: app.key,
    PUSHER_SECRET: app.secret,
    PUSHER_HOST: "127.0.0.1",
    PUSHER_PORT: String(config.port),
  });
  say(`app ${n}: http://127.0.0.1:${port} -> Soketi node ${n} on 127.0.0.1:${config.port}`);
}
say(`Redis adapter on 127.0.0.1:${REDIS_PORT}; Ctrl-C stops everything`);

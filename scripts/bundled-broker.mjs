// The bundled local broker of `npm start` (scripts/start.mjs): what to start, and the Soketi config it starts from.
//
// config/soketi.json is the development broker's config and holds the committed development credentials, which
// src/env.ts refuses in production. For `npm start` without broker settings this module generates an app key and
// secret once per machine (crypto.randomBytes) into <dir>/credentials.json (mode 0600, under .data/, git-ignored),
// and writes <dir>/soketi.json: config/soketi.json with every other key kept (loopback listeners, no cluster
// broadcast, limits) and only the app's id, key and secret replaced. The next start reuses the same credentials.
//
// Plain Node ESM with no dependency, so that scripts/start.mjs runs before anything is built; the tests import it
// (tests/integration/production-start.test.ts).

import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from "node:fs";
import net from "node:net";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "..");
export const BASE_CONFIG = path.join(ROOT, "config/soketi.json");
export const SOKETI_BIN = path.join(ROOT, "node_modules/@soketi/soketi/bin/server.js");
/** Relative to the project directory, like PGlite's .data/pglite. */
export const DEFAULT_BROKER_DIR = ".data/soketi";
/** Not a secret (the key and secret are); the same id as in development keeps logs and docs alike. */
export const BUNDLED_APP_ID = "techdiary";

const APPS = "appManager.array.apps";
const CREDENTIAL = /^[A-Za-z0-9_-]{16,128}$/;
const BROKER_VARS = ["PUSHER_APP_ID", "PUSHER_KEY", "PUSHER_SECRET"];
/** Soketi's own names for its ports; the bundled broker reads these three and no other SOKETI_* variable. */
const PORT_VARS = { port: "SOKETI_PORT", "metrics.port": "SOKETI_METRICS_SERVER_PORT", "cluster.port": "SOKETI_CLUSTER_PORT" };
const LOOPBACK_KEYS = ["host", "metrics.host", "cluster.hostname", "cluster.address", "cluster.unicast"];

const isSet = (value) => value !== undefined && value !== "";

function parsePort(name, value) {
  const port = Number(value);
  if (!/^\d+$/.test(String(value).trim()) || port < 1 || port > 65535) throw new Error(`${name}=${value} is not a port (1-65535)`);
  return port;
}

/**
 * What `npm start` does with this environment (process env merged with the .env files next start reads):
 * - all of PUSHER_APP_ID, PUSHER_KEY and PUSHER_SECRET set: "external", `next start` only (the operator's broker);
 * - none set (or empty): "bundled", Soketi on loopback with generated credentials, plus `next start`;
 * - some: refused, with the reason.
 */
export function planStart(env) {
  const set = BROKER_VARS.filter((name) => isSet(env[name]));
  let appPort = 3000;
  try {
    if (isSet(env.PORT)) appPort = parsePort("PORT", env.PORT);
  } catch (err) {
    return { refuse: err.message };
  }
  if (set.length === BROKER_VARS.length) return { mode: "external", appPort };
  if (set.length > 0) {
    const missing = BROKER_VARS.filter((name) => !set.includes(name));
    return {
      refuse:
        `${set.join(", ")} ${set.length === 1 ? "is" : "are"} set but not ${missing.join(", ")}. Set all three for your own ` +
        "broker (npm start then runs next start only), or none for the bundled local broker with generated credentials.",
    };
  }
  return { mode: "bundled", appPort };
}

/** The bundled broker's ports: config/soketi.json's, unless SOKETI_PORT / SOKETI_METRICS_SERVER_PORT / SOKETI_CLUSTER_PORT move them. */
export function brokerPorts(env, base = readBaseConfig()) {
  const ports = {};
  for (const [key, name] of Object.entries(PORT_VARS)) ports[key] = isSet(env[name]) ? parsePort(name, env[name]) : base[key];
  return ports;
}

export function readBaseConfig(file = BASE_CONFIG) {
  return JSON.parse(readFileSync(file, "utf8"));
}

/** The key and secret a config hands out (the committed development ones, for config/soketi.json). */
function credentialsOf(config) {
  return (config[APPS] ?? []).flatMap((app) => [app.key, app.secret]).filter(Boolean);
}

/** Creates a file that did not exist, with `mode` from the start (never readable by others, not even briefly). */
function writeNewFile(file, text, mode) {
  const fd = openSync(file, "wx", mode);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/**
 * The bundled broker's credentials: read from <dir>/credentials.json, or generated there at the first call (mode
 * 0600). Throws on a file that is not what this function writes, or that holds a credential of `base`, rather than
 * starting a broker with it.
 */
export function loadOrCreateCredentials(dir, base = readBaseConfig()) {
  const file = path.join(dir, "credentials.json");
  const published = new Set(credentialsOf(base));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (existsSync(file)) {
    let saved;
    try {
      saved = JSON.parse(readFileSync(file, "utf8"));
    } catch {
      saved = null;
    }
    const valid =
      saved && saved.id === BUNDLED_APP_ID && CREDENTIAL.test(saved.key ?? "") && CREDENTIAL.test(saved.secret ?? "") && saved.key !== saved.secret;
    if (!valid || published.has(saved.key) || published.has(saved.secret)) {
      throw new Error(`${file} does not hold credentials generated by npm start; delete it and start again to generate new ones`);
    }
    // Someone may have copied the folder with a looser mode: the secret stays the owner's alone.
    chmodSync(file, 0o600);
    return { credentials: { id: saved.id, key: saved.key, secret: saved.secret }, file, created: false };
  }
  const credentials = { id: BUNDLED_APP_ID, key: randomBytes(16).toString("hex"), secret: randomBytes(32).toString("hex") };
  writeNewFile(file, `${JSON.stringify({ ...credentials, created_at: new Date().toISOString() }, null, 2)}\n`, 0o600);
  return { credentials, file, created: true };
}

/**
 * The Soketi config of the bundled broker: `base` with the app's id, key and secret replaced and the ports set;
 * every other key (loopback listeners, cluster settings, limits, user authentication) as in `base`.
 */
export function bundledConfig(base, credentials, ports) {
  const apps = base[APPS];
  if (!Array.isArray(apps) || apps.length !== 1) throw new Error(`config/soketi.json must define exactly one app in "${APPS}"`);
  for (const key of LOOPBACK_KEYS) {
    if (base[key] !== "127.0.0.1") throw new Error(`config/soketi.json: "${key}" must be 127.0.0.1 for the bundled broker, not ${base[key]}`);
  }
  const config = { ...base, ...ports, [APPS]: [{ ...apps[0], id: credentials.id, key: credentials.key, secret: credentials.secret }] };
  const text = JSON.stringify(config);
  for (const value of credentialsOf(base)) {
    if (text.includes(value)) throw new Error("the generated Soketi config still holds a credential of config/soketi.json");
  }
  return config;
}

/**
 * Everything the bundled broker needs on disk, under `dir` (default .data/soketi of `root`): its credentials (made
 * once, then reused) and its Soketi config (written at every call, mode 0600, from the current config/soketi.json).
 */
export function prepareBundledBroker({ root = ROOT, dir = path.join(root, DEFAULT_BROKER_DIR), baseConfigPath = BASE_CONFIG, env = {} } = {}) {
  const base = readBaseConfig(baseConfigPath);
  const { credentials, file, created } = loadOrCreateCredentials(dir, base);
  const ports = brokerPorts(env, base);
  const config = bundledConfig(base, credentials, ports);
  const configPath = path.join(dir, "soketi.json");
  const tmp = `${configPath}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, configPath);
  return { credentials, credentialsPath: file, created, config, configPath, dir, host: config.host, port: config.port };
}

/** The app's broker variables for the bundled broker (what `next start` gets on top of the environment). */
export function appBrokerEnv({ credentials, host, port }) {
  return {
    PUSHER_APP_ID: credentials.id,
    PUSHER_KEY: credentials.key,
    PUSHER_SECRET: credentials.secret,
    PUSHER_HOST: host,
    PUSHER_PORT: String(port),
    PUSHER_USE_TLS: "false",
  };
}

/** The environment Soketi runs with: no SOKETI_* variable, which would override the generated config. */
export function soketiEnv(env) {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith("SOKETI_")));
}

/** Resolves when nothing listens on host:port (TCP), rejects with a readable reason otherwise. */
export function assertPortFree(host, port, what) {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", (err) =>
      reject(new Error(`${what} ${host}:${port} is not available (${err.code ?? err.message}): is another Soketi running (npm run dev)?`)),
    );
    server.listen(port, host, () => server.close(() => resolve()));
  });
}

#!/usr/bin/env node
// npm start: the production server, after `npm run build`.
//
// Reads the environment as `next start` would (the shell, then .env.production.local, .env.local, .env.production,
// .env, through @next/env, which ships with next), then:
// - PUSHER_APP_ID, PUSHER_KEY and PUSHER_SECRET all set: your own broker (Pusher Channels, Soketi you run). Runs
//   `next start -H 127.0.0.1 -p ${PORT:-3000}` only; src/env.ts refuses the committed development credentials there.
// - none of them set: the bundled local broker, for trying the production build on this machine. Soketi from
//   node_modules on 127.0.0.1 (config/soketi.json's ports, 6001; SOKETI_PORT, SOKETI_METRICS_SERVER_PORT and
//   SOKETI_CLUSTER_PORT move them) with an app key and secret generated at the first start into .data/soketi/
//   (git-ignored, mode 0600) and reused afterwards (scripts/bundled-broker.mjs), then `next start` pointed at it.
//   Delete .data/soketi/ for new credentials.
// - some of them set: refused.
// A refusal prints the reason and exits 1. With two processes, a signal (Ctrl-C, SIGTERM) goes to both, and when one
// exits the other is stopped by its PID and this script exits with the first one's code.

import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import readline from "node:readline";
import {
  DEFAULT_BROKER_DIR,
  ROOT,
  SOKETI_BIN,
  appBrokerEnv,
  assertPortFree,
  planStart,
  prepareBundledBroker,
  soketiEnv,
} from "./bundled-broker.mjs";

const require = createRequire(import.meta.url);
const { loadEnvConfig } = require("@next/env");
const NEXT_BIN = path.join(ROOT, "node_modules/next/dist/bin/next");
const STOP_GRACE_MS = 10_000;
const READY_TIMEOUT_MS = 20_000;

const say = (text) => console.log(`[start] ${text}`);
function refuse(text) {
  console.error(`[start] refused: ${text}`);
  process.exit(1);
}

const projectDir = process.cwd();
// next start loads the .env files itself; it gets the shell's environment (plus the bundled broker's variables), so
// that what it reads is exactly what a plain `next start` would read.
const shellEnv = { ...process.env };
const { combinedEnv } = loadEnvConfig(projectDir, false, { info: () => {}, error: (...args) => console.error(...args) });
const env = { ...combinedEnv };

const plan = planStart(env);
if (plan.refuse) refuse(plan.refuse);

const children = new Map();
let stopping = false;

function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
  timer.unref();
  return exited;
}

async function stopAll(code) {
  await Promise.all([...children.values()].map(stopChild));
  process.exit(code);
}

function run(name, args, options) {
  const child = spawn(process.execPath, args, options);
  children.set(name, child);
  child.on("error", (err) => {
    console.error(`[start] ${name} could not start: ${err.message}`);
    if (!stopping) {
      stopping = true;
      void stopAll(1);
    }
  });
  child.once("exit", (code, signal) => {
    children.delete(name);
    if (stopping) return;
    stopping = true;
    const others = [...children.entries()].map(([other, c]) => `${other} (pid ${c.pid})`);
    say(`${name} exited (${signal ?? `code ${code}`})${others.length ? `; stopping ${others.join(", ")}` : ""}`);
    void stopAll(typeof code === "number" ? code : 1);
  });
  return child;
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    if (stopping) {
      // A second Ctrl-C: no more waiting.
      for (const child of children.values()) child.kill("SIGKILL");
      return;
    }
    stopping = true;
    for (const child of children.values()) child.kill(signal);
    const timer = setTimeout(() => {
      for (const child of children.values()) child.kill("SIGKILL");
    }, STOP_GRACE_MS);
    timer.unref();
    void Promise.all([...children.values()].map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once("exit", r))))).then(
      () => process.exit(0),
    );
  });
}

function prefixLines(stream, prefix, out) {
  readline.createInterface({ input: stream }).on("line", (line) => out.write(`${prefix}${line}\n`));
}

async function waitForBroker(child, host, port) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    try {
      if ((await fetch(`http://${host}:${port}/`)).ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

const nextArgs = [NEXT_BIN, "start", "-H", "127.0.0.1", "-p", String(plan.appPort)];

if (plan.mode === "external") {
  const where = env.PUSHER_HOST ? `${env.PUSHER_HOST}:${env.PUSHER_PORT ?? "(default port)"}` : `Pusher Channels (${env.PUSHER_CLUSTER ?? "mt1"})`;
  say(`broker settings found (app ${env.PUSHER_APP_ID} at ${where}): starting next start only; run that broker yourself`);
  run("next", nextArgs, { cwd: projectDir, env: shellEnv, stdio: "inherit" });
} else {
  let broker;
  try {
    broker = prepareBundledBroker({ root: ROOT, dir: path.join(projectDir, DEFAULT_BROKER_DIR), env });
  } catch (err) {
    refuse(err.message);
  }
  try {
    await assertPortFree(broker.host, broker.port, "the bundled broker's port");
    await assertPortFree(broker.config["metrics.host"], broker.config["metrics.port"], "the bundled broker's metrics port");
  } catch (err) {
    refuse(`${err.message} Stop it, or move the bundled broker with SOKETI_PORT / SOKETI_METRICS_SERVER_PORT.`);
  }
  const ignored = Object.keys(env).filter((name) => name.startsWith("SOKETI_") && !/^SOKETI_(PORT|METRICS_SERVER_PORT|CLUSTER_PORT)$/.test(name));
  if (ignored.length) say(`ignoring ${ignored.join(", ")}: the bundled broker runs from ${path.relative(projectDir, broker.configPath)} only`);
  for (const name of ["PUSHER_HOST", "PUSHER_PORT", "PUSHER_USE_TLS"]) {
    if (env[name] && env[name] !== appBrokerEnv(broker)[name]) say(`${name}=${env[name]} is ignored: no broker credentials are set, so the app uses the bundled broker`);
  }
  say(
    `no broker settings (PUSHER_APP_ID/KEY/SECRET): bundled Soketi on ${broker.host}:${broker.port} with ` +
      `${broker.created ? "credentials generated now" : "the credentials generated earlier"} in ${path.relative(projectDir, broker.credentialsPath)}`,
  );

  const soketi = run("soketi", [SOKETI_BIN, "start", `--config=${broker.configPath}`], {
    // Its own folder as cwd: Soketi loads a .env from its cwd, and the project's must not configure it.
    cwd: broker.dir,
    env: soketiEnv(shellEnv),
    stdio: ["ignore", "pipe", "pipe"],
  });
  prefixLines(soketi.stdout, "[soketi] ", process.stdout);
  prefixLines(soketi.stderr, "[soketi] ", process.stderr);

  if (!(await waitForBroker(soketi, broker.host, broker.port))) {
    if (!stopping) {
      stopping = true;
      console.error(`[start] the bundled Soketi did not answer on ${broker.host}:${broker.port} within ${READY_TIMEOUT_MS / 1000} s`);
      await stopAll(1);
    }
  } else if (!stopping) {
    run("next", nextArgs, { cwd: projectDir, env: { ...shellEnv, ...appBrokerEnv(broker) }, stdio: "inherit" });
  }
}

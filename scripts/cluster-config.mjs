#!/usr/bin/env node
// The Soketi configuration of a broker cluster: every node is config/soketi.json (loopback listeners, limits, user
// authentication, the app) plus the Redis adapter, which relays publishes, channel counts and "terminate this
// user's connections" between the nodes, and its own ports. config/soketi-cluster-node-{1,2}.json are this
// script's output (`npm run cluster:config` rewrites them; a test checks they are current), so a change to
// config/soketi.json reaches the cluster too. `npm run dev:cluster` and the tests use clusterNodeConfig directly.
//
//   node scripts/cluster-config.mjs            rewrite config/soketi-cluster-node-{1,2}.json
//   node scripts/cluster-config.mjs --check    exit 1 when they are not current
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { BASE_CONFIG, ROOT, readBaseConfig } from "./bundled-broker.mjs";

export const CLUSTER_NODES = 2;
/** Node n (1-based) listens on these; config/soketi.json's own ports are node 1's. */
export const nodePorts = (n, base = readBaseConfig()) => ({
  port: base.port + n - 1,
  "metrics.port": base["metrics.port"] + n - 1,
  "cluster.port": base["cluster.port"] + n - 1,
});
export const nodeConfigPath = (n) => path.join(ROOT, "config", `soketi-cluster-node-${n}.json`);

/**
 * The config of node `n`. `redis` is the one Redis every node shares; `prefix` keeps this app's adapter traffic
 * apart from anything else on that Redis. A cross-node question (a channel's subscriber count, the sockets of a
 * user) waits at most `adapter.redis.requestsTimeout` for a node that does not answer; 1 s keeps the health probe
 * (which asks one) inside its own 2 s limit.
 */
export function clusterNodeConfig(n, { base = readBaseConfig(), redis = { host: "127.0.0.1", port: 6379 }, prefix = "techdiary", ports } = {}) {
  return {
    ...base,
    ...(ports ?? nodePorts(n, base)),
    "adapter.driver": "redis",
    "adapter.redis.prefix": prefix,
    "adapter.redis.requestsTimeout": 1000,
    "database.redis.host": redis.host,
    "database.redis.port": redis.port,
  };
}

const text = (n) => `${JSON.stringify(clusterNodeConfig(n), null, 2)}\n`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes("--check");
  let stale = 0;
  for (let n = 1; n <= CLUSTER_NODES; n++) {
    const file = nodeConfigPath(n);
    if (!check) writeFileSync(file, text(n));
    else if (readFileSync(file, "utf8") !== text(n)) {
      stale++;
      console.error(`${path.relative(ROOT, file)} is not current with ${path.relative(ROOT, BASE_CONFIG)}: run npm run cluster:config`);
    }
  }
  process.exitCode = stale ? 1 : 0;
}

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CLUSTER_NODES, clusterNodeConfig, nodeConfigPath } from "../../scripts/cluster-config.mjs";

/** The shipped broker-cluster configs: config/soketi.json plus the Redis adapter, one set of ports per node. */
describe("config/soketi-cluster-node-*.json", () => {
  const nodes = Array.from({ length: CLUSTER_NODES }, (_, i) => JSON.parse(readFileSync(nodeConfigPath(i + 1), "utf8")) as Record<string, unknown>);

  it("are current with config/soketi.json (npm run cluster:config rewrites them)", () => {
    nodes.forEach((config, i) => expect(config).toEqual(clusterNodeConfig(i + 1)));
  });

  it("listen on loopback only, each node on its own ports, all on one Redis adapter", () => {
    for (const config of nodes) {
      for (const key of ["host", "metrics.host", "cluster.hostname", "cluster.address", "cluster.unicast"]) expect(config[key], key).toBe("127.0.0.1");
      expect(config["adapter.driver"]).toBe("redis");
    }
    for (const key of ["port", "metrics.port", "cluster.port"]) expect(new Set(nodes.map((c) => c[key])).size, key).toBe(CLUSTER_NODES);
    expect(new Set(nodes.map((c) => `${c["database.redis.host"]}:${c["database.redis.port"]} ${c["adapter.redis.prefix"]}`)).size).toBe(1);
  });
});

// Types of scripts/cluster-config.mjs for the TypeScript tests (the project compiles no JavaScript: allowJs is off).

type Ports = { port: number; "metrics.port": number; "cluster.port": number };

export const CLUSTER_NODES: number;
export function nodePorts(n: number, base?: Record<string, unknown>): Ports;
export function nodeConfigPath(n: number): string;
export function clusterNodeConfig(
  n: number,
  opts?: { base?: Record<string, unknown>; redis?: { host: string; port: number }; prefix?: string; ports?: Ports },
): Record<string, unknown>;

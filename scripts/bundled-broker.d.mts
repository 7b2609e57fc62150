// Types of scripts/bundled-broker.mjs for the TypeScript tests (the project compiles no JavaScript: allowJs is off).

export type BrokerCredentials = { id: string; key: string; secret: string };
export type BrokerPorts = { port: number; "metrics.port": number; "cluster.port": number };
export type StartPlan = { mode: "external" | "bundled"; appPort: number; refuse?: undefined } | { refuse: string; mode?: undefined };
export type BundledBroker = {
  credentials: BrokerCredentials;
  credentialsPath: string;
  created: boolean;
  config: Record<string, unknown>;
  configPath: string;
  dir: string;
  host: string;
  port: number;
};
type Env = Record<string, string | undefined>;

export const ROOT: string;
export const BASE_CONFIG: string;
export const SOKETI_BIN: string;
export const DEFAULT_BROKER_DIR: string;
export const BUNDLED_APP_ID: string;
export function planStart(env: Env): StartPlan;
export function brokerPorts(env: Env, base?: Record<string, unknown>): BrokerPorts;
export function readBaseConfig(file?: string): Record<string, unknown>;
export function loadOrCreateCredentials(
  dir: string,
  base?: Record<string, unknown>,
): { credentials: BrokerCredentials; file: string; created: boolean };
export function bundledConfig(base: Record<string, unknown>, credentials: BrokerCredentials, ports: Partial<BrokerPorts>): Record<string, unknown>;
export function prepareBundledBroker(options?: { root?: string; dir?: string; baseConfigPath?: string; env?: Env }): BundledBroker;
export function appBrokerEnv(broker: Pick<BundledBroker, "credentials" | "host" | "port">): Record<string, string>;
export function soketiEnv(env: Env): Env;
export function assertPortFree(host: string, port: number, what: string): Promise<void>;

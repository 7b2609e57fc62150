import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { freePort } from "./free-port";

export type PostgresHandle = {
  port: number;
  /** A postgres:// URL of database `name` (default: the maintenance database `postgres`). */
  url: (name?: string) => string;
  /** Creates an empty database and answers its URL. */
  createDatabase: (name: string) => Promise<string>;
  /** The postmaster's pid (its backends are its children): what a bench reads CPU time from. */
  pid: number;
  stop: () => Promise<void>;
};

/** Debian's newest PostgreSQL server binaries, or null when the postgresql package is not installed. */
export function postgresBin(): string | null {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(path.join(root, v, "bin/initdb")));
  versions.sort((a, b) => Number(a) - Number(b));
  return versions.length ? path.join(root, versions.at(-1)!, "bin") : null;
}

/**
 * A throw-away PostgreSQL cluster on 127.0.0.1 and a free port, as scripts/with-postgres.sh starts one (initdb
 * refuses root, so as root the cluster belongs to the postgres user). stop() shuts it down (immediate mode, then the
 * postmaster's pid) and removes its directory.
 */
export async function startPostgres(): Promise<PostgresHandle> {
  const bin = postgresBin();
  if (!bin) throw new Error("PostgreSQL server binaries not found: apt-get install -y postgresql");
  const root = userInfo().uid === 0;
  const asPg = (cmd: string, args: string[]) => (root ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args]) as [string, string[]];
  const dir = mkdtempSync(path.join(tmpdir(), "techdiary-pg-"));
  if (root) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, "data");
  const port = await freePort();
  const run = (cmd: string, args: string[]) => {
    const [c, a] = asPg(cmd, args);
    const r = spawnSync(c, a, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${path.basename(cmd)} failed: ${r.stderr || r.stdout}`);
  };
  run(path.join(bin, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "--no-locale", "-E", "UTF8", "--no-sync"]);
  run(path.join(bin, "pg_ctl"), [
    "-D", data, "-l", path.join(dir, "server.log"), "-w", "-t", "60",
    "-o", `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
    "start",
  ]);
  const url = (name = "postgres") => `postgres://postgres@127.0.0.1:${port}/${name}`;
  const pid = Number(readFileSync(path.join(data, "postmaster.pid"), "utf8").split("\n")[0]);
  return {
    port,
    url,
    pid,
    async createDatabase(name) {
      const { Client } = await import("pg");
      const client = new Client({ connectionString: url() });
      await client.connect();
      await client.query(`CREATE DATABASE ${name}`);
      await client.end();
      return url(name);
    },
    async stop() {
      const pidFile = path.join(data, "postmaster.pid");
      if (existsSync(pidFile)) {
        const [c, a] = asPg(path.join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
        if (spawnSync(c, a).status !== 0 && existsSync(pidFile)) {
          const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
          if (pid > 0) process.kill(pid, "SIGKILL");
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

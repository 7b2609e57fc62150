import { readdirSync, readFileSync } from "node:fs";
import { round } from "./stats";

/**
 * CPU seconds (user + system) a process tree has used so far, from Linux's /proc: the process, its live
 * descendants, and the children they already reaped (cutime/cstime; PostgreSQL's backends end up in the
 * postmaster's). What a bench compares across a window is the difference of two readings, so each process's share
 * of the two cores during a storm can be told apart: the app instance, the broker, the database, the bench's own
 * clients. null where /proc is not available (not Linux), so a bench still runs and just omits the figure.
 */
const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux architecture Node runs on

type Stat = { pid: number; ppid: number; ticks: number };

function readStat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may contain spaces: split after its closing one.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    // fields[0] is field 3 (state): ppid is field 4, utime..cstime fields 14..17.
    const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
    return { pid, ppid: Number(fields[1]), ticks: utime + stime + cutime + cstime };
  } catch {
    return null;
  }
}

export function cpuSecondsOfTree(root: number): number | null {
  const own = readStat(root);
  if (!own) return null;
  const all: Stat[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) all.push(stat);
  }
  const childrenOf = new Map<number, Stat[]>();
  for (const s of all) childrenOf.set(s.ppid, [...(childrenOf.get(s.ppid) ?? []), s]);
  let ticks = 0;
  const pending = [own];
  while (pending.length) {
    const s = pending.pop()!;
    ticks += s.ticks;
    pending.push(...(childrenOf.get(s.pid) ?? []));
  }
  return ticks / TICKS_PER_SECOND;
}

/**
 * The whole machine's idle and stolen CPU seconds (all cores, /proc/stat): stolen is time a virtual machine's cores
 * were ready to run and the host ran something else, so a window with much of it measured a busy host, not this
 * code. null where /proc/stat is not available.
 */
export function machineSeconds(field: "idle" | "steal"): number | null {
  try {
    const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0].split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal ...
    return (field === "idle" ? cpu[3] + cpu[4] : cpu[7]) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** This process alone (not its children): the bench's own clients. */
export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

type Reading = Record<string, number | null>;

/**
 * Each counter's CPU seconds over some windows (each its wall duration and a `since` reading), and that as a share
 * of one core's time in them (200% is both cores), for a bench's notes.
 */
export function cpuShares(windows: ReadonlyArray<{ durationS: number; cpu: Reading }>): string {
  const wall = windows.reduce((a, w) => a + w.durationS, 0);
  return Object.keys(windows[0].cpu)
    .map((name) => {
      const values = windows.map((w) => w.cpu[name]);
      if (values.some((v) => v === null)) return `${name} n/a`;
      const seconds = values.reduce((a: number, v) => a + v!, 0);
      return `${name} ${round(seconds, 1)} s (${round((100 * seconds) / wall, 0)}% of one core)`;
    })
    .join(", ");
}

/** Readings of several named CPU counters; `since` gives each one's CPU seconds from an earlier reading. */
export function cpuMeter(counters: Record<string, () => number | null>) {
  const read = (): Reading => Object.fromEntries(Object.entries(counters).map(([name, counter]) => [name, counter()]));
  return {
    read,
    since(before: Reading): Reading {
      const now = read();
      return Object.fromEntries(Object.entries(now).map(([name, s]) => [name, s === null || before[name] == null ? null : s - before[name]]));
    },
  };
}

#!/usr/bin/env node
// npm run check:port [-- --src <dir>] [-- --refresh]
//
// Proves that the realtime library folder typechecks on its own inside TechDiary's dependency set, i.e. that
// TechDiary could copy `src/lib/realtime/` unchanged:
//   1. a temporary package (under os.tmpdir()) gets a copy of the folder, and nothing else of this project,
//      at the same path `src/lib/realtime/`, plus a package.json with TechDiary's dependency ranges and
//      TechDiary's tsconfig.json compilerOptions;
//   2. its node_modules is installed once per dependency list with npm into a cache folder inside this project
//      (node_modules/.cache/check-port/<hash>, git-ignored) and symlinked into the temp package afterwards;
//   3. any import that leaves the folder (`@/...` host alias, or a relative/absolute path outside it) is named;
//   4. the package's own TypeScript runs `tsc --noEmit -p .`; its output is printed with paths relative to the
//      temp package, then one summary line (resolved versions, files checked, errors).
// Exit 0 only with no tsc error and no import leaving the folder; 1 otherwise. The temp package is always removed.
//
// Options: --src <dir> (or CHECK_PORT_SRC) checks another folder in place of src/lib/realtime (it is still
// copied to src/lib/realtime/ in the temp package); --refresh reinstalls the cached node_modules (newest
// versions inside the ranges); --keep leaves the temp package in place for inspection.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

// TechDiary's own ranges, from the package.json of techdiary-dev/techdiary.dev (main, commit fb362151,
// 2026-04-10) — only the packages the library may use. `server-only` is the one exception: TechDiary's
// package.json does not list it, but Next apps import it (the library's server/ files do), so any 0.0.x.
const TECHDIARY_DEPENDENCIES = {
  dependencies: {
    zod: "^3.25.0",
    next: "^16.2.1",
    "@tanstack/react-query": "^5.69.0",
    pusher: "^5.3.3",
    "pusher-js": "^8.5.0",
    react: "^19",
    "react-dom": "^19",
    "server-only": "0.0.x",
  },
  devDependencies: {
    typescript: "^5.8.2",
    "@types/node": "^22.13.13",
    "@types/react": "^19.0.12",
    "@types/react-dom": "^19",
  },
};

// TechDiary's tsconfig.json compilerOptions (same repository and commit), minus its `plugins` entry (editor only).
const TECHDIARY_COMPILER_OPTIONS = {
  lib: ["dom", "dom.iterable", "esnext"],
  allowJs: true,
  skipLibCheck: true,
  strict: true,
  noEmit: true,
  esModuleInterop: true,
  module: "esnext",
  moduleResolution: "bundler",
  resolveJsonModule: true,
  isolatedModules: true,
  jsx: "react-jsx",
  // TechDiary has `incremental: true`; false here so that no stray .tsbuildinfo is written (nothing else changes).
  incremental: false,
  paths: { "@/*": ["./src/*"] },
  target: "ESNext",
};

const LIBRARY_PATH = "src/lib/realtime"; // where the folder lives, here and in TechDiary
const VERSIONS_SHOWN = ["zod", "next", "@tanstack/react-query", "pusher", "pusher-js", "typescript"];
const SOURCE_EXTENSIONS = /\.(?:ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CACHE_BASE = path.join(PROJECT_ROOT, "node_modules", ".cache", "check-port");

class Failure extends Error {}

function parseArgs(argv) {
  const opts = { src: process.env.CHECK_PORT_SRC || null, refresh: false, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--src") {
      if (!argv[i + 1]) throw new Failure("--src needs a folder");
      opts.src = argv[++i];
    } else if (arg.startsWith("--src=")) opts.src = arg.slice("--src=".length);
    else if (arg === "--refresh") opts.refresh = true;
    else if (arg === "--keep") opts.keep = true;
    else if (arg === "-h" || arg === "--help") {
      console.log("usage: node scripts/check-port.mjs [--src <dir>] [--refresh] [--keep]");
      process.exit(0);
    } else throw new Failure(`unknown argument ${arg} (try --help)`);
  }
  // The default is this project's folder; a relative --src is taken from where the command was started
  // (INIT_CWD under `npm run`, which itself runs in the project root).
  opts.src = opts.src
    ? path.resolve(process.env.INIT_CWD || process.cwd(), opts.src)
    : path.join(PROJECT_ROOT, LIBRARY_PATH);
  return opts;
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

function writeJson(file, value) {
  fs.writeFileSync(file, JSON.stringify(value, null, 2) + "\n");
}

function packageJson() {
  return { name: "techdiary-realtime-port-check", private: true, version: "0.0.0", ...TECHDIARY_DEPENDENCIES };
}

/** Environment for the nested npm: drop what `npm run` exports about *this* project so npm uses its own cwd. */
function npmEnv() {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^npm_(config_(local_prefix|prefix|global|location)|package_|lifecycle_)/i.test(key)) delete env[key];
  }
  return env;
}

/** node_modules for the dependency list, installed once into the project's cache and reused after that. */
function ensureInstalled(refresh) {
  const hash = createHash("sha256").update(JSON.stringify(TECHDIARY_DEPENDENCIES)).digest("hex").slice(0, 16);
  const dir = path.join(CACHE_BASE, hash);
  const marker = path.join(dir, ".installed");
  if (!refresh && fs.existsSync(marker)) {
    console.log(`install: reused ${path.relative(PROJECT_ROOT, dir)}/node_modules (0.0 s; installed ${fs.readFileSync(marker, "utf8").trim()}; --refresh reinstalls)`);
    return dir;
  }

  fs.mkdirSync(CACHE_BASE, { recursive: true });
  const staging = fs.mkdtempSync(path.join(CACHE_BASE, `${hash}.partial-`));
  fs.chmodSync(staging, 0o755); // mkdtemp makes it 0700
  writeJson(path.join(staging, "package.json"), packageJson());
  const args = ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"];
  console.log(`install: npm ${args.join(" ")}  (into ${path.relative(PROJECT_ROOT, dir)}, once per dependency list)`);
  const started = Date.now();
  const npm = spawnSync(process.platform === "win32" ? "npm.cmd" : "npm", args, {
    cwd: staging,
    env: npmEnv(),
    stdio: ["ignore", "inherit", "inherit"],
    shell: process.platform === "win32",
  });
  const took = Date.now() - started;
  if (npm.status !== 0) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new Failure(`npm install failed (${npm.error?.message ?? npm.signal ?? `exit ${npm.status}`}) after ${seconds(took)}`);
  }
  fs.writeFileSync(path.join(staging, ".installed"), `${new Date().toISOString()} in ${seconds(took)}\n`);
  console.log(`install: took ${seconds(took)}`);

  // Publish atomically, so an interrupted install is never taken for a complete one; drop other dependency lists.
  fs.rmSync(dir, { recursive: true, force: true });
  try {
    fs.renameSync(staging, dir);
  } catch (error) {
    // Another run finished the same install first: use its copy.
    if (!fs.existsSync(marker)) throw error;
    fs.rmSync(staging, { recursive: true, force: true });
  }
  for (const entry of fs.readdirSync(CACHE_BASE)) {
    const other = path.join(CACHE_BASE, entry);
    const stale = entry !== hash && (!entry.includes(".partial-") || Date.now() - fs.statSync(other).mtimeMs > 3_600_000);
    if (stale) fs.rmSync(other, { recursive: true, force: true });
  }
  return dir;
}

function listSourceFiles(dir) {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && SOURCE_EXTENSIONS.test(entry.name))
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name))
    .sort();
}

/** Imports (static, dynamic, re-exports, require, `/// <reference path>`) that leave the library folder. */
function findEscapingImports(ts, pkgDir, libDir) {
  const found = [];
  for (const file of listSourceFiles(libDir)) {
    const text = fs.readFileSync(file, "utf8");
    const info = ts.preProcessFile(text, true, true);
    const specifiers = [
      ...info.importedFiles.map((ref) => ({ ...ref, kind: "import" })),
      ...info.referencedFiles.map((ref) => ({ ...ref, kind: "reference" })),
    ];
    for (const ref of specifiers) {
      const spec = ref.fileName;
      let why = null;
      if (spec.startsWith("@/")) why = "host path alias @/";
      else if (path.isAbsolute(spec)) why = "absolute path";
      else if (ref.kind === "reference" || spec === "." || spec === ".." || spec.startsWith("./") || spec.startsWith("../")) {
        const target = path.resolve(path.dirname(file), spec);
        const rel = path.relative(libDir, target);
        if (rel === ".." || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
          why = `relative path to ${path.relative(pkgDir, target)}, outside ${LIBRARY_PATH}/`;
        }
      }
      if (why) {
        const line = text.slice(0, ref.pos).split("\n").length;
        found.push({ where: `${path.relative(pkgDir, file)}:${line}`, line, spec, why });
      }
    }
  }
  return found.sort((a, b) => a.where.split(":")[0].localeCompare(b.where.split(":")[0]) || a.line - b.line);
}

function readVersion(nodeModules, name) {
  try {
    return JSON.parse(fs.readFileSync(path.join(nodeModules, name, "package.json"), "utf8")).version;
  } catch {
    return "missing";
  }
}

function runCheck(opts) {
  if (!fs.existsSync(opts.src) || !fs.statSync(opts.src).isDirectory()) {
    throw new Failure(`source folder not found: ${opts.src}`);
  }
  const cacheDir = ensureInstalled(opts.refresh);
  const cachedModules = fs.realpathSync(path.join(cacheDir, "node_modules"));

  const pkgDir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "check-port-")));
  const cleanup = () => {
    if (opts.keep) console.log(`kept temp package ${pkgDir}`);
    else fs.rmSync(pkgDir, { recursive: true, force: true });
  };
  process.once("SIGINT", () => (cleanup(), process.exit(130)));
  process.once("SIGTERM", () => (cleanup(), process.exit(143)));

  try {
    const libDir = path.join(pkgDir, LIBRARY_PATH);
    fs.mkdirSync(path.dirname(libDir), { recursive: true });
    fs.cpSync(opts.src, libDir, { recursive: true });
    writeJson(path.join(pkgDir, "package.json"), packageJson());
    writeJson(path.join(pkgDir, "tsconfig.json"), {
      compilerOptions: TECHDIARY_COMPILER_OPTIONS,
      include: ["src/**/*.ts", "src/**/*.tsx"],
    });
    fs.symlinkSync(cachedModules, path.join(pkgDir, "node_modules"), "junction");
    const shownSrc = path.relative(PROJECT_ROOT, opts.src);
    console.log(`checking ${shownSrc && !shownSrc.startsWith("..") ? shownSrc : opts.src} as ${LIBRARY_PATH}/ in ${pkgDir}`);

    const ts = createRequire(path.join(pkgDir, "package.json"))("typescript");
    const escaping = findEscapingImports(ts, pkgDir, libDir);

    // The package's own tsc, as `tsc --noEmit -p .`; --pretty false and --listFiles only shape the output.
    const started = Date.now();
    const tsc = spawnSync(
      process.execPath,
      [path.join(pkgDir, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", ".", "--pretty", "false", "--listFiles"],
      { cwd: pkgDir, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
    );
    const tscTook = Date.now() - started;
    if (tsc.error) throw new Failure(`could not run tsc: ${tsc.error.message}`);

    // Paths relative to the temp package; files reached through the node_modules symlink shown as node_modules/...
    const display = (file) => {
      const abs = path.resolve(pkgDir, file);
      if (abs === cachedModules || abs.startsWith(cachedModules + path.sep)) {
        return path.join("node_modules", path.relative(cachedModules, abs));
      }
      return path.relative(pkgDir, abs);
    };
    let filesChecked = 0;
    let errors = 0;
    const output = [];
    for (const line of `${tsc.stdout}${tsc.stderr}`.split(/\r?\n/)) {
      if (!line) continue;
      if (path.isAbsolute(line) && fs.existsSync(line)) {
        // --listFiles: count the package's own files (libs and node_modules typings are not "checked" files).
        if (line.startsWith(pkgDir + path.sep)) filesChecked++;
        continue;
      }
      const diagnostic = /^(.+?)(\(\d+,\d+\): (?:error|warning|message) TS\d+:.*)$/.exec(line);
      if (diagnostic) output.push(display(diagnostic[1]) + diagnostic[2]);
      else output.push(line);
      if (/^(?:\S.*\): )?error TS\d+:/.test(line)) errors++;
    }
    if (output.length) console.log(output.join("\n"));
    if (tsc.status !== 0 && errors === 0) {
      errors = 1;
      console.log(`tsc exited with ${tsc.signal ?? `status ${tsc.status}`} without printing an error`);
    }

    if (escaping.length) {
      console.log(`\n${escaping.length} import(s) leave ${LIBRARY_PATH}/ — the library must not depend on its host app:`);
      const width = Math.max(...escaping.map((e) => e.where.length));
      for (const e of escaping) console.log(`  ${e.where.padEnd(width)}  "${e.spec}"  (${e.why})`);
    }

    const versions = VERSIONS_SHOWN.map((name) => `${name} ${readVersion(cachedModules, name)}`).join(", ");
    const ok = errors === 0 && escaping.length === 0;
    console.log(
      `\ncheck:port ${ok ? "OK" : "FAILED"}: ${versions}; ${filesChecked} files checked in ${seconds(tscTook)}; ` +
        `${errors} error${errors === 1 ? "" : "s"}` +
        (escaping.length ? `; ${escaping.length} import${escaping.length === 1 ? "" : "s"} leaving ${LIBRARY_PATH}/` : ""),
    );
    return ok;
  } finally {
    cleanup();
  }
}

try {
  process.exitCode = runCheck(parseArgs(process.argv.slice(2))) ? 0 : 1;
} catch (error) {
  console.error(`check:port: ${error instanceof Failure ? error.message : error?.stack ?? error}`);
  process.exitCode = 1;
}

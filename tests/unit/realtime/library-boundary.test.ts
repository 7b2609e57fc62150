import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { builtinModules } from "node:module";
import path from "node:path";
import { ESLint } from "eslint";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";

/**
 * src/lib/realtime is a library TechDiary copies unchanged: it may import packages and its own files, nothing of
 * the host app. Two guards: the lint rules of eslint.config.mjs (what a developer sees in the editor and in CI),
 * checked through ESLint's Node API on snippets placed inside the library, and a scan of the library's own files.
 */
const ROOT = path.resolve(import.meta.dirname, "../../..");
const LIBRARY = path.join(ROOT, "src/lib/realtime");
const INSIDE = "src/lib/realtime/server/x.ts";

describe("the lint rules that keep src/lib/realtime free of the host app", () => {
  let eslint: ESLint;
  beforeAll(() => {
    eslint = new ESLint({ cwd: ROOT });
  });
  const lint = async (code: string, filePath = INSIDE) => {
    const [result] = await eslint.lintText(code, { filePath });
    return result.messages.map((m) => ({ rule: m.ruleId, severity: m.severity, message: m.message }));
  };

  it("refuse the host's alias: @/env", async () => {
    const messages = await lint('import { getEnv } from "@/env";\n\nexport const read = getEnv;\n');
    expect(messages.map((m) => m.rule).sort()).toEqual(["import/no-restricted-paths", "no-restricted-imports"]);
    expect(messages.every((m) => m.severity === 2 && /imports nothing of the host app/.test(m.message))).toBe(true);
  });

  it("refuse a relative path out of the library: ../../../env", async () => {
    const messages = await lint('import { getEnv } from "../../../env";\n\nexport const read = getEnv;\n');
    expect(messages).toEqual([expect.objectContaining({ rule: "import/no-restricted-paths", severity: 2 })]);
    expect(messages[0].message).toMatch(/imports nothing of the host app/);
  });

  it("accept a package (zod/v4) and the library's own files (../signal)", async () => {
    const code = 'import { z } from "zod/v4";\nimport { parseSignal } from "../signal";\n\nexport const both = [z, parseSignal];\n';
    expect(await lint(code)).toEqual([]);
    // The rules are the library's own: the same host import is fine in the host.
    expect(await lint('import { getEnv } from "@/env";\n\nexport const read = getEnv;\n', "src/backend/realtime/x.ts")).toEqual([]);
  });
});

/** Every .ts/.tsx file under a folder. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** import/export-from, `import type`, dynamic import(), require() and triple-slash references of one file. */
function specifiers(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  return [...info.importedFiles, ...info.referencedFiles].map((f) => f.fileName);
}

const PACKAGE = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*(\/.*)?$/;
const packageRoot = (spec: string) => spec.split("/").slice(0, spec.startsWith("@") ? 2 : 1).join("/");
const BUILTINS = new Set(builtinModules);

/** Every import of `files` that is neither a package nor a relative path staying inside `library`. */
function outsideImports(files: string[], library: string): string[] {
  const outside: string[] = [];
  for (const file of files) {
    for (const spec of specifiers(file)) {
      const where = `${path.basename(file)}: ${spec}`;
      if (spec.startsWith(".")) {
        const target = path.resolve(path.dirname(file), spec);
        if (target !== library && !target.startsWith(library + path.sep)) outside.push(`${where} (leaves the folder)`);
      } else if (spec.startsWith("node:")) {
        if (!BUILTINS.has(spec.slice(5))) outside.push(`${where} (no such node builtin)`);
      } else if (!PACKAGE.test(spec)) {
        outside.push(`${where} (neither a package nor a relative path)`);
      } else if (!BUILTINS.has(spec) && !existsSync(path.join(ROOT, "node_modules", packageRoot(spec), "package.json"))) {
        outside.push(`${where} (not an installed package)`);
      }
    }
  }
  return outside;
}

describe("a scan of src/lib/realtime", () => {
  const files = sourceFiles(LIBRARY);

  it("finds the library's files, and their imports", () => {
    expect(files.length).toBeGreaterThan(10);
    expect(files.flatMap(specifiers).length).toBeGreaterThan(files.length);
  });

  it("imports only packages, and relative paths that stay inside src/lib/realtime", () => {
    expect(outsideImports(files, LIBRARY)).toEqual([]);
  });

  it("would catch the host's alias, a path out of the folder, a dynamic import and an unknown bare name", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "realtime-boundary-"));
    try {
      const library = path.join(dir, "src/lib/realtime");
      mkdirSync(path.join(library, "server"), { recursive: true });
      const file = path.join(library, "server/x.ts");
      writeFileSync(
        file,
        [
          'import { getEnv } from "@/env";',
          'import type { Db } from "../../../db/client";',
          'export { scopes } from "../../../backend/realtime/scopes";',
          'const lazy = () => import("src/env");',
          'import { z } from "zod/v4";',
          'import { parseSignal } from "../signal";',
          'import "../../realtime/notices";',
          'import http from "node:http";',
          'import Pusher from "pusher";',
        ].join("\n"),
      );
      expect(outsideImports([file], library)).toEqual([
        "x.ts: @/env (neither a package nor a relative path)",
        "x.ts: ../../../db/client (leaves the folder)",
        "x.ts: ../../../backend/realtime/scopes (leaves the folder)",
        "x.ts: src/env (not an installed package)",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

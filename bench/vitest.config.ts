import path from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** In the order of their numbers (1 to 10), so the output reads like the docs. */
class ByName extends BaseSequencer {
  async sort(files: TestSpecification[]) {
    return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId, "en", { numeric: true }));
  }
}

const root = path.resolve(import.meta.dirname, "..");

/**
 * `npm run bench`: the benches run through vitest because it is already the project's TypeScript runner, with the
 * same `@/` alias, `server-only` stub and next/headers + after() stand-ins as the tests (tsx is only a transitive
 * dependency, and Node 20 cannot strip types). One file at a time in one worker, so no bench competes for the two
 * cores with another.
 */
export default defineConfig({
  root,
  resolve: {
    alias: {
      "@": path.join(root, "src"),
      "server-only": path.join(root, "tests/helpers/stubs/server-only.ts"),
    },
  },
  test: {
    name: "bench",
    environment: "node",
    include: ["bench/[0-9]*.ts"],
    setupFiles: ["tests/helpers/setup-node.ts"],
    globalSetup: ["bench/lib/summary.ts"],
    fileParallelism: false,
    sequence: { sequencer: ByName },
    maxWorkers: 1,
    testTimeout: 240_000,
    hookTimeout: 60_000,
    reporters: ["default"],
  },
});

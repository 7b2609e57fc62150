import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";
import path from "node:path";

/**
 * The browser test of the scaled-out layout (two `next start` instances, two Soketi nodes, PostgreSQL, Redis) takes
 * about 35 s, most of it starting processes: over what npm test can add, so it runs with `npm run test:cluster`.
 */
const CLUSTER_BROWSER_TEST = "tests/browser/cluster.test.ts";
const withClusterBrowser = process.env.TEST_CLUSTER === "1";

const alias = {
  "@": path.resolve(import.meta.dirname, "src"),
  "server-only": path.resolve(import.meta.dirname, "tests/helpers/stubs/server-only.ts"),
};

export default defineConfig({
  plugins: [react()],
  resolve: { alias },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "node",
          environment: "node",
          include: ["tests/unit/**/*.test.ts", "tests/integration/**/*.test.ts", "tests/db/**/*.test.ts", "tests/fuzz/**/*.test.ts"],
          setupFiles: ["tests/helpers/setup-node.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: "jsdom",
          environment: "jsdom",
          include: ["tests/jsdom/**/*.test.tsx", "tests/jsdom/**/*.test.ts"],
          setupFiles: ["tests/helpers/setup-jsdom.ts"],
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: "browser",
          environment: "node",
          include: ["tests/browser/**/*.test.ts"],
          exclude: withClusterBrowser ? [] : [CLUSTER_BROWSER_TEST],
          globalSetup: ["tests/browser/global-setup.ts"],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});

import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import realtime from "./eslint-plugin-realtime/index.js";

/** Server-side modules that would drag the database or raw session tokens into a browser bundle. */
const SERVER_ONLY_MODULES = [
  { name: "@/db/client", message: "Client code reads data through server actions (src/backend/services/*)." },
  { name: "@/db/seed", message: "Client code reads data through server actions (src/backend/services/*)." },
  { name: "@/backend/session-store", message: "Use getSession()/authID() from a server action instead." },
  { name: "pg", message: "Database drivers are server-only." },
  { name: "@electric-sql/pglite", message: "Database drivers are server-only." },
  { name: "pusher", message: "The pusher server SDK holds the app secret; browsers use pusher-js." },
];

const config = [
  {
    ignores: [
      "**/node_modules/**",
      ".next*/**",
      ".data/**",
      "drizzle/**",
      "bench/results/**",
      "coverage/**",
      "test-results/**",
      "next-env.d.ts",
    ],
  },
  ...nextVitals,
  ...nextTs,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true },
      ],
      eqeqeq: ["error", "smart"],
      "no-implicit-coercion": ["error", { allow: ["!!"] }],
    },
  },
  {
    files: ["src/components/**/*.{ts,tsx}", "src/lib/realtime/client/**/*.{ts,tsx}"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        { paths: SERVER_ONLY_MODULES.map((p) => ({ ...p, allowTypeImports: true })) },
      ],
    },
  },
  {
    // src/lib/realtime is a library TechDiary copies unchanged: packages and its own files only. The host hands it
    // what is app-specific (channels, scopes, broker settings, the session and the channel policy).
    files: ["src/lib/realtime/**/*.{ts,tsx}"],
    rules: {
      "import/no-restricted-paths": [
        "error",
        {
          zones: [
            {
              target: "./src/lib/realtime",
              from: ".",
              except: ["./src/lib/realtime", "./node_modules"],
              message: "src/lib/realtime imports nothing of the host app; pass it in from src/backend/realtime instead.",
            },
          ],
        },
      ],
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["@/*"], message: "src/lib/realtime imports nothing of the host app; pass it in from src/backend/realtime instead." }] },
      ],
    },
  },
  {
    // The forgotten publish: an exported server action that writes (drizzle insert/update/delete/transaction) must
    // publish, or say why not with `// realtime-no-publish: <reason>` (docs/adding-a-live-resource.md).
    files: ["src/backend/services/**/*.ts"],
    plugins: { realtime },
    rules: {
      "realtime/publish-after-write": [
        "error",
        {
          publishers: ["publishInvalidate", "requestNotification", "endSessionConnections"],
          // Helpers of other files that write: the rule reads one file and cannot look into them.
          writeFunctions: [
            "setArticleTags",
            "deleteCommentsDeep",
            "deleteRootDependents",
            "createSession",
            "deleteSessionByToken",
            "insertNotification",
            // Reads the session, and touches its last_action_at (at most once a minute).
            "resolveSessionToken",
          ],
        },
      ],
    },
  },
  {
    // Tools' config files conventionally default-export an object literal.
    files: ["*.config.{js,mjs,cjs,ts}"],
    rules: { "import/no-anonymous-default-export": "off" },
  },
  {
    // Playwright's own browser download cannot work here; tests drive Debian's Chromium via playwright-core.
    files: ["tests/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "playwright", message: "Use playwright-core with tests/helpers/chromium.ts." },
            { name: "@playwright/test", message: "Use vitest with tests/helpers/chromium.ts." },
          ],
        },
      ],
    },
  },
];

export default config;

import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // PGlite ships WASM and data files that bundlers mangle; load it from node_modules at run time.
  serverExternalPackages: ["@electric-sql/pglite", "pg"],
  // Browser tests build into their own folder so they never clobber a developer's `next dev`.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // Always defined, so the client bundle sees a constant ("" unless set) and a build without it drops the realtime
  // inspector's lazy chunk (src/components/realtime/inspector-gate.tsx). Only the browser tests' build sets it.
  env: { NEXT_PUBLIC_REALTIME_INSPECTOR: process.env.NEXT_PUBLIC_REALTIME_INSPECTOR ?? "" },
  // Next adds its dist folder's type globs to the tsconfig it builds with; test builds point it at a
  // throw-away config so they never rewrite the committed tsconfig.json.
  typescript: { tsconfigPath: process.env.NEXT_TSCONFIG_PATH || "tsconfig.json" },
};

export default nextConfig;

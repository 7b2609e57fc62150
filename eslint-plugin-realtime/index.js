/**
 * The app's own ESLint rules for the realtime layer (plain ESM, no build step; wired in eslint.config.mjs).
 * Rules: `realtime/publish-after-write` (docs/adding-a-live-resource.md, "The forgotten-publish check").
 */
import publishAfterWrite from "./rules/publish-after-write.js";

/** @type {import("eslint").ESLint.Plugin} */
const plugin = {
  meta: { name: "eslint-plugin-realtime", version: "0.1.0" },
  rules: { "publish-after-write": publishAfterWrite },
};

export default plugin;

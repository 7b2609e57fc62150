import type { ESLint, Rule } from "eslint";

/** Types for index.js (plain ESM JavaScript, checked with JSDoc). */
declare const plugin: ESLint.Plugin & { rules: { "publish-after-write": Rule.RuleModule } };
export default plugin;

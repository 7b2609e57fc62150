import "server-only";

const BY_EXTENSION: Record<string, string> = {
  ts: "typescript",
  tsx: "tsx",
  js: "javascript",
  jsx: "jsx",
  mjs: "javascript",
  json: "json",
  md: "markdown",
  py: "python",
  rb: "ruby",
  go: "go",
  rs: "rust",
  sh: "bash",
  sql: "sql",
  css: "css",
  html: "html",
  yml: "yaml",
  yaml: "yaml",
};

/** A highlighting hint from the file extension when the author did not pick one. */
export function languageOf(filename: string): string {
  const ext = filename.includes(".") ? filename.split(".").pop()!.toLowerCase() : "";
  return BY_EXTENSION[ext] ?? "text";
}

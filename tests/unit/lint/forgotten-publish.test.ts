import { readFileSync } from "node:fs";
import path from "node:path";
import { ESLint, RuleTester } from "eslint";
import nextTs from "eslint-config-next/typescript";
import { beforeAll, describe, expect, it } from "vitest";
import realtime from "../../../eslint-plugin-realtime/index.js";

/**
 * realtime/publish-after-write (eslint-plugin-realtime/): an exported server action that writes to the database
 * and publishes nothing is reported, unless it says why with `// realtime-no-publish: <reason>`
 * (docs/adding-a-live-resource.md, "The forgotten-publish check").
 */
const ROOT = path.resolve(import.meta.dirname, "../../..");
const RULE = "realtime/publish-after-write";
const rule = realtime.rules["publish-after-write"];
const parser = nextTs.find((c) => c.languageOptions?.parser)?.languageOptions?.parser;

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const ruleTester = new RuleTester({ languageOptions: { parser, ecmaVersion: "latest", sourceType: "module" } });

/** A "use server" module: the imports every case shares, then `body`. */
const action = (body: string) => `"use server";
import { getDb } from "@/db/client";
import { bookmarks, comments } from "@/db/schema";
import { runAction } from "@/backend/action-result";
import { publishInvalidate } from "@/backend/realtime/server";
import { requestNotification } from "@/lib/inngest";
import { endSessionConnections } from "@/backend/realtime/connection-sign-in";
import { cookies } from "next/headers";
${body}
`;
const filename = "src/backend/services/example.actions.ts";
const missing = (name: string) => ({ messageId: "missingPublish", data: { name } });

describe("realtime/publish-after-write on code strings", () => {
  ruleTester.run("publish-after-write", rule, {
    valid: [
      {
        name: "a write inside runAction's callback, then a publish",
        filename,
        code: action(`export async function addBookmark(input: unknown) {
  return runAction(Schema, input, async ({ id }) => {
    const db = await getDb();
    await db.insert(bookmarks).values({ id });
    publishInvalidate(bookmarkSignal(id));
  });
}`),
      },
      {
        name: "the publish through an announce() closure; export const arrow; a write in a transaction",
        filename,
        code: action(`export const toggle = async (input: unknown) =>
  runAction(Schema, input, async ({ id }) => {
    const announce = async () => { publishInvalidate(signal(id)); };
    const db = await getDb();
    await db.transaction(async (tx) => { await tx.delete(bookmarks).where(of(id)); });
    await announce();
  });`),
      },
      {
        name: "the publish two same-file helpers away, the write in another helper",
        filename,
        code: action(`function announce(id: string) { publishInvalidate(signal(id)); }
const announceBoth = (id: string) => { announce(id); announce(id); };
async function write(id: string) { await (await getDb()).update(comments).set({ id }); }
export async function edit(id: string) { await write(id); announceBoth(id); }`),
      },
      {
        name: "endSessionConnections(..., publishInvalidate(...)) and requestNotification(...) publish",
        filename,
        code: action(`export async function revoke(id: string) {
  const db = await getDb();
  await db.delete(sessions).where(of(id));
  endSessionConnections(id, publishInvalidate(sessionSignal(id)));
}
export async function comment(id: string) {
  const db = await getDb();
  await db.insert(comments).values({ id });
  requestNotification({ id });
}`),
      },
      {
        name: "an aliased publisher import and a method-style publisher",
        filename,
        code: `"use server";
import { getDb } from "@/db/client";
import { publishInvalidate as announce } from "@/backend/realtime/server";
import { realtime } from "@/backend/realtime/server";
export async function a(id: string) { const db = await getDb(); await db.insert(t).values({ id }); announce(s(id)); }
export async function b(id: string) { const db = await getDb(); await db.insert(t).values({ id }); realtime.publishInvalidate(s(id)); }`,
      },
      {
        name: "not drizzle writes: Map/Set#delete, cookies().delete, jar.delete, hash.update().digest()",
        filename,
        code: action(`const seen = new Map<string, number>();
export async function forget(key: string) {
  seen.delete(key);
  new Set([key]).delete(key);
  (await cookies()).delete("session_token");
  const jar = await cookies();
  jar.delete("session_token");
  jar.set("a", "b");
  return createHash("sha256").update(key).digest("hex");
}`),
      },
      {
        name: "reads only; a non-exported helper that writes is not an action by itself",
        filename,
        code: action(`async function touch(id: string) { const db = await getDb(); await db.update(t).set({ id }); }
export async function list() { const db = await getDb(); return db.select().from(bookmarks); }`),
      },
      {
        name: "a shadowing local of a helper's name does not borrow the helper's publish",
        filename,
        code: action(`function announce() { publishInvalidate(s()); }
export async function read() { const announce = () => 1; return announce(); }`),
      },
      {
        name: "not a \"use server\" file",
        filename: "src/backend/queries/example.ts",
        code: `import { getDb } from "@/db/client";
export async function setTags(id: string) { const db = await getDb(); await db.delete(t).where(of(id)); }`,
      },
      {
        name: "an exemption with a reason, directly above the export (below its JSDoc)",
        filename,
        code: action(`/** Stamps the caller's session. */
// realtime-no-publish: only the session's last_action_at changes, nobody displays it live
export async function touchSession(id: string) {
  const db = await getDb();
  await db.update(sessions).set({ last_action_at: new Date() }).where(of(id));
}`),
      },
    ],
    invalid: [
      {
        name: "db.insert with no publish",
        filename,
        code: action(`export async function addBookmark(input: unknown) {
  return runAction(Schema, input, async ({ id }) => {
    const db = await getDb();
    await db.insert(bookmarks).values({ id });
  });
}`),
        errors: [{ ...missing("addBookmark"), line: 9 }],
      },
      {
        name: "tx.update in a transaction; (await getDb()).delete; a write-only helper",
        filename,
        code: action(`export const edit = async (id: string) => {
  const db = await getDb();
  await db.transaction(async (tx) => { await tx.update(comments).set({ body: "" }).where(of(id)); });
};
export async function wipe(id: string) { await (await getDb()).delete(comments); }
async function write(id: string) { await (await getDb()).insert(comments).values({ id }); }
export async function viaHelper(id: string) { await write(id); }
export { viaHelper as renamed2 };`),
        errors: [missing("edit"), missing("wipe"), missing("renamed2")],
      },
      {
        name: "a Drizzle-shaped chain on a receiver not named like a database",
        filename,
        code: action(`export async function f(conn: any) { await conn.update(comments).set({ body: "" }); }`),
        errors: [missing("f")],
      },
      {
        name: "options: a write helper of another file, and a publisher list without requestNotification",
        filename,
        code: action(`import { deleteCommentsDeep } from "@/backend/queries/comment-thread";
export async function del(id: string) { await deleteCommentsDeep(await getDb(), [id]); }
export async function comment(id: string) {
  const db = await getDb();
  await db.insert(comments).values({ id });
  requestNotification({ id });
}`),
        options: [{ writeFunctions: ["deleteCommentsDeep"], publishers: ["publishInvalidate"] }],
        errors: [missing("del"), missing("comment")],
      },
      {
        name: "an exemption without a reason, or with too short a one",
        filename,
        code: action(`// realtime-no-publish
export async function a(id: string) { const db = await getDb(); await db.insert(t).values({ id }); }
// realtime-no-publish: why not
export async function b(id: string) { const db = await getDb(); await db.insert(t).values({ id }); }`),
        errors: [
          { messageId: "noReason", line: 9 },
          { messageId: "noReason", line: 11 },
        ],
      },
      {
        name: "an unnecessary exemption: the function publishes, or writes nothing",
        filename,
        code: action(`// realtime-no-publish: the list is refreshed by polling anyway
export async function a(id: string) {
  const db = await getDb();
  await db.insert(t).values({ id });
  publishInvalidate(s(id));
}
// realtime-no-publish: the list is refreshed by polling anyway
export async function b() { return (await getDb()).select().from(t); }`),
        errors: [
          { messageId: "unnecessaryPublishes", data: { name: "a", via: "publishInvalidate(...)" }, line: 9 },
          { messageId: "unnecessaryNoWrite", data: { name: "b" }, line: 15 },
        ],
      },
      {
        name: "an exemption that is not directly above an exported function",
        filename,
        code: action(`// realtime-no-publish: this comment is separated from the function below

export async function a(id: string) { const db = await getDb(); await db.insert(t).values({ id }); }`),
        errors: [{ messageId: "misplaced", line: 9 }, missing("a")],
      },
    ],
  });
});

describe("realtime/publish-after-write with the real eslint.config.mjs", () => {
  let eslint: ESLint;
  beforeAll(() => {
    eslint = new ESLint({ cwd: ROOT, ruleFilter: ({ ruleId }) => ruleId === RULE });
  });

  it("is wired for src/backend/services", async () => {
    const config = await eslint.calculateConfigForFile(path.join(ROOT, "src/backend/services/bookmark.action.ts"));
    expect(config.rules?.[RULE]?.[0]).toBe(2);
  });

  it("reports nothing on the current src/backend/services files", async () => {
    const results = await eslint.lintFiles(["src/backend/services/*.ts"]);
    expect(results.length).toBeGreaterThanOrEqual(8);
    expect(results.flatMap((r) => r.messages.filter((m) => m.ruleId === RULE || m.fatal))).toEqual([]);
  });

  it("reports exactly toggleResourceBookmark once its publishInvalidate(...) is deleted", async () => {
    const file = "src/backend/services/bookmark.action.ts";
    const source = readFileSync(path.join(ROOT, file), "utf8");
    const { code, removed } = withoutCalls(source, "publishInvalidate");
    expect(removed).toBeGreaterThan(0);
    const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
    const messages = result.messages.filter((m) => m.ruleId === RULE || m.fatal);
    const line = code.split("\n").findIndex((l) => l.includes("export async function toggleResourceBookmark(")) + 1;
    expect(messages.map((m) => ({ line: m.line, message: m.message }))).toEqual([
      {
        line,
        message:
          "`toggleResourceBookmark` writes to the database but publishes nothing: call publishInvalidate(...) after the write, or add `// realtime-no-publish: <reason>`",
      },
    ]);
  });
});

/** Replaces every `name(...)` call (balanced parentheses, strings not special-cased) with `undefined`. */
function withoutCalls(source: string, name: string): { code: string; removed: number } {
  let code = source;
  let removed = 0;
  for (let at = code.indexOf(`${name}(`); at !== -1; at = code.indexOf(`${name}(`, at)) {
    let depth = 0;
    let end = at + name.length;
    do {
      if (code[end] === "(") depth++;
      else if (code[end] === ")") depth--;
      end++;
    } while (depth > 0 && end < code.length);
    code = `${code.slice(0, at)}undefined${code.slice(end)}`;
    removed++;
  }
  return { code, removed };
}

/**
 * realtime/publish-after-write: an exported server action that writes to the database must publish something.
 *
 * The check runs on "use server" files. For every exported binding (function declarations, `export const x = ...`,
 * `export { x }`, `export default`), it looks at the whole definition, nested callbacks included
 * (`runAction(..., async () => {...})`, `db.transaction(async (tx) => {...})`, closures like `announce`), and at every
 * function of the same file that the definition references, transitively (resolved through ESLint's scope analysis,
 * so a shadowing local of the same name does not count). Over that set it asks two questions:
 *
 * - does it write? A call `<receiver>.insert(…)`, `.update(…)` or `.delete(…)` whose receiver looks like a
 *   Drizzle database or transaction: an identifier or member named like one (`db`, `tx`, `trx`, `database`, `…Db`,
 *   `…Tx`; option `dbNames`), or a call to a database factory (`getDb()`, `(await getDb())`; option `dbFactories`);
 *   or one whose result is used the Drizzle way (`.insert(t).values(…)`, `.update(t).set(…)`,
 *   `.delete(t).where(…)`), whatever the receiver's name. `<db>.transaction(…)` counts as a write too (option
 *   `transactionsWrite`), and so does a call to a named write helper from another file (option `writeFunctions`).
 *   `Map#delete`, `Set#delete`, `cookies().delete`, `jar.delete(name)`, `hash.update(x).digest()` match none.
 * - does it publish? A call to one of the publishing functions (option `publishers`; by its imported name, so an
 *   `import { publishInvalidate as pub }` still counts), directly or as a method (`realtime.publishInvalidate(…)`).
 *
 * Writes without a publish are reported unless the function carries `// realtime-no-publish: <reason>` directly
 * above it (or above its `export`), in the block of comments touching it. The reason needs `minReasonWords` words.
 * A marker without a reason, a marker on a function that publishes or does not write, and a marker that is not
 * directly above an exported function are reported too.
 *
 * Limits (by design, it reads one file): it is presence-based, not flow-sensitive (a publish in one branch covers a
 * write in another); a write or publish inside a function of another file is invisible unless named in
 * `writeFunctions` / `publishers`; a receiver named unlike a database with no Drizzle-shaped chain is not a write.
 */

/** @typedef {import("eslint").Rule.RuleModule} RuleModule */
/** @typedef {import("estree").Node} Node */
/** @typedef {import("estree").Comment} Comment */

export const DEFAULT_OPTIONS = Object.freeze({
  publishers: ["publishInvalidate", "requestNotification", "endSessionConnections"],
  writeMethods: ["insert", "update", "delete"],
  dbNames: "^(db|tx|trx|database)$|(Db|Tx|Database)$",
  dbFactories: ["getDb"],
  writeFunctions: [],
  transactionsWrite: true,
  minReasonWords: 3,
});

/** What Drizzle chains onto a write builder, by write method. */
const DRIZZLE_FOLLOWERS = { insert: ["values", "select"], update: ["set"], delete: ["where", "returning"] };

/** @type {RuleModule} */
const rule = {
  meta: {
    type: "problem",
    docs: {
      description: "An exported server action that writes to the database must publish an invalidation",
      url: "docs/adding-a-live-resource.md",
    },
    schema: [
      {
        type: "object",
        additionalProperties: false,
        properties: {
          publishers: { type: "array", items: { type: "string" }, uniqueItems: true },
          writeMethods: { type: "array", items: { type: "string" }, uniqueItems: true },
          dbNames: { type: "string" },
          dbFactories: { type: "array", items: { type: "string" }, uniqueItems: true },
          writeFunctions: { type: "array", items: { type: "string" }, uniqueItems: true },
          transactionsWrite: { type: "boolean" },
          minReasonWords: { type: "integer", minimum: 1 },
        },
      },
    ],
    messages: {
      missingPublish:
        "`{{name}}` writes to the database but publishes nothing: call publishInvalidate(...) after the write, " +
        "or add `// realtime-no-publish: <reason>`",
      noReason:
        "`{{name}}`: `// realtime-no-publish` needs a reason of at least {{min}} words after a colon " +
        "(`// realtime-no-publish: <reason>`)",
      unnecessaryPublishes: "`{{name}}` publishes ({{via}}): remove the unnecessary `// realtime-no-publish` exemption",
      unnecessaryNoWrite:
        "`{{name}}` does not write to the database (that this rule can see): " +
        "remove the unnecessary `// realtime-no-publish` exemption",
      misplaced: "`// realtime-no-publish` applies only directly above an exported server action; nothing here uses it",
    },
  },

  create(context) {
    const options = { ...DEFAULT_OPTIONS, ...(context.options[0] ?? {}) };
    const publishers = new Set(options.publishers);
    const writeMethods = new Set(options.writeMethods);
    const dbFactories = new Set(options.dbFactories);
    const writeFunctions = new Set(options.writeFunctions);
    const dbNames = new RegExp(options.dbNames);
    const sourceCode = context.sourceCode;

    return {
      "Program:exit"(/** @type {import("estree").Program} */ program) {
        if (!isUseServer(program)) return;

        /** local name -> imported name, so aliases of the named publishers and helpers still match. */
        const imported = new Map();
        for (const stmt of program.body) {
          if (stmt.type !== "ImportDeclaration") continue;
          for (const s of stmt.specifiers) {
            if (s.type === "ImportSpecifier") imported.set(s.local.name, keyName(s.imported));
          }
        }
        const realName = (/** @type {string} */ name) => imported.get(name) ?? name;

        const entities = collectEntities(program);

        /** Facts of one definition on its own: its first write (node), its first publish (name). */
        const direct = new Map(
          entities.map((e) => {
            /** @type {{ write: Node | null, publish: string | null }} */
            const facts = { write: null, publish: null };
            walk(e.node, sourceCode.visitorKeys, (node) => {
              if (node.type !== "CallExpression") return;
              if (!facts.write && isWrite(node)) facts.write = node;
              if (!facts.publish) facts.publish = publisherOf(node);
            });
            return [e, facts];
          }),
        );

        // Edges: definition -> same-file definitions it references (calls, or passes as a callback).
        const edges = new Map(entities.map((e) => [e, new Set()]));
        const globalScope = sourceCode.scopeManager?.globalScope;
        const moduleScope = globalScope?.childScopes.find((s) => s.type === "module") ?? globalScope;
        for (const target of entities) {
          if (!target.name || !moduleScope) continue;
          const variable = moduleScope.set.get(target.name);
          if (!variable) continue;
          for (const ref of variable.references) {
            if (ref.init) continue;
            if (/** @type {any} */ (ref).isValueReference === false) continue;
            const [from] = ref.identifier.range ?? [0];
            const owner = entities.find(
              (e) => e !== target && e.node.range && e.node.range[0] <= from && from < e.node.range[1],
            );
            if (owner) edges.get(owner)?.add(target);
          }
        }

        const markers = sourceCode.getAllComments().filter((c) => markerOf(c) !== null);
        const usedMarkers = new Set();

        for (const entity of entities) {
          if (!entity.exported) continue;
          // Everything reachable from the exported definition, itself included.
          const seen = new Set([entity]);
          const queue = [entity];
          while (queue.length > 0) {
            for (const next of edges.get(/** @type {any} */ (queue.shift())) ?? []) {
              if (!seen.has(next)) {
                seen.add(next);
                queue.push(next);
              }
            }
          }
          let write = null;
          let publish = null;
          for (const e of seen) {
            const facts = direct.get(e);
            write ??= facts?.write ?? null;
            publish ??= facts?.publish ?? null;
          }

          const marker = markerAbove(entity.anchor);
          if (marker) usedMarkers.add(marker);
          const name = entity.exportedAs;
          const parsed = marker ? markerOf(marker) : null;
          const loc = marker?.loc ?? entity.anchor.loc ?? undefined;
          if (marker && publish) {
            context.report({ loc, messageId: "unnecessaryPublishes", data: { name, via: `${publish}(...)` } });
          } else if (marker && !write) {
            context.report({ loc, messageId: "unnecessaryNoWrite", data: { name } });
          } else if (marker && parsed && !parsed.valid) {
            context.report({ loc, messageId: "noReason", data: { name, min: String(options.minReasonWords) } });
          } else if (!marker && write && !publish) {
            context.report({ node: entity.id ?? entity.anchor, messageId: "missingPublish", data: { name } });
          }
        }

        for (const marker of markers) {
          if (!usedMarkers.has(marker)) context.report({ loc: marker.loc ?? program.loc, messageId: "misplaced" });
        }

        /** @param {import("estree").CallExpression} call */
        function isWrite(call) {
          const callee = unwrap(call.callee);
          if (callee.type === "Identifier") return writeFunctions.has(realName(callee.name));
          if (callee.type !== "MemberExpression") return false;
          const method = propertyName(callee);
          if (method === null) return false;
          if (writeFunctions.has(method)) return true; // a namespace import: queries.setArticleTags(...)
          if (method === "transaction") return options.transactionsWrite && isDbLike(callee.object);
          if (!writeMethods.has(method)) return false;
          if (isDbLike(callee.object)) return true;
          // Whatever the receiver's name, a Drizzle-shaped chain: db2.insert(t).values(...), x.update(t).set(...).
          const followers = /** @type {Record<string, string[]>} */ (DRIZZLE_FOLLOWERS)[method] ?? [];
          const parent = /** @type {any} */ (call).parent;
          return (
            parent?.type === "MemberExpression" &&
            parent.object === call &&
            followers.includes(propertyName(parent) ?? "") &&
            parent.parent?.type === "CallExpression" &&
            parent.parent.callee === parent
          );
        }

        /** @param {Node} node */
        function isDbLike(node) {
          const n = unwrap(node);
          if (n.type === "Identifier") return dbNames.test(n.name);
          if (n.type === "MemberExpression") {
            const name = propertyName(n);
            return name !== null && dbNames.test(name);
          }
          if (n.type === "CallExpression") {
            const callee = unwrap(n.callee);
            if (callee.type === "Identifier") return dbFactories.has(realName(callee.name));
            if (callee.type === "MemberExpression") return dbFactories.has(propertyName(callee) ?? "");
          }
          return false;
        }

        /** @param {import("estree").CallExpression} call @returns {string | null} */
        function publisherOf(call) {
          const callee = unwrap(call.callee);
          let name = null;
          if (callee.type === "Identifier") name = realName(callee.name);
          else if (callee.type === "MemberExpression") name = propertyName(callee);
          return name !== null && publishers.has(name) ? name : null;
        }

        /** The marker comment in the block of comments touching `stmt` from above, if any. */
        function markerAbove(/** @type {Node} */ stmt) {
          const before = sourceCode.getCommentsBefore(stmt);
          let nextLine = stmt.loc?.start.line ?? 0;
          for (let i = before.length - 1; i >= 0; i--) {
            const c = before[i];
            if ((c.loc?.end.line ?? 0) < nextLine - 1) break;
            if (markerOf(c) !== null) return c;
            nextLine = c.loc?.start.line ?? 0;
          }
          return null;
        }

        /** @param {Comment} comment @returns {{ valid: boolean, reason: string } | null} */
        function markerOf(comment) {
          const m = /^\s*realtime-no-publish\b(:?)([\s\S]*)$/.exec(comment.value);
          if (!m) return null;
          const reason = m[2].trim();
          const words = reason.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
          return { valid: m[1] === ":" && words >= options.minReasonWords, reason };
        }
      },
    };
  },
};

export default rule;

/** @param {import("estree").Program} program */
function isUseServer(program) {
  for (const stmt of program.body) {
    if (stmt.type !== "ExpressionStatement" || !("directive" in stmt)) return false;
    if (typeof stmt.directive !== "string") return false;
    if (stmt.directive === "use server") return true;
  }
  return false;
}

/**
 * The module's top-level definitions: function declarations and variable declarators with an initializer,
 * exported or not. `anchor` is the statement a marker comment sits above (the `export` when there is one).
 * @param {import("estree").Program} program
 */
function collectEntities(program) {
  /**
   * @type {{ name: string | null, exportedAs: string, exported: boolean, node: Node, anchor: Node, id: Node | null }[]}
   */
  const entities = [];
  /** @type {Map<string, string>} local name -> exported name, from `export { a as b }` */
  const exportedLater = new Map();

  /** @param {Node} decl @param {Node} anchor @param {boolean} exported */
  const add = (decl, anchor, exported) => {
    if (decl.type === "FunctionDeclaration") {
      const name = decl.id?.name ?? null;
      entities.push({ name, exportedAs: name ?? "default", exported, node: decl, anchor, id: decl.id ?? null });
    } else if (decl.type === "VariableDeclaration") {
      for (const d of decl.declarations) {
        if (d.id.type !== "Identifier" || !d.init) continue;
        // With several declarators in one statement (`export const a = …, b = …`), a marker sits before each.
        const own = decl.declarations.length === 1 ? anchor : d;
        entities.push({ name: d.id.name, exportedAs: d.id.name, exported, node: d.init, anchor: own, id: d.id });
      }
    }
  };

  for (const stmt of program.body) {
    if (stmt.type === "ExportNamedDeclaration") {
      if (stmt.declaration) add(stmt.declaration, stmt, true);
      else if (!stmt.source) {
        for (const s of stmt.specifiers) {
          const local = keyName(s.local);
          // `export type { X }` (typescript-eslint) exports no value.
          if (/** @type {any} */ (stmt).exportKind !== "type" && /** @type {any} */ (s).exportKind !== "type") {
            exportedLater.set(local, keyName(s.exported));
          }
        }
      }
    } else if (stmt.type === "ExportDefaultDeclaration") {
      const d = stmt.declaration;
      if (d.type === "FunctionDeclaration") add(d, stmt, true);
      else if (d.type === "Identifier") exportedLater.set(d.name, "default");
      else entities.push({ name: null, exportedAs: "default", exported: true, node: d, anchor: stmt, id: null });
    } else if (stmt.type === "FunctionDeclaration" || stmt.type === "VariableDeclaration") {
      add(stmt, stmt, false);
    }
  }
  for (const e of entities) {
    if (e.name !== null && exportedLater.has(e.name)) {
      e.exported = true;
      e.exportedAs = /** @type {string} */ (exportedLater.get(e.name));
    }
  }
  return entities;
}

/** @param {any} node @returns {string} */
function keyName(node) {
  return node.type === "Identifier" ? node.name : String(node.value);
}

/** @param {any} member @returns {string | null} */
function propertyName(member) {
  if (!member.computed && member.property.type === "Identifier") return member.property.name;
  const { property } = member;
  if (member.computed && property.type === "Literal" && typeof property.value === "string") return property.value;
  return null;
}

const WRAPPERS = new Set([
  "TSNonNullExpression",
  "TSAsExpression",
  "TSSatisfiesExpression",
  "TSTypeAssertion",
  "ChainExpression",
]);

/** Through `await`, `!`, `as`, `satisfies` and optional chains. @param {any} node @returns {any} */
function unwrap(node) {
  let n = node;
  for (;;) {
    if (n.type === "AwaitExpression") n = n.argument;
    else if (WRAPPERS.has(n.type)) n = n.expression;
    else return n;
  }
}

/**
 * Every node below `root` (root included), in source order.
 * @param {any} root @param {Record<string, readonly string[]>} keys @param {(node: any) => void} visit
 */
function walk(root, keys, visit) {
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    visit(node);
    const children = [];
    for (const key of keys[node.type] ?? []) {
      const value = node[key];
      if (Array.isArray(value)) children.push(...value.filter((v) => v && typeof v.type === "string"));
      else if (value && typeof value.type === "string") children.push(value);
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
}

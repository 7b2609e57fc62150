import { afterAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { safeRedirectPath } from "@/lib/safe-redirect";
import { isSafeRedirect, redirectTarget } from "./redirects";
import { newStats, note, printTotals, runProperty, timeoutFor, type Budget } from "./support";

/** safeRedirectPath (the post-sign-in `next`) for arbitrary strings: the result never leaves the site. */

const SAFE: Budget = { runs: 4000, ms: 5_000 };
const STABLE: Budget = { runs: 1000, ms: 2_000 };

afterAll(() => printTotals("safe-redirect"));

describe("fuzz: safeRedirectPath", () => {
  it(
    "never throws; the result is '/' or one '/' then a path character, and stays on the origin",
    async () => {
      const stats = newStats();
      const input = fc.oneof({ weight: 12, arbitrary: redirectTarget }, { weight: 1, arbitrary: fc.anything() });
      await runProperty(
        "safeRedirectPath stays on the site",
        fc.property(input, (next) => {
          stats.cases++;
          let result: unknown;
          expect(() => (result = safeRedirectPath(next))).not.toThrow();
          note(stats, result === "/" ? "root" : "path");
          const problem = isSafeRedirect(result);
          expect(problem, `safeRedirectPath(${JSON.stringify(next)})`).toBeNull();
          // A browser drops tabs and newlines and reads "\" as "/" before resolving: still on the site.
          const asBrowser = new URL(String(result).replace(/[\t\n\r]/g, "").replaceAll("\\", "/"), "https://app.example");
          expect(asBrowser.origin).toBe("https://app.example");
        }),
        SAFE,
        stats,
      );
    },
    timeoutFor(SAFE),
  );

  it(
    "is stable: a path it returns is returned unchanged",
    async () => {
      const stats = newStats();
      await runProperty(
        "safeRedirectPath is idempotent",
        fc.property(redirectTarget, (next) => {
          stats.cases++;
          const once = safeRedirectPath(next);
          expect(safeRedirectPath(once)).toBe(once);
        }),
        STABLE,
        stats,
      );
    },
    timeoutFor(STABLE),
  );
});

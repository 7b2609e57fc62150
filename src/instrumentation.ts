/**
 * Runs once per server process before it takes requests (`next dev` and `next start`): validates the env (a bad
 * variable stops the server at start with a message naming it), says whether realtime is on, and seeds the demo data
 * when demo sign-in is enabled.
 */
export async function register() {
  // Next inlines NEXT_RUNTIME per bundle, so the Edge bundle drops this branch and never sees the Node-only module.
  // `next build` may load this file while collecting pages; seeding a database is no part of building.
  if (process.env.NEXT_RUNTIME === "nodejs" && process.env.NEXT_PHASE !== "phase-production-build") {
    const { onServerStart } = await import("./instrumentation-node");
    await onServerStart();
  }
}

import type { TestProject } from "vitest/node";
import { findChromium } from "../helpers/chromium";
import { buildApp, startAppServer, type AppServer } from "../helpers/app-server";
import { startSoketi, type SoketiHandle } from "../helpers/soketi";

/**
 * One production build, one real Soketi and one `next start` for the whole browser project; tests get
 * their addresses through inject("app") / inject("soketi"). Everything is stopped by PID in teardown.
 */
export default async function setup(project: TestProject) {
  // Fail in a second with the install command rather than after a multi-minute build.
  findChromium();

  const build = await buildApp();
  console.log(
    build.skipped ? "[browser] reusing .next-test (E2E_SKIP_BUILD=1)" : `[browser] next build: ${(build.ms / 1000).toFixed(1)} s`,
  );

  let soketi: SoketiHandle | undefined;
  let server: AppServer | undefined;
  try {
    soketi = await startSoketi();
    server = await startAppServer({
      env: {
        ...soketi.env,
        PUSHER_PUBLIC_HOST: soketi.host,
        PUSHER_PUBLIC_PORT: String(soketi.port),
        PUSHER_PUBLIC_TLS: "0",
      },
    });
  } catch (err) {
    await server?.stop();
    await soketi?.stop();
    throw err;
  }
  console.log(`[browser] app ${server.url} (pid ${server.pid}), soketi 127.0.0.1:${soketi.port} (pid ${soketi.pid})`);

  project.provide("app", { url: server.url, pid: server.pid });
  project.provide("soketi", {
    host: soketi.host,
    port: soketi.port,
    pid: soketi.pid,
    app: soketi.app,
    env: soketi.env,
  });

  return async () => {
    await server?.stop();
    await soketi?.stop();
  };
}

import { expect, vi } from "vitest";
// The matchers module alone (no React, no Next, no pusher-js): the kit's entry would cost every test file ~1.4 s of imports.
import { realtimeMatchers, type RealtimeMatchers } from "@/lib/realtime/testing/matchers";
import { request } from "./next-request";

// The realtime test kit's matchers (toContainSignal, toPublishOnlyTo) in every node and jsdom test file; the type
// augmentation below serves both projects (setup-jsdom.ts registers the same matchers).
expect.extend(realtimeMatchers);
declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends RealtimeMatchers<T> {}
}

vi.mock("next/headers", () => ({
  cookies: async () => request.cookies,
  headers: async () => request.headers,
}));

vi.mock("next/server", async (importOriginal) => {
  const actual = await importOriginal<typeof import("next/server")>();
  return {
    ...actual,
    after: (task: (() => unknown) | Promise<unknown>) => {
      request.afterQueue.push(typeof task === "function" ? task : () => task);
    },
  };
});

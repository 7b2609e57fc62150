import { vi } from "vitest";
import { request } from "./next-request";

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

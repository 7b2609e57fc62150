import { afterEach, beforeEach, expect, vi } from "vitest";
import { cleanup } from "@testing-library/react";
import { realtimeMatchers } from "@/lib/realtime/testing/matchers";
import { resetServerActions } from "../jsdom/support/server-actions";

// jsdom has no server: the server action modules and next/navigation are stand-ins for every jsdom test file
// (tests/jsdom/support/server-actions.ts), reset before each test.
vi.mock("@/backend/services/article.actions", async () => (await import("../jsdom/support/server-actions")).actionModules.article);
vi.mock("@/backend/services/bookmark.action", async () => (await import("../jsdom/support/server-actions")).actionModules.bookmark);
vi.mock("@/backend/services/comment.action", async () => (await import("../jsdom/support/server-actions")).actionModules.comment);
vi.mock("@/backend/services/gist.actions", async () => (await import("../jsdom/support/server-actions")).actionModules.gist);
vi.mock("@/backend/services/notification.actions", async () => (await import("../jsdom/support/server-actions")).actionModules.notification);
vi.mock("@/backend/services/reaction.actions", async () => (await import("../jsdom/support/server-actions")).actionModules.reaction);
vi.mock("@/backend/services/session.actions", async () => (await import("../jsdom/support/server-actions")).actionModules.session);
vi.mock("@/backend/services/user.actions", async () => (await import("../jsdom/support/server-actions")).actionModules.user);
vi.mock("next/navigation", async () => {
  const { router } = await import("../jsdom/support/server-actions");
  return { useRouter: () => router, usePathname: () => "/", useSearchParams: () => new URLSearchParams() };
});

// The realtime test kit's matchers; their types are declared once, in setup-node.ts.
expect.extend(realtimeMatchers);

beforeEach(() => resetServerActions());
afterEach(() => cleanup());

import { describe, expect, it } from "vitest";
import type { ReactNode } from "react";
import { renderHook } from "@testing-library/react";
import { QueryClientProvider, QueryObserver, type QueryClient, type QueryKey } from "@tanstack/react-query";
import { queryKeys } from "@/lib/query-keys";
import { applySignals } from "@/lib/realtime/client";
import type { Signal } from "@/lib/realtime";
import { scopes } from "@/backend/realtime/scopes";
import { bookmarkSignal, commentThreadSignal, gistSignals, reactionSignal } from "@/backend/realtime/signals";
import { useServerAction } from "@/components/providers/RealtimeProvider";
import { uuid } from "../../helpers/uuids";
import { newQueryClient } from "../support/app";
import { ok } from "../support/fixtures";

/**
 * The writer's own tab: applySignals maps an action's returned signals through the scope registry and refetches
 * exactly those keys, once each, and useServerAction does that before handing the action's data back.
 */
const USER = uuid("apply-user");
const ARTICLE = uuid("article:apply");
const OTHER_ARTICLE = uuid("article:apply-other");
const COMMENT = uuid("comment:apply");
const ROOT = { resource_type: "ARTICLE", resource_id: ARTICLE } as const;

const KEYS = {
  comments: queryKeys.comments(ARTICLE, "ARTICLE"),
  otherComments: queryKeys.comments(OTHER_ARTICLE, "ARTICLE"),
  commentReactions: queryKeys.reaction(COMMENT, "COMMENT"),
  articleReactions: queryKeys.reaction(ARTICLE, "ARTICLE"),
  bookmarkButton: queryKeys.bookmarkStatus(ARTICLE),
  otherBookmarkButton: queryKeys.bookmarkStatus(OTHER_ARTICLE),
  myBookmarks: queryKeys.myBookmarks(),
  gists: queryKeys.gists(),
} satisfies Record<string, QueryKey>;
type Name = keyof typeof KEYS;

/** Active queries (an observer each, as a mounted component has) whose fetches the test answers by hand. */
async function activeQueries(queryClient: QueryClient, names: readonly Name[] = Object.keys(KEYS) as Name[]) {
  const fetches: Record<string, number> = {};
  const held: Array<() => void> = [];
  let hold = false;
  const unsubscribe: Array<() => void> = [];
  for (const name of names) {
    const observer = new QueryObserver(queryClient, {
      queryKey: KEYS[name],
      queryFn: async () => {
        const n = (fetches[name] = (fetches[name] ?? 0) + 1);
        if (hold) await new Promise<void>((release) => held.push(release));
        return n;
      },
    });
    unsubscribe.push(observer.subscribe(() => {}));
  }
  // Every first fetch answered, so a later invalidation starts a fetch of its own.
  await Promise.all(names.map((name) => queryClient.fetchQuery({ queryKey: KEYS[name] })));
  return {
    fetches: () => ({ ...fetches }),
    /** From now on fetches wait for release(). */
    holdFetches: () => void (hold = true),
    release: () => held.splice(0).forEach((r) => r()),
    pending: () => held.length,
    stop: () => unsubscribe.forEach((u) => u()),
  };
}

const ones = (names: readonly Name[]) => Object.fromEntries(names.map((n) => [n, 1]));

describe("applySignals", () => {
  it("refetches exactly the keys the registry maps the signals to, each once, and resolves after those refetches finished", async () => {
    const queryClient = newQueryClient();
    const queries = await activeQueries(queryClient);
    queries.holdFetches();
    const signals = [
      commentThreadSignal(ROOT).signal,
      bookmarkSignal(USER, ARTICLE).signal,
      bookmarkSignal(USER, ARTICLE).signal, // the same key twice: one refetch
      reactionSignal({ resource_type: "COMMENT", resource_id: COMMENT }, ROOT).signal,
    ] as Signal[];

    let settled = false;
    const applied = applySignals(queryClient, scopes, signals).then(() => void (settled = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(queries.pending()).toBe(4); // comments, the button, the bookmarks list, the comment's reactions
    expect(settled).toBe(false);
    queries.release();
    await applied;
    expect(queryClient.getQueryData(KEYS.comments)).toBe(2); // the fresh answer is in when it resolves
    expect(queryClient.getQueryData(KEYS.bookmarkButton)).toBe(2);
    expect(queries.fetches()).toEqual({
      ...ones(Object.keys(KEYS) as Name[]),
      comments: 2,
      bookmarkButton: 2,
      myBookmarks: 2,
      commentReactions: 2,
    });
    queries.stop();
  });

  it("ignores unknown scopes and ids it cannot use; the usable signal beside them still applies", async () => {
    const queryClient = newQueryClient();
    const queries = await activeQueries(queryClient);
    const signals: Signal[] = [
      { scope: "nope" },
      { scope: "comments" }, // ids missing
      { scope: "comments", ids: { resource_id: "not-a-uuid", resource_type: "ARTICLE" } },
      { scope: "comments", ids: { resource_id: COMMENT, resource_type: "COMMENT" } }, // a comment is no thread root
      { scope: "bookmarks", ids: { resource_id: 7 } },
      ...gistSignals(USER, null).map((p) => p.signal as Signal),
    ];
    await applySignals(queryClient, scopes, signals);
    expect(queries.fetches()).toEqual({ ...ones(Object.keys(KEYS) as Name[]), gists: 2 });

    await applySignals(queryClient, scopes, undefined); // an action that published nothing
    await applySignals(queryClient, scopes, []);
    expect(queries.fetches()).toEqual({ ...ones(Object.keys(KEYS) as Name[]), gists: 2 });
    queries.stop();
  });

  it("marks an inactive query of a mapped key stale without fetching it, and does not wait for it", async () => {
    const queryClient = newQueryClient();
    const queries = await activeQueries(queryClient, ["comments"]);
    queryClient.setQueryData(KEYS.otherComments, "cached");
    queryClient.setQueryData(KEYS.myBookmarks, "cached, page closed");
    await applySignals(queryClient, scopes, [bookmarkSignal(USER, ARTICLE).signal as Signal, commentThreadSignal(ROOT).signal as Signal]);
    expect(queries.fetches()).toEqual({ comments: 2 });
    expect(queryClient.getQueryState(KEYS.myBookmarks)?.isInvalidated).toBe(true); // refetched when next shown
    expect(queryClient.getQueryState(KEYS.otherComments)?.isInvalidated).toBe(false);
    queries.stop();
  });
});

describe("useServerAction", () => {
  function setup() {
    const queryClient = newQueryClient();
    const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
    const { result } = renderHook(() => useServerAction(), { wrapper });
    return { queryClient, run: result.current };
  }

  it("applies the returned signals to this tab, then hands back the data; an error result applies nothing and throws its message", async () => {
    const { queryClient, run } = setup();
    const queries = await activeQueries(queryClient);

    queries.holdFetches();
    let data: unknown;
    const running = run(Promise.resolve(ok({ bookmarked: true }, [bookmarkSignal(USER, ARTICLE)]))).then((d) => (data = d));
    await new Promise((r) => setTimeout(r, 20));
    expect(queries.pending()).toBe(2); // the button and the bookmarks list are being refetched...
    expect(data).toBeUndefined(); // ...and the action is not done before they are
    queries.release();
    await running;
    expect(data).toEqual({ bookmarked: true });
    // Already refetched when the action's promise settles: a mutation's onSuccess sees the fresh button.
    expect(queryClient.getQueryData(KEYS.bookmarkButton)).toBe(2);
    expect(queries.fetches()).toEqual({ ...ones(Object.keys(KEYS) as Name[]), bookmarkButton: 2, myBookmarks: 2 });

    queries.release();
    await expect(
      run(Promise.resolve({ ok: false as const, error: { code: "FORBIDDEN" as const, message: "Not yours." } })),
    ).rejects.toThrow("Not yours.");
    expect(await run(Promise.resolve(ok("no signals")))).toBe("no signals");
    expect(queries.fetches()).toEqual({ ...ones(Object.keys(KEYS) as Name[]), bookmarkButton: 2, myBookmarks: 2 });
    queries.stop();
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";
import { act, waitFor } from "@testing-library/react";
import { QueryClient } from "@tanstack/react-query";
import { createImmediateInvalidator, createRealtimeClient } from "@/lib/realtime/client";
import { createMemoryPusher, MEMORY_CONFIG } from "@/lib/realtime/testing";
import { scopes } from "@/backend/realtime/scopes";
import { commentThreadSignal } from "@/backend/realtime/signals";
import { queryKeys } from "@/lib/query-keys";
import { held, ids, renderScopeCache } from "../support/scope-cache";
import { FAKE_CONFIG } from "../support/fake-pusher";

/**
 * Gap detection in the tab (client/versions.ts through the provider): a signal carries its channel's version; a
 * skipped version resyncs the channel's scopes at once, a duplicate or late one touches nothing, and a version check
 * (on focus here) resyncs a channel that moved without any signal arriving.
 */
const COMMENTS = commentThreadSignal({ resource_type: "ARTICLE", resource_id: ids.article }).signal;
const at = (v: number) => ({ ...COMMENTS, v });

describe("gap detection", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("contiguous versions refetch the signal's keys only; a skipped version resyncs the whole channel", async () => {
    const tab = renderScopeCache();
    expect(await tab.invalidatedBy(held.article, at(1))).toEqual(["comments"]);
    expect(await tab.invalidatedBy(held.article, at(2))).toEqual(["comments"]);
    const afterGap = await tab.invalidatedBy(held.article, at(4));
    expect(afterGap).toEqual(expect.arrayContaining(["comments", "articlePage", "articleReactions", "commentReactions"]));
    expect(afterGap).not.toContain("notifications");
    expect(await tab.invalidatedBy(held.article, at(5))).toEqual(["comments"]);
  });

  it("a duplicate or late version touches nothing, and the next one still applies", async () => {
    const tab = renderScopeCache();
    expect(await tab.invalidatedBy(held.article, at(7))).toEqual(["comments"]);
    expect(await tab.invalidatedBy(held.article, at(7))).toEqual([]);
    expect(await tab.invalidatedBy(held.article, at(6))).toEqual([]);
    expect(await tab.invalidatedBy(held.article, at(8))).toEqual(["comments"]);
  });

  it("a version check on focus resyncs a channel that moved without a signal, and only that one", async () => {
    const server: Record<string, number> = { [held.article]: 3, [held.user]: 10 };
    const asked: string[][] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (_url: string, init: RequestInit) => {
        const names = new URLSearchParams(init.body as URLSearchParams).getAll("channel");
        asked.push(names);
        return Response.json({ versions: Object.fromEntries(names.filter((n) => n in server).map((n) => [n, server[n]])) });
      }),
    );
    const tab = renderScopeCache({ config: { ...FAKE_CONFIG, versionsEndpoint: "/api/realtime/versions" } });
    const focus = async () => {
      const before = asked.length;
      await act(async () => void window.dispatchEvent(new Event("focus")));
      await waitFor(() => expect(asked.length).toBe(before + 1));
      await act(async () => {}); // the answer is applied
    };
    // The first check is the baseline: nothing is stale yet.
    await focus();
    expect(asked.at(-1)!.sort()).toEqual(Object.values(held).sort());
    expect(await tab.invalidatedBy(held.article, {})).toEqual([]);
    // A write moved the article channel; its signal never arrived.
    server[held.article] = 4;
    await focus();
    const repaired = await tab.invalidatedBy(held.article, {});
    expect(repaired).toEqual(expect.arrayContaining(["comments", "articleReactions"]));
    expect(repaired).not.toContain("notifications");
    // Now in step: the late signal for version 4 still applies once (it may have been in flight), 5 is contiguous.
    expect(await tab.invalidatedBy(held.article, at(4))).toEqual(["comments"]);
    expect(await tab.invalidatedBy(held.article, at(5))).toEqual(["comments"]);
  });
});

describe("the writer's own tab", () => {
  /** A tab on the library's client alone, holding the article channel, with every cached query valid. */
  function tab() {
    const queryClient = new QueryClient();
    const keys = { comments: queryKeys.comments(ids.article, "ARTICLE"), reactions: queryKeys.reaction(ids.article, "ARTICLE") };
    const fill = () => Object.values(keys).forEach((key) => queryClient.setQueryData(key, { cached: true }));
    fill();
    const fake = createMemoryPusher();
    const client = createRealtimeClient({ queryClient, scopes, config: MEMORY_CONFIG, createPusher: fake.factory, createInvalidator: createImmediateInvalidator });
    client.connection.join(held.article);
    const invalidatedBy = (act: () => void) => {
      act();
      const names = Object.entries(keys).filter(([, key]) => queryClient.getQueryState(key)?.isInvalidated).map(([name]) => name);
      fill();
      return names;
    };
    return { client, fake, invalidatedBy };
  }

  it("counts its own action's versions as heard: its next broker signal is no false gap", () => {
    const { client, fake, invalidatedBy } = tab();
    expect(invalidatedBy(() => fake.deliver(held.article, at(1)))).toEqual(["comments"]);
    // Its own write (version 2) reached it in the action's result, not from the broker.
    expect(invalidatedBy(() => client.heard([[held.article, 2]]))).toEqual([]);
    expect(invalidatedBy(() => fake.deliver(held.article, at(3)))).toEqual(["comments"]);
    client.dispose();
  });

  it("without them, the same signal looks like a gap and resyncs the channel", () => {
    const { client, fake, invalidatedBy } = tab();
    expect(invalidatedBy(() => fake.deliver(held.article, at(1)))).toEqual(["comments"]);
    expect(invalidatedBy(() => fake.deliver(held.article, at(3)))).toEqual(["comments", "reactions"]);
    client.dispose();
  });
});

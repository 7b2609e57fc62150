import { describe, expect, it } from "vitest";
import { resourceChannel } from "@/backend/realtime/channels";
import { commentThreadSignal } from "@/backend/realtime/signals";
import { held, ids, renderScopeCache } from "../support/scope-cache";

/**
 * What the provider does with a signal it cannot use: nothing. Each bad signal is followed by a valid one on the
 * same connection (and channel, where there is one), and the cache then shows exactly the valid signal's keys:
 * the bad one was delivered first and touched nothing. The scope-specific cases (a scope on a channel kind that
 * does not carry it, wrong ids) sit with their features; these concern any scope.
 */
const COMMENTS = commentThreadSignal({ resource_type: "ARTICLE", resource_id: ids.article }).signal;

describe("signals that must not invalidate anything", () => {
  it.each([
    ["an unknown scope", held.article, { scope: "everything" }],
    ["content instead of ids", held.article, { ...COMMENTS, body: "hi" }],
    ["ids that are not ids", held.article, { scope: "comments", ids: { resource_id: "<script>", resource_type: "ARTICLE" } }],
    ["an upper-case UUID (not the channel's one spelling)", held.article, { scope: "comments", ids: { resource_id: ids.article.toUpperCase(), resource_type: "ARTICLE" } }],
    ["not JSON", held.article, "not json {"],
    ["over the size bound", held.article, JSON.stringify({ ...COMMENTS, pad: "x".repeat(2_000) })],
    ["a channel nobody joined", resourceChannel("ARTICLE", ids.otherArticle), commentThreadSignal({ resource_type: "ARTICLE", resource_id: ids.otherArticle }).signal],
  ] as const)("%s", async (_label, channel, signal) => {
    const tab = renderScopeCache();
    await tab.send(channel, signal);
    expect(await tab.invalidatedBy(held.article, COMMENTS)).toEqual(["comments"]);
  });
});

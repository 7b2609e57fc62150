import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import { useQuery } from "@tanstack/react-query";
import { useRealtimeChannel, useRealtimeStatus } from "@/lib/realtime/client";
import { createRealtimeTestKit, renderWithRealtime } from "@/lib/realtime/testing";
import { resourceChannel, tagChannel, userChannel } from "@/backend/realtime/channels";
import { scopes } from "@/backend/realtime/scopes";
import { bookmarkSignal, commentThreadSignal } from "@/backend/realtime/signals";
import { useResourceChannel } from "@/components/providers/RealtimeProvider";
import { queryKeys } from "@/lib/query-keys";
import { uuid } from "../../helpers/uuids";

/**
 * The test kit's client half: the library's RealtimeProvider on the in-memory broker. emit() delivers as the broker
 * would and resolves once the refetches settled, so every assertion right after it sees the fresh data.
 */
const ME = uuid("kit:me");
const ARTICLE = uuid("kit:article");
const OTHER = uuid("kit:other-article");
const TAG = uuid("kit:tag");
const thread = { resource_type: "ARTICLE", resource_id: ARTICLE } as const;

/** A "server": one version per name, read by the queries below; fetches counted. */
function backend() {
  const versions: Record<string, number> = {};
  const fetches: Record<string, number> = {};
  return {
    versions,
    fetches,
    read: (name: string) => async () => {
      fetches[name] = (fetches[name] ?? 0) + 1;
      const value = versions[name] ?? 0;
      await new Promise((r) => setTimeout(r, 5));
      return value;
    },
  };
}
type Backend = ReturnType<typeof backend>;

function ArticleComments({ db, id }: { db: Backend; id: string }) {
  useResourceChannel("ARTICLE", id);
  const { data } = useQuery({ queryKey: queryKeys.comments(id, "ARTICLE"), queryFn: db.read(`comments ${id}`) });
  return <p data-testid={`comments-${id}`}>{data ?? "…"}</p>;
}

function TagFeed({ db }: { db: Backend }) {
  useRealtimeChannel(tagChannel(TAG));
  const { data } = useQuery({ queryKey: queryKeys.tagArticles(TAG), queryFn: db.read("tag") });
  return <p data-testid="tag">{data ?? "…"}</p>;
}

function Bookmarks({ db }: { db: Backend }) {
  const { data } = useQuery({ queryKey: queryKeys.myBookmarks(), queryFn: db.read("bookmarks") });
  return <p data-testid="bookmarks">{data ?? "…"}</p>;
}

function Status() {
  return <p data-testid="status">{useRealtimeStatus()}</p>;
}

const text = (testId: string) => screen.getByTestId(testId).textContent;

describe("createRealtimeTestKit / renderWithRealtime", () => {
  it("a signal on a joined channel refetches its query before emit resolves; the same signal on a channel not joined does nothing", async () => {
    const db = backend();
    const view = renderWithRealtime(
      <>
        <ArticleComments db={db} id={ARTICLE} />
        <TagFeed db={db} />
      </>,
      { render, scopes, strict: true },
    );
    await view.settled();
    expect(text(`comments-${ARTICLE}`)).toBe("0");
    expect(view.joined()).toEqual([resourceChannel("ARTICLE", ARTICLE), tagChannel(TAG)].sort());

    db.versions[`comments ${ARTICLE}`] = 1;
    expect(await view.emit(resourceChannel("ARTICLE", ARTICLE), commentThreadSignal(thread).signal)).toBe(true);
    expect(text(`comments-${ARTICLE}`)).toBe("1");
    expect(db.fetches[`comments ${ARTICLE}`]).toBe(2);

    // The same delivery path, to a resource channel this tab does not hold: nothing is delivered, nothing refetched.
    db.versions[`comments ${ARTICLE}`] = 2;
    const elsewhere = commentThreadSignal({ resource_type: "ARTICLE", resource_id: OTHER });
    expect(await view.emit(resourceChannel("ARTICLE", OTHER), elsewhere.signal)).toBe(false);
    expect(text(`comments-${ARTICLE}`)).toBe("1");
    expect(db.fetches[`comments ${ARTICLE}`]).toBe(2);
    expect(db.fetches.tag).toBe(1);
  });

  it("the user channel is joined by the provider; a wrapper for the test's own render", async () => {
    const db = backend();
    const rt = createRealtimeTestKit({ scopes, userChannel: userChannel(ME) });
    render(<Bookmarks db={db} />, { wrapper: rt.wrapper });
    await rt.settled();
    expect(rt.joined()).toEqual([userChannel(ME)]);
    db.versions.bookmarks = 3;
    await rt.emit(userChannel(ME), bookmarkSignal(ME, ARTICLE).signal);
    expect(text("bookmarks")).toBe("3");
    expect(rt.queryClient.getQueryState(queryKeys.myBookmarks())?.dataUpdateCount).toBe(2);
  });

  it("disconnect: offline, signals missed; connect: every joined channel resyncs once", async () => {
    const db = backend();
    const view = renderWithRealtime(
      <>
        <Status />
        <ArticleComments db={db} id={ARTICLE} />
        <TagFeed db={db} />
        <Bookmarks db={db} />
      </>,
      { render, scopes, userChannel: userChannel(ME) },
    );
    await view.settled();
    expect(text("status")).toBe("connected");
    await view.disconnect();
    expect(text("status")).toBe("offline");

    db.versions[`comments ${ARTICLE}`] = 1;
    db.versions.tag = 1;
    db.versions.bookmarks = 1;
    // Lost while the tab is away, as a broker loses it.
    expect(await view.emit(resourceChannel("ARTICLE", ARTICLE), commentThreadSignal(thread).signal)).toBe(false);
    expect(text(`comments-${ARTICLE}`)).toBe("0");

    await view.connect();
    expect(text("status")).toBe("connected");
    expect([text(`comments-${ARTICLE}`), text("tag"), text("bookmarks")]).toEqual(["1", "1", "1"]);
    expect([db.fetches[`comments ${ARTICLE}`], db.fetches.tag, db.fetches.bookmarks]).toEqual([2, 2, 2]);
  });
});

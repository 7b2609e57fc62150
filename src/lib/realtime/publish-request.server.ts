import "server-only";
import { headers } from "next/headers";
import { after } from "next/server";
import { originSocketId } from "./origin-socket.server";
import { PublishBatch, type Publication } from "./publish-batch.server";

/** A publication whose excluded connection, when not given, comes from the request's `x-socket-id` header. */
export type PendingPublication = Omit<Publication, "socketId"> & { socketId?: string | null };

type Flush = (batch: PublishBatch) => Promise<void>;

/*
 * Which request is "this one". Next keeps one Headers object per request (in its request store, the same one
 * every `await headers()` of that request yields, on every runtime and in dev) and it is exactly as long-lived as
 * the request, so a WeakMap keyed by it holds each request's batch and frees it with the request. Our own
 * AsyncLocalStorage would need to wrap the action's entry point, which Next owns (enterWith from inside a helper
 * does not reach its caller's later awaits), and Next's own storage is internal API.
 *
 * headers() is async, so a publication joins its batch a microtask later; the flush, scheduled with after(), runs
 * once the response is done, long after every publication of the request has joined. Outside a request (scripts,
 * after() callbacks, where headers() throws) publications of one turn of the event loop share a batch instead.
 */
const batches = new WeakMap<object, PublishBatch>();
const flushed = new WeakSet<object>();
const scheduled = new WeakSet<object>();
let detached: PublishBatch | null = null;

function currentHeaders(): Promise<Headers> | null {
  try {
    return headers() as Promise<Headers>;
  } catch {
    return null;
  }
}

/** after() keeps the work alive past the response (and a serverless instance awake); elsewhere, the next turn. */
function schedule(task: () => Promise<void>): void {
  const run = () => task().catch((err) => console.error("[realtime] publish flush failed:", err));
  try {
    after(run);
  } catch {
    setImmediate(run);
  }
}

function addDetached(publication: Publication, flush: Flush): void {
  if (!detached) {
    const batch = (detached = new PublishBatch());
    schedule(async () => {
      if (detached === batch) detached = null;
      await flush(batch);
    });
  }
  detached.add(publication);
}

function join(request: Headers, publication: PendingPublication, flush: Flush): void {
  const socketId = publication.socketId === undefined ? originSocketId(request) : (publication.socketId ?? undefined);
  const resolved = { ...publication, socketId };
  if (flushed.has(request)) return addDetached(resolved, flush); // published after the flush: still sent, on its own
  let batch = batches.get(request);
  if (!batch) batches.set(request, (batch = new PublishBatch()));
  batch.add(resolved);
}

/** Adds a publication to the current request's batch, sent once after the response. Never throws. */
export function publishInRequest(publication: PendingPublication, flush: Flush): void {
  const pending = currentHeaders();
  // No request to take the originating connection from: only an explicit socketId excludes anyone.
  const detachedCopy = () => addDetached({ ...publication, socketId: publication.socketId ?? undefined }, flush);
  if (!pending) return detachedCopy();
  pending.then((request) => join(request, publication, flush), detachedCopy);
  // Next hands out one promise per request, so this is one after() per request.
  if (scheduled.has(pending)) return;
  scheduled.add(pending);
  schedule(async () => {
    const request = await pending.catch(() => null);
    if (!request) return;
    const batch = batches.get(request);
    flushed.add(request);
    batches.delete(request);
    if (batch && !batch.isEmpty) await flush(batch);
  });
}

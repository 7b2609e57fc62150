import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import { headers } from "next/headers";
import { after } from "next/server";
import type { AnyScopeRegistry, Publication } from "../scopes";
import { ChannelVersionSchema, fastSignal, signalData, SIGNAL_MAX_BYTES, SignalSchema, type Signal } from "../signal";
import type { Broker } from "./broker";
import type { PublishMetrics } from "./health";
import {
  deliveryKey,
  NO_RETRY,
  PublishBatch,
  retryPolicyOf,
  RealtimePublishError,
  unitChannels,
  type Delivery,
  type PublishSender,
} from "./sender";
import { createThrottle, type Throttle, type ThrottleWindowStore } from "./throttle";
import { SOCKET_ID_HEADER, SOCKET_ID_PATTERN as SOCKET_ID } from "../client/socket-id-header";

/**
 * publishInvalidate, the one way to publish, and the request scope that batches what one server action publishes.
 *
 * A publication is checked at once (channels, scope, ids, size) and then joins an outbox: the current action's
 * (collectSignals), or outside any action the process's. An outbox is sent at commit: once the work that made its
 * first publication (that run of the microtask queue) is done (process.nextTick), so what the code publishes there
 * after a write goes together, as the fewest broker calls, through the process-wide sender (sender.ts). Nothing waits for that send: the action goes on and answers while
 * the broker call is in flight, and after() only holds the work alive past the response. (Sending after the
 * response instead put the whole response time between the commit and the readers' signal.) A publication made
 * after an await on I/O, announcing a later write, is a send of its own. The receipt publishInvalidate returns:
 *
 *   ignored (a server action)  -> sent with its outbox; a failure is logged once, never thrown;
 *   .delivered() (an Inngest step) -> sent right away; resolves once the broker accepted every delivery, rejects
 *                                 with RealtimePublishError otherwise, so Inngest retries that step alone;
 *   .signals                   -> what the writer's own tab applies to its queries (collectSignals gathers these
 *                                 for every publication of an action, so server actions can return them).
 *
 * The receipt is deliberately not a promise: an async function that returns it, or a Promise.all over it, would
 * otherwise wait for the broker by accident (and fail the action with it). Waiting is always an explicit call.
 *
 * Scopes with `throttleMs` bypass the outbox: each (channel, signal) pair has a throttle (throttle.ts) per process,
 * whose window lives in `throttleStore` when the host shares one between its instances.
 */

// The header a tab sends with its server actions, naming its own broker connection; one name for both sides.
export { SOCKET_ID_HEADER };

/**
 * The connection to leave out of a request's signals: the tab that made the change refreshes itself. Anything that
 * is not a well-formed socket id is ignored, never an error: the worst a forged value can do is spare one
 * connection a refetch it would otherwise have made.
 */
export function originSocketId(requestHeaders: Pick<Headers, "get"> | null): string | undefined {
  const value = requestHeaders?.get(SOCKET_ID_HEADER)?.trim();
  return value && SOCKET_ID.test(value) ? value : undefined;
}

export type PublishOptions = {
  /**
   * The originating pusher-js connection (`pusher.connection.socket_id`), which the broker skips. Left out, the
   * action's `x-socket-id` header decides (inside collectSignals); `null` excludes no one.
   */
  socketId?: string | null;
};

export interface PublishReceipt {
  /** The signals accepted by this call, each once: what the writer's own tab applies. */
  readonly signals: readonly Signal[];
  /**
   * Sends now (instead of with its outbox) and resolves once the broker accepted every delivery; rejects with
   * RealtimePublishError when it refused, timed out, or the publication was invalid. Throttled scopes resolve at
   * once: their signal goes out with the throttle's window.
   */
  delivered(): Promise<void>;
}

/** One publication as a capture recorded it: checked, its channels de-duplicated (see capturePublications). */
export type CapturedPublication = { channels: string[]; signal: Signal };

/** What capturePublications (@/lib/realtime/testing) hands back: the code's value and what it published. */
export type PublicationCapture<T> = {
  value: T;
  /** Checked publications in the order published; a (channel, signal) pair already recorded is left out. */
  publications: CapturedPublication[];
  /** Publications the publisher refused (a bug in the caller; logged, never thrown, as outside a capture). */
  refused: RealtimePublishError[];
};

/**
 * The test seam behind capturePublications (@/lib/realtime/testing), keyed by a symbol so it is not part of the
 * server's ordinary surface. Runs `fn` in a capture scope of this publisher (AsyncLocalStorage, so concurrent
 * captures stay apart): everything it publishes is checked and recorded as usual, collectSignals still gathers it,
 * and nothing goes to a broker or a throttle. `flush` runs after `fn`, inside the same scope (the test's runner of
 * queued after() callbacks), so work `fn` left behind is captured too.
 */
export const CAPTURE_PUBLICATIONS: unique symbol = Symbol.for("techdiary.realtime.capturePublications");

type Capture = { publications: CapturedPublication[]; refused: RealtimePublishError[]; seen: Set<string> };

type Entry = { deliveries: Delivery[]; state: "queued" | "sending"; done: Promise<void>; settle: (failure?: RealtimePublishError) => void };
/** Publications waiting for their send; `scheduled` while a send (afterCurrentWork) will take them. */
type Outbox = { entries: Entry[]; scheduled: boolean };
type ThrottleSlot = { throttle: Throttle; newest?: number };
type ActionScope = {
  outbox: Outbox;
  socketId?: string;
  signals: Map<string, Signal>;
  /** The channel versions the action's publications carry, in order: the writer's tab heard them (it is skipped). */
  versions: ChannelVersion[];
  parent?: ActionScope;
};

/** One channel at one version. */
export type ChannelVersion = readonly [channel: string, version: number];

export type Publisher<Pub> = {
  publishInvalidate(publications: Pub | readonly Pub[], opts?: PublishOptions): PublishReceipt;
  collectSignals<T>(action: () => Promise<T>): Promise<{ value: T; signals: Signal[]; versions: ChannelVersion[] }>;
  /** Stops every throttle window (tests, shutdown); pending trailing signals are dropped. */
  dispose(): void;
  /** Test seam: use capturePublications from @/lib/realtime/testing. */
  [CAPTURE_PUBLICATIONS]<T>(fn: () => T | Promise<T>, flush?: () => unknown): Promise<PublicationCapture<T>>;
};

/**
 * Runs `fn` once the current run of the microtask queue is over: after the action's own continuation (its return,
 * and whatever its caller does before the next await on I/O), before any I/O, timer or setImmediate callback.
 * Taken from Node at load: the send is I/O, not a timing policy, so a fake clock that a test installs to drive
 * throttle windows and deadlines must not hold publications back.
 */
const afterCurrentWork: (fn: () => void) => void = process.nextTick.bind(process);

/**
 * Keeps `work` alive past the response where there is a request to outlive (after(): Next waits for it after
 * sending the response, never before); elsewhere (a script, a worker) it simply runs.
 */
function holdPastResponse(work: Promise<void>): void {
  try {
    after(() => work);
  } catch {
    // no request scope: nothing to outlive
  }
}

async function requestHeaders(): Promise<Headers | null> {
  try {
    return (await headers()) as Headers;
  } catch {
    return null; // no request (a script, a test harness, an after() callback)
  }
}

/** A checked signal's wire text with its channel's version (`data` never has one: publishers cannot set `v`). */
const VERSION_BYTES = `,"v":${Number.MAX_SAFE_INTEGER}`.length;
const versionedData = (data: string, v: number) => `${data.slice(0, -1)},"v":${v}}`;

function newEntry(deliveries: Delivery[]): Entry {
  let settle!: Entry["settle"];
  const done = new Promise<void>((resolve, reject) => {
    settle = (failure) => (failure ? reject(failure) : resolve());
  });
  done.catch(() => {}); // an ignored receipt's failure is logged by the sender, never an unhandled rejection
  return { deliveries, state: "queued", done, settle };
}

const settledReceipt = (signals: readonly Signal[], failure?: RealtimePublishError): PublishReceipt => {
  const entry = newEntry([]);
  entry.settle(failure);
  return { signals, delivered: () => entry.done };
};

export function createPublisher<Pub extends Publication>({
  registry,
  broker,
  sender,
  metrics,
  throttleStore,
}: {
  registry: AnyScopeRegistry;
  broker: () => Broker | null;
  sender: (broker: Broker) => PublishSender;
  metrics: PublishMetrics;
  /** Where a new throttle's window lives; null or absent: the throttle's own memory. */
  throttleStore?: () => ThrottleWindowStore | null;
}): Publisher<Pub> {
  const scopes = new AsyncLocalStorage<ActionScope>();
  const captures = new AsyncLocalStorage<Capture>();
  /** Per (channel, signal): its throttle, and the newest version its window's requests carried. */
  const throttles = new Map<string, ThrottleSlot>();
  /** Publications made outside any action (a route handler, a script, work an action left behind). */
  const detached: Outbox = { entries: [], scheduled: false };

  /** Refuses what no subscriber could use: unknown channels, scopes a channel does not carry, missing ids, oversize. */
  function check(publication: Publication): { channels: string[]; signal: Signal; data: string; versions?: Readonly<Record<string, number>> } {
    const channels = [...new Set(publication.channels)];
    if (channels.length === 0) throw new RealtimePublishError(channels, "no channel given");
    // The plain check first (same verdict, a tenth of the cost); the schema decides, and explains, the rest.
    let signal = fastSignal(publication.signal);
    if (!signal) {
      const parsed = SignalSchema.safeParse(publication.signal);
      if (!parsed.success) throw new RealtimePublishError(channels, `invalid signal: ${parsed.error.issues[0]?.message}`);
      signal = parsed.data;
    }
    if (signal.v !== undefined) throw new RealtimePublishError(channels, "a signal's v comes from the publication's versions, not from the signal");
    const data = signalData(signal);
    if (Buffer.byteLength(data) > SIGNAL_MAX_BYTES) throw new RealtimePublishError(channels, `signal over ${SIGNAL_MAX_BYTES} bytes`);
    const checkedKinds = new Set<string>();
    for (const name of channels) {
      const channel = registry.channels.parse(name);
      if (!channel) throw new RealtimePublishError(channels, `not a channel of this app: ${JSON.stringify(name)}`);
      if (checkedKinds.has(channel.kind)) continue;
      if (!registry.keys(signal, channel)) {
        throw new RealtimePublishError(channels, `scope "${signal.scope}" is unknown, lacks ids, or is not carried by ${name}`);
      }
      checkedKinds.add(channel.kind);
    }
    const { versions } = publication;
    if (versions === undefined) return { channels, signal, data };
    if (Buffer.byteLength(data) > SIGNAL_MAX_BYTES - VERSION_BYTES) throw new RealtimePublishError(channels, `signal over ${SIGNAL_MAX_BYTES} bytes with its version`);
    for (const [name, version] of Object.entries(versions)) {
      if (!channels.includes(name)) throw new RealtimePublishError(channels, `a version for ${JSON.stringify(name)}, which is not among the channels`);
      if (!ChannelVersionSchema.safeParse(version).success) throw new RealtimePublishError(channels, `invalid version for ${name}`);
    }
    return { channels, signal, data, versions };
  }

  /** Sends the entries' deliveries together and settles each entry with its own outcome. */
  async function deliver(entries: Entry[], retrying = false): Promise<void> {
    const current = broker();
    const batch = new PublishBatch();
    for (const entry of entries) for (const delivery of entry.deliveries) batch.add(delivery);
    if (!current || batch.isEmpty) return entries.forEach((e) => e.settle());
    metrics.requested(batch.requested);
    metrics.duplicates(batch.duplicates);
    const units = batch.units();
    const outcomes = await sender(current).submit(units, retrying ? retryPolicyOf(current.config) : NO_RETRY);
    const failed = new Map<string, string>();
    units.forEach((unit, i) => {
      const reason = outcomes[i];
      if (reason !== null) for (const channel of unitChannels(unit)) failed.set(deliveryKey(channel, unit.data, unit.socketId), reason);
    });
    for (const entry of entries) {
      const lost: string[] = [];
      let reason: string | undefined;
      for (const { channels, data, socketId } of entry.deliveries) {
        for (const channel of channels) {
          const why = failed.get(deliveryKey(channel, data, socketId));
          if (why === undefined) continue;
          lost.push(channel);
          reason ??= why;
        }
      }
      entry.settle(reason === undefined ? undefined : new RealtimePublishError(lost, reason));
    }
  }

  const flush = (outbox: Outbox) => {
    const queued = outbox.entries.filter((e) => e.state === "queued");
    outbox.entries = [];
    outbox.scheduled = false;
    for (const entry of queued) entry.state = "sending";
    // Held past the response by after(): a failed publish is tried again a few times before it counts as lost.
    return deliver(queued, true);
  };

  /**
   * Queues `entry` and, for the first entry since the outbox's last send, starts the next send once the current
   * work is over (afterCurrentWork): late enough to batch what the action publishes after one commit, and never in
   * front of the action's own continuation (building the HTTP call costs about 0.3 ms of CPU, which a microtask
   * would put before the action returns); early enough that the broker call is under way while the response is
   * still being rendered, without first waiting for the I/O callbacks of the loop's poll phase as setImmediate did
   * (bench 1: about 0.05 to 0.1 ms of the reader's latency). Other requests' sends started together join the same
   * broker calls in the sender.
   */
  function enqueue(outbox: Outbox, entry: Entry): void {
    outbox.entries.push(entry);
    if (outbox.scheduled) return;
    outbox.scheduled = true;
    const sending = new Promise<void>((resolve) => afterCurrentWork(resolve))
      .then(() => flush(outbox))
      .catch((err) => console.error("[realtime] publish flush failed:", err));
    holdPastResponse(sending);
  }

  function throttled(windowMs: number, channel: string, data: string, version: number | undefined): void {
    const key = `${channel} ${data}`;
    let slot = throttles.get(key);
    if (!slot) {
      const fresh: ThrottleSlot = {
        throttle: createThrottle({
          windowMs,
          key,
          store: throttleStore?.() ?? undefined,
          // A failing store costs a duplicate signal (the throttle fires on its own); said here, as the sender says the rest.
          onStoreError: (err) => console.error(`[realtime] throttle window store failed, signal sent anyway: ${String(err)}`),
          // A failure rejects (the throttle retries it a window later) and is logged once, by the sender.
          fire: async () => {
            const v = fresh.newest;
            const entry = newEntry([{ channels: [channel], data: v === undefined ? data : versionedData(data, v) }]);
            entry.state = "sending";
            await deliver([entry]);
            await entry.done;
          },
          onIdle: () => void throttles.delete(key),
        }),
      };
      throttles.set(key, (slot = fresh));
    }
    // The window sends one signal for all its requests: the one with the newest version, which stands for them all.
    if (version !== undefined && (slot.newest === undefined || version > slot.newest)) slot.newest = version;
    slot.throttle.request();
  }

  return {
    publishInvalidate(publications, opts = {}) {
      const list = (Array.isArray(publications) ? publications : [publications]) as readonly Publication[];
      const scope = scopes.getStore();
      const capture = captures.getStore();
      let checked: ReturnType<typeof check>[];
      let socketId: string | undefined;
      try {
        checked = list.map(check);
        if (typeof opts.socketId === "string" && !SOCKET_ID.test(opts.socketId)) {
          throw new RealtimePublishError(list.flatMap((p) => p.channels), "invalid socketId");
        }
        socketId = opts.socketId === undefined ? scope?.socketId : (opts.socketId ?? undefined);
      } catch (err) {
        const error = err instanceof RealtimePublishError ? err : new RealtimePublishError([], String(err));
        console.error(error.message); // a bug in the caller; the write it announces has committed, so never thrown
        capture?.refused.push(error);
        return settledReceipt([], error);
      }

      const signals = new Map(checked.map(({ signal, data }) => [data, signal]));
      for (let s = scope; s; s = s.parent) {
        for (const [data, signal] of signals) s.signals.set(data, signal);
        for (const { versions } of checked) if (versions) s.versions.push(...Object.entries(versions));
      }
      const receiptSignals = [...signals.values()];
      if (capture) {
        // Recorded instead of sent: no outbox, no throttle, no broker. A pair the publisher would send once is kept once.
        for (const { channels, signal, data } of checked) {
          const fresh = channels.filter((channel) => !capture.seen.has(`${channel} ${data}`));
          fresh.forEach((channel) => capture.seen.add(`${channel} ${data}`));
          if (fresh.length > 0) capture.publications.push({ channels: fresh, signal });
        }
        return settledReceipt(receiptSignals);
      }
      if (!broker()) return settledReceipt(receiptSignals);

      const deliveries: Delivery[] = [];
      for (const { channels, signal, data, versions } of checked) {
        const windowMs = registry.spec(signal.scope)?.throttleMs;
        if (windowMs) channels.forEach((channel) => throttled(windowMs, channel, data, versions?.[channel]));
        else if (!versions) deliveries.push({ channels, data, socketId });
        else {
          // Each channel's own version: one message per channel (the sender packs them 10 to a batch call).
          const plain = channels.filter((channel) => versions[channel] === undefined);
          if (plain.length > 0) deliveries.push({ channels: plain, data, socketId });
          for (const [channel, v] of Object.entries(versions)) deliveries.push({ channels: [channel], data: versionedData(data, v), socketId });
        }
      }
      if (deliveries.length === 0) return settledReceipt(receiptSignals);
      const entry = newEntry(deliveries);
      enqueue(scope?.outbox ?? detached, entry);
      return {
        signals: receiptSignals,
        delivered() {
          // The caller wants the broker's answer, so this entry goes now instead of after the response.
          if (entry.state === "queued") {
            entry.state = "sending";
            void deliver([entry]);
          }
          return entry.done;
        },
      };
    },

    async collectSignals(action) {
      const parent = scopes.getStore();
      const scope: ActionScope = {
        // A nested action is part of the outer one: one outbox, one send per commit.
        outbox: parent?.outbox ?? { entries: [], scheduled: false },
        socketId: parent ? parent.socketId : originSocketId(await requestHeaders()),
        signals: new Map(),
        versions: [],
        parent,
      };
      // What the action publishes is already on its way (enqueue), also when it fails afterwards: it announced
      // writes that committed before the failure.
      const value = await scopes.run(scope, action);
      return { value, signals: [...scope.signals.values()], versions: scope.versions };
    },

    async [CAPTURE_PUBLICATIONS](fn, flush) {
      const capture: Capture = { publications: [], refused: [], seen: new Set() };
      const value = await captures.run(capture, async () => {
        const result = await fn();
        await flush?.();
        return result;
      });
      return { value, publications: capture.publications, refused: capture.refused };
    },

    dispose() {
      for (const { throttle } of throttles.values()) throttle.dispose();
      throttles.clear();
    },
  };
}

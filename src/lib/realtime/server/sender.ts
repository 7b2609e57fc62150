import "server-only";
import { INVALIDATE_EVENT } from "../signal";
import { callBroker, describeBrokerError, type Broker, type BrokerCall } from "./broker";
import type { PublishMetrics } from "./health";

/**
 * From deliveries to broker calls: PublishBatch plans what one request or step publishes into the fewest calls,
 * and PublishSender sends calls through one broker with a bounded number in flight and a deadline per delivery.
 */

/** Pusher's limits per call (Soketi's defaults too). */
export const MAX_CHANNELS_PER_TRIGGER = 100;
export const MAX_EVENTS_PER_BATCH = 10;

/** A signal's wire text for some channels, skipping one connection (the tab that made the change). */
export type Delivery = { channels: readonly string[]; data: string; socketId?: string };

/**
 * One piece of broker work: a trigger to several channels, or a single-channel event that the sender packs with
 * others into a triggerBatch call.
 */
export type PublishUnit =
  | { kind: "trigger"; channels: string[]; data: string; socketId?: string }
  | { kind: "event"; channel: string; data: string; socketId?: string };

export const unitChannels = (u: PublishUnit) => (u.kind === "trigger" ? u.channels : [u.channel]);

/** Identifies one signal on one channel, for telling a publisher which of its deliveries failed. */
export const deliveryKey = (channel: string, data: string, socketId?: string) => `${socketId ?? ""} ${channel} ${data}`;

type Group = { data: string; socketId?: string; channels: Set<string> };

/**
 * The signals of one request or one Inngest step, planned into the fewest broker calls: the same signal for many
 * channels becomes one trigger per 100 channels, different signals become events (10 per call), a small trigger
 * rides in the free slots of the last batch, and a repeated signal on a channel is dropped.
 */
export class PublishBatch {
  private readonly groups = new Map<string, Group>();
  requested = 0;
  duplicates = 0;

  add({ channels, data, socketId }: Delivery): void {
    // The excluded connection is part of the message: the same signal with another socket_id is another call.
    const key = `${socketId ?? ""} ${data}`;
    let group = this.groups.get(key);
    if (!group) this.groups.set(key, (group = { data, socketId, channels: new Set() }));
    for (const channel of channels) {
      this.requested++;
      if (group.channels.has(channel)) this.duplicates++;
      else group.channels.add(channel);
    }
  }

  get isEmpty(): boolean {
    return this.groups.size === 0;
  }

  units(): PublishUnit[] {
    const triggers: Array<Extract<PublishUnit, { kind: "trigger" }>> = [];
    const events: Array<Extract<PublishUnit, { kind: "event" }>> = [];
    for (const { data, socketId, channels } of this.groups.values()) {
      const list = [...channels];
      for (let i = 0; i < list.length; i += MAX_CHANNELS_PER_TRIGGER) {
        const chunk = list.slice(i, i + MAX_CHANNELS_PER_TRIGGER);
        if (chunk.length === 1) events.push({ kind: "event", channel: chunk[0], data, socketId });
        else triggers.push({ kind: "trigger", channels: chunk, data, socketId });
      }
    }
    let spare = events.length % MAX_EVENTS_PER_BATCH === 0 ? 0 : MAX_EVENTS_PER_BATCH - (events.length % MAX_EVENTS_PER_BATCH);
    const kept: typeof triggers = [];
    for (const trigger of triggers.sort((a, b) => a.channels.length - b.channels.length)) {
      if (trigger.channels.length > spare) {
        kept.push(trigger);
        continue;
      }
      spare -= trigger.channels.length;
      for (const channel of trigger.channels) {
        events.push({ kind: "event", channel, data: trigger.data, socketId: trigger.socketId });
      }
    }
    return [...kept, ...events];
  }
}

const LISTED_CHANNELS = 5;

/** Names a few channels, so a failure across 100 channels still fits on one log line. */
function channelList(channels: readonly string[]): string {
  const shown = channels.slice(0, LISTED_CHANNELS).join(",");
  return channels.length > LISTED_CHANNELS ? `${shown} and ${channels.length - LISTED_CHANNELS} more` : shown;
}

/** A publish the broker did not accept (or that was invalid), with the channels it was meant for. */
export class RealtimePublishError extends Error {
  constructor(
    readonly channels: readonly string[],
    readonly reason: string,
  ) {
    super(`[realtime] publish "${INVALIDATE_EVENT}" to ${channelList(channels)} failed: ${reason}`);
    this.name = "RealtimePublishError";
  }
}

/** A failure reason, or null once the broker accepted the unit. */
export type Outcome = string | null;

/**
 * How often a failed delivery is tried again, and after how long (`attempt` counts from 1, the first retry). Each
 * attempt has the broker's whole timeout. A server action's signals retry (their after() work stays alive for it,
 * and the response never waits); an Inngest step's do not: it fails fast, and Inngest retries the step.
 */
export type RetryPolicy = { retries: number; delayMs(attempt: number): number };
/** 250 ms, 1 s, 4 s: a broker restart (a few seconds) is ridden out; a lasting outage costs at most 3 more calls. */
export const PUBLISH_RETRY_POLICY: RetryPolicy = { retries: 3, delayMs: (attempt) => 250 * 4 ** (attempt - 1) };
/** The default policy with the broker configuration's number of retries. */
export const retryPolicyOf = (config: { publishRetries?: number }): RetryPolicy =>
  config.publishRetries === undefined ? PUBLISH_RETRY_POLICY : { ...PUBLISH_RETRY_POLICY, retries: config.publishRetries };
export const NO_RETRY: RetryPolicy = { retries: 0, delayMs: () => 0 };

type Job = {
  unit: PublishUnit;
  key: string;
  deadline: number;
  waiters: Array<(outcome: Outcome) => void>;
  /** Attempts made so far. */
  attempts: number;
  retry: RetryPolicy;
};

/**
 * Calls in flight per process. Work sent while they are busy waits and is packed into full calls (10 events per
 * triggerBatch), so the broker sees fewer, fuller requests exactly when load is high, and a lone signal never
 * waits. Below the agent's socket limit, so no request queues where its timeout cannot see it. 32 measured best
 * for delivered throughput here (bench 3: about 9.5k signals/s at 4, 11k at 8 and 16, 13k at 32).
 */
export const MAX_IN_FLIGHT = 32;

class Fifo<T> {
  private items: T[] = [];
  private head = 0;
  get length() {
    return this.items.length - this.head;
  }
  push(item: T) {
    this.items.push(item);
  }
  peek(): T | undefined {
    return this.items[this.head];
  }
  shift(): T | undefined {
    const item = this.items[this.head];
    if (item === undefined) return undefined;
    this.items[this.head++] = undefined as T;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

const unitKey = (u: PublishUnit) =>
  u.kind === "trigger" ? `t ${u.socketId ?? ""} ${u.channels.join(",")} ${u.data}` : `e ${u.socketId ?? ""} ${u.channel} ${u.data}`;

function toCall(jobs: Job[]): BrokerCall {
  const [first] = jobs;
  // A batch of one is a plain trigger: the same single request, on the endpoint every broker serves the same way.
  if (jobs.length === 1) {
    const u = first.unit;
    return { kind: "trigger", channels: unitChannels(u), data: u.data, socketId: u.socketId };
  }
  return {
    kind: "batch",
    events: jobs.map(({ unit }) => ({ channel: (unit as { channel: string }).channel, data: unit.data, socketId: unit.socketId })),
  };
}

/**
 * The process-wide path to one broker. Every unit settles within the broker's timeout of being submitted: units
 * still waiting for a free call when their time is up fail without being sent, and a call's own timeout is the
 * remaining time of its oldest unit. A failure is logged once per call with its channels and reason.
 */
export class PublishSender {
  private readonly triggers = new Fifo<Job>();
  private readonly events = new Fifo<Job>();
  private readonly waiting = new Map<string, Job>();
  private inFlight = 0;
  private pumpQueued = false;

  constructor(
    private readonly broker: Broker,
    private readonly metrics: PublishMetrics,
  ) {}

  get stats() {
    return { in_flight: this.inFlight, queued: this.triggers.length + this.events.length };
  }

  /** Resolves once every unit was accepted or failed for good (after `retry`'s attempts), each with its outcome. */
  submit(units: readonly PublishUnit[], retry: RetryPolicy = NO_RETRY): Promise<Outcome[]> {
    const deadline = performance.now() + this.broker.timeoutMs;
    const outcomes = units.map(
      (unit) =>
        new Promise<Outcome>((resolve) => {
          // Work that retries and work that fails fast are never merged: each keeps its own promise.
          const key = `${retry.retries} ${unitKey(unit)}`;
          const same = this.waiting.get(key);
          if (same) {
            // Identical work from another request that has not gone out yet: one delivery serves both.
            same.waiters.push(resolve);
            this.metrics.duplicates(unitChannels(unit).length);
            return;
          }
          this.enqueue({ unit, key, deadline, waiters: [resolve], attempts: 0, retry });
        }),
    );
    this.schedulePump();
    return Promise.all(outcomes);
  }

  private enqueue(job: Job): void {
    this.waiting.set(job.key, job);
    (job.unit.kind === "trigger" ? this.triggers : this.events).push(job);
  }

  private schedulePump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    // A microtask: what other requests submit in the same turn joins the same calls.
    queueMicrotask(() => this.pump());
  }

  /** A failed job's next attempt, with the broker's whole timeout again (so deadlines still grow in queue order). */
  private retryLater(job: Job): void {
    setTimeout(() => {
      job.deadline = performance.now() + this.broker.timeoutMs;
      const same = this.waiting.get(job.key);
      if (same) {
        same.waiters.push(...job.waiters);
        return;
      }
      this.enqueue(job);
      this.schedulePump();
    }, job.retry.delayMs(job.attempts));
  }

  private pump(): void {
    this.pumpQueued = false;
    this.expire(performance.now());
    while (this.inFlight < MAX_IN_FLIGHT) {
      const trigger = this.triggers.peek();
      const event = this.events.peek();
      if (!trigger && !event) return;
      if (trigger && (!event || trigger.deadline <= event.deadline)) {
        this.send([this.triggers.shift()!]);
        continue;
      }
      const jobs: Job[] = [];
      while (jobs.length < MAX_EVENTS_PER_BATCH && this.events.length) jobs.push(this.events.shift()!);
      this.send(jobs);
    }
  }

  private expire(now: number): void {
    const expired: Job[] = [];
    for (const queue of [this.triggers, this.events]) {
      // Deadlines grow in submission order, so the expired ones are at the head.
      while (queue.length && queue.peek()!.deadline - now < 1) expired.push(queue.shift()!);
    }
    if (expired.length === 0) return;
    // Out of the queue, so out of `waiting` too: identical work submitted later must not wait on a settled job.
    for (const job of expired) {
      this.waiting.delete(job.key);
      job.attempts++;
    }
    const reason = `timed out after ${this.broker.timeoutMs}ms waiting for a free connection to the broker`;
    this.settle(expired, reason, null);
  }

  private send(jobs: Job[]): void {
    for (const job of jobs) {
      this.waiting.delete(job.key);
      job.attempts++;
    }
    const started = performance.now();
    const budget = Math.max(1, Math.min(...jobs.map((j) => j.deadline)) - started);
    this.inFlight++;
    void callBroker(this.broker, toCall(jobs), budget)
      .then(
        () => null,
        (err: unknown) => describeBrokerError(err, this.broker.timeoutMs),
      )
      .then((outcome) => {
        this.inFlight--;
        this.settle(jobs, outcome, performance.now() - started);
        this.pump();
      });
  }

  private settle(jobs: Job[], outcome: Outcome, callMs: number | null): void {
    // A failed job with attempts left goes again later; only what failed for good counts as lost and is logged.
    const again = outcome === null ? [] : jobs.filter((j) => j.attempts <= j.retry.retries);
    const done = again.length === 0 ? jobs : jobs.filter((j) => !again.includes(j));
    const lost = outcome === null ? [] : done.flatMap((j) => unitChannels(j.unit));
    if (callMs === null) this.metrics.failed(lost.length, outcome ?? "");
    else this.metrics.call(jobs.flatMap((j) => unitChannels(j.unit)).length, callMs, outcome, lost.length);
    if (outcome !== null && lost.length > 0) console.error(new RealtimePublishError(lost, outcome).message);
    for (const job of done) for (const resolve of job.waiters) resolve(outcome);
    for (const job of again) this.retryLater(job);
  }
}

import type { Signal } from "../signal";

/** A captured publication, or any `{ channels, signal }` (e.g. a host builder's publication). */
export type PublicationLike = { readonly channels: readonly string[]; readonly signal: Signal };

/**
 * Matchers over what a capture recorded, as plain functions for any `expect.extend` (vitest, jest):
 *
 * ```ts
 * // a test setup file
 * import { expect } from "vitest";
 * import { realtimeMatchers, type RealtimeMatchers } from "@/lib/realtime/testing";
 * expect.extend(realtimeMatchers);
 * declare module "vitest" {
 *   // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any
 *   interface Matchers<T = any> extends RealtimeMatchers<T> {}
 * }
 * ```
 *
 * The received value is a capture (`{ publications }`) or its `publications` array.
 *
 * - `toContainSignal(channel, { scope, ids? }, { exactIds? })`: some publication went to `channel` with that scope.
 *   `ids` is matched as a subset by default (every id given is present with that value; others may be too; no
 *   `ids` at all accepts any); with `{ exactIds: true }` the signal's ids must be exactly those given (an omitted
 *   or empty `ids` then means "none").
 * - `toPublishOnlyTo(channels)`: every channel published to is one of `channels` (nothing published passes; pair it
 *   with toContainSignal to require something).
 *
 * Failure messages list everything that was published, one channel and signal a line.
 */
export type ExpectedSignal = { scope: string; ids?: Record<string, string | number> };
export type ContainSignalOptions = { exactIds?: boolean };

export interface RealtimeMatchers<R = unknown> {
  toContainSignal(channel: string, signal: ExpectedSignal, options?: ContainSignalOptions): R;
  toPublishOnlyTo(channels: readonly string[]): R;
}

type Received = { publications: readonly PublicationLike[] } | readonly PublicationLike[];
type MatcherResult = { pass: boolean; message: () => string };
type MatcherContext = { isNot?: boolean };

function publicationsOf(received: unknown): readonly PublicationLike[] {
  const list = Array.isArray(received) ? received : (received as { publications?: unknown } | null)?.publications;
  if (!Array.isArray(list) || !list.every((p) => p && Array.isArray(p.channels) && typeof p.signal?.scope === "string")) {
    throw new TypeError(`expected a capture ({ publications }) or its publications array, received ${String(JSON.stringify(received))}`);
  }
  return list as readonly PublicationLike[];
}

const signalText = (signal: Signal | ExpectedSignal) => JSON.stringify(signal.ids ? { scope: signal.scope, ids: signal.ids } : { scope: signal.scope });

/** Everything published, one channel and signal a line (numbered by publication), or "nothing was published". */
export function describePublications(publications: readonly PublicationLike[]): string {
  if (publications.length === 0) return "nothing was published";
  const lines = publications.flatMap((p, i) => p.channels.map((channel) => `  ${i + 1}. ${channel}  ${signalText(p.signal)}`));
  return `published (${publications.length} publication${publications.length === 1 ? "" : "s"}):\n${lines.join("\n")}`;
}

function idsMatch(actual: Signal["ids"], expected: ExpectedSignal["ids"], exact: boolean): boolean {
  const have = actual ?? {};
  const want = expected ?? {};
  if (!exact && expected === undefined) return true;
  const wanted = Object.entries(want);
  if (exact && Object.keys(have).length !== wanted.length) return false;
  return wanted.every(([name, value]) => Object.hasOwn(have, name) && have[name] === value);
}

/** Whether some publication carried `signal` to `channel` (ids as in toContainSignal). */
export function containsSignal(publications: readonly PublicationLike[], channel: string, signal: ExpectedSignal, { exactIds = false }: ContainSignalOptions = {}): boolean {
  return publications.some((p) => p.channels.includes(channel) && p.signal.scope === signal.scope && idsMatch(p.signal.ids, signal.ids, exactIds));
}

/** Channels published to that are not in `allowed`, each once, in publication order. */
export function unexpectedChannels(publications: readonly PublicationLike[], allowed: readonly string[]): string[] {
  const ok = new Set(allowed);
  return [...new Set(publications.flatMap((p) => p.channels).filter((channel) => !ok.has(channel)))];
}

/** Throws, listing every publication, when anything went to a channel outside `allowed`; for use without a matcher. */
export function expectOnlyChannels(received: Received, allowed: readonly string[]): void {
  const publications = publicationsOf(received);
  const extra = unexpectedChannels(publications, allowed);
  if (extra.length > 0) throw new Error(onlyToMessage(publications, allowed, extra, false));
}

function onlyToMessage(publications: readonly PublicationLike[], allowed: readonly string[], extra: string[], isNot: boolean): string {
  const head = isNot
    ? `expected a publication outside [${allowed.join(", ")}], but every channel published to is one of them`
    : `expected publications only to [${allowed.join(", ")}], but also published to ${extra.join(", ")}`;
  return `${head}\n${describePublications(publications)}`;
}

export const realtimeMatchers = {
  toContainSignal(this: MatcherContext | void, received: unknown, channel: string, signal: ExpectedSignal, options: ContainSignalOptions = {}): MatcherResult {
    const publications = publicationsOf(received);
    const pass = containsSignal(publications, channel, signal, options);
    const how = signal.ids === undefined ? "" : options.exactIds ? " (ids exactly)" : " (ids as a subset)";
    return {
      pass,
      message: () =>
        `expected ${pass ? "no publication" : "a publication"} of ${signalText(signal)}${how} on ${channel}\n${describePublications(publications)}`,
    };
  },
  toPublishOnlyTo(this: MatcherContext | void, received: unknown, channels: readonly string[]): MatcherResult {
    const publications = publicationsOf(received);
    const extra = unexpectedChannels(publications, channels);
    const pass = extra.length === 0;
    return { pass, message: () => onlyToMessage(publications, channels, extra, pass) };
  },
};

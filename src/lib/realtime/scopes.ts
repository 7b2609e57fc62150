/**
 * The scope registry, defined once by the host (`defineScopes`): for each scope, the channel kinds that carry it,
 * the ids its signal names, and the TanStack query keys it invalidates. The publisher checks signals against it,
 * the browser turns received signals into keys with it, the writer's own tab applies its action's signals with it,
 * and a resync after missed signals derives its keys from the same entry. So a live resource is one entry here.
 * Isomorphic: no server imports.
 */
import type { z } from "zod/v4";
import type { QueryKey } from "@tanstack/react-query";
import type { Channels, ChannelSpecs, ParsedChannel } from "./channels";
import type { Signal } from "./signal";

type IdsSchema = z.ZodType<Record<string, unknown>, Record<string, unknown>>;

export type ScopeSpec<Kind extends string = string, Ids extends IdsSchema = IdsSchema> = {
  /** Channel kinds that may carry the scope: the publisher refuses any other, the browser ignores it there. */
  carriedBy: readonly Kind[];
  /** The ids its signal must name (a zod object). Keys may depend on nothing else. */
  ids: Ids;
  /**
   * The query keys a signal invalidates (prefix match, TanStack's default). Put each id into a key as an element
   * of its own, untouched: after a gap in delivery the ids are unknown, and the resync cuts every key at the first
   * id that the channel does not name (see fromChannel), which refreshes every query the scope could have touched.
   */
  keys: (ids: z.output<Ids>) => readonly QueryKey[];
  /** Ids that a carrying channel names itself, as `{ id name: channel parameter }`, so a resync can fill them in. */
  fromChannel?: { readonly [K in keyof z.output<Ids>]?: string };
  /** false for a notice (see notices.ts): after a gap nothing says whether anything happened, so nothing is shown. */
  resync?: boolean;
  /** Server side: at most one signal per channel per window, and the last request is never dropped. */
  throttleMs?: number;
};

/** One scope entry, with its ids inferred so that `keys` is typed by them. */
export function scope<const Kind extends string, Ids extends IdsSchema>(spec: ScopeSpec<Kind, Ids>): ScopeSpec<Kind, Ids> {
  return spec;
}

type RequiredKeys<T> = { [K in keyof T]-?: Record<never, never> extends Pick<T, K> ? never : K }[keyof T];

/** A signal typed per scope, for publishers: ids may be left out only when the scope requires none. */
export type SignalOf<Defs extends Record<string, ScopeSpec>> = {
  [S in keyof Defs & string]: [RequiredKeys<z.input<Defs[S]["ids"]>>] extends [never]
    ? { scope: S; ids?: z.input<Defs[S]["ids"]> }
    : { scope: S; ids: z.input<Defs[S]["ids"]> };
}[keyof Defs & string];

/** What a write announces: one signal and the channels it goes to. Built by the host's signal builders. */
export type Publication<Defs extends Record<string, ScopeSpec> = Record<string, ScopeSpec>> = {
  channels: readonly string[];
  signal: SignalOf<Defs>;
  /**
   * The version each channel reached with the write (bumped in its transaction); each channel's message then
   * carries its own as the signal's `v`. A channel left out is sent without one and tracks nothing.
   */
  versions?: Readonly<Record<string, number>>;
};

export type ScopeRegistry<
  Specs extends ChannelSpecs = ChannelSpecs,
  Defs extends Record<string, ScopeSpec> = Record<string, ScopeSpec>,
> = {
  readonly channels: Channels<Specs>;
  readonly names: readonly (keyof Defs & string)[];
  spec(scope: string): ScopeSpec | undefined;
  /**
   * The keys a signal invalidates, or null when its scope is unknown, its ids are missing or wrong, or (given a
   * channel) that channel's kind does not carry the scope.
   */
  keys(signal: Signal, channel?: ParsedChannel<Specs> | null): readonly QueryKey[] | null;
  /** Every key the scopes of a channel may have touched, to refresh after signals on it may have been missed. */
  resyncKeys(channel: ParsedChannel<Specs>): readonly QueryKey[];
  /** Type carrier for Publication/SignalOf of this registry; never set. */
  readonly $defs?: Defs;
};

/** Any registry, whatever its channels and scopes (its generic parameters are invariant through keyof). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyScopeRegistry = ScopeRegistry<any, any>;

/** Stands in for an id the channel does not name; a key is cut where the first one appears. */
const ANY_ID: unique symbol = Symbol("any id");

function cutAtUnknownId(key: QueryKey): QueryKey {
  const at = key.indexOf(ANY_ID);
  return at === -1 ? key : key.slice(0, at);
}

function containsDeep(value: unknown, depth = 0): boolean {
  if (value === ANY_ID) return depth > 0;
  if (Array.isArray(value)) return value.some((v) => containsDeep(v, depth + 1));
  if (value && typeof value === "object") return Object.values(value).some((v) => containsDeep(v, depth + 1));
  return false;
}

export function defineScopes<Specs extends ChannelSpecs, const Defs extends Record<string, ScopeSpec<keyof Specs & string>>>(
  channels: Channels<Specs>,
  defs: Defs,
): ScopeRegistry<Specs, Defs> {
  const specs = defs as unknown as Record<string, ScopeSpec>;
  const idsFor = (spec: ScopeSpec, channel: ParsedChannel<Specs> | null) => {
    const ids: Record<string, unknown> = new Proxy({}, { get: (_, name) => (typeof name === "string" ? ANY_ID : undefined) });
    if (!channel || !spec.fromChannel) return ids;
    const known: Record<string, unknown> = {};
    for (const [id, param] of Object.entries(spec.fromChannel)) known[id] = (channel.params as Record<string, string>)[param!];
    return new Proxy(known, { get: (t, name) => (typeof name === "string" && name in t ? t[name] : ANY_ID) });
  };

  // Checked once at start-up, so a mistake in the table fails loudly instead of refreshing nothing.
  for (const [name, spec] of Object.entries(specs)) {
    for (const kind of spec.carriedBy) {
      const channel = channels.specs[kind];
      if (!channel) throw new Error(`scope ${name}: unknown channel kind "${kind}"`);
      for (const param of Object.values(spec.fromChannel ?? {})) {
        if (!Object.hasOwn(channel.params, param!)) throw new Error(`scope ${name}: channel ${kind} has no parameter "${param}"`);
      }
    }
    // A throttled signal stands for every version its window skipped, so a tab accepts any jump on its channel
    // (client/versions.ts); that is only sound where no other scope's signal could be among the skipped ones.
    if (spec.throttleMs) {
      const other = Object.entries(specs).find(([, s]) => !s.throttleMs && s.carriedBy.some((k) => spec.carriedBy.includes(k)));
      if (other) throw new Error(`scope ${name} is throttled: its channel kinds may carry only throttled scopes, not "${other[0]}"`);
    }
    const keys = spec.keys(idsFor(spec, null) as never);
    if (keys.some((key) => key.some((part) => containsDeep(part)))) {
      throw new Error(`scope ${name}: keys must hold each id as an element of its own, not inside an object`);
    }
  }

  const spec = (scope: string) => (Object.hasOwn(specs, scope) ? specs[scope] : undefined);

  return {
    channels,
    names: Object.keys(defs) as (keyof Defs & string)[],
    spec,
    keys(signal, channel) {
      const def = spec(signal.scope);
      if (!def || (channel && !def.carriedBy.includes(channel.kind))) return null;
      const ids = def.ids.safeParse(signal.ids ?? {});
      return ids.success ? def.keys(ids.data as never) : null;
    },
    resyncKeys(channel) {
      return Object.values(specs).flatMap((def) =>
        def.resync === false || !def.carriedBy.includes(channel.kind)
          ? []
          : def.keys(idsFor(def, channel) as never).map(cutAtUnknownId),
      );
    },
  };
}

/** The Publication type of a registry: `RegistryPublication<typeof scopes>`. */
export type RegistryPublication<R> = R extends ScopeRegistry<infer _S, infer Defs> ? Publication<Defs> : never;
/** The typed signal of a registry: `RegistrySignal<typeof scopes>`. */
export type RegistrySignal<R> = R extends ScopeRegistry<infer _S, infer Defs> ? SignalOf<Defs> : never;

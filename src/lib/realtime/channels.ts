/**
 * Channel names, defined once by the host (`defineChannels`) and built and parsed here for the publisher, the
 * auth route and the browser alike. A channel kind is a fixed word plus named parameters, each a canonical UUID or
 * one of a few fixed tokens:
 *
 *   defineChannels({ resource: { private: true, params: { type: ["ARTICLE", "GIST"], id: "uuid" } } })
 *     build("resource", { type: "ARTICLE", id })  ->  "private-resource.ARTICLE.<uuid>"
 *
 * Private kinds get Pusher's "private-" prefix, so the broker asks the auth route before it lets anyone in.
 * There is exactly one name per channel: UUIDs are lowercase, tokens match exactly, and anything else parses to
 * null. Isomorphic: no server imports.
 */

/** Canonical (lowercase) UUIDs, the ids of every TechDiary table. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Pusher's own limits: these characters only, at most 164 of them. */
export const CHANNEL_NAME_MAX = 164;
const PUSHER_CHANNEL_CHARS = /^[A-Za-z0-9_\-=@,.;]+$/;

export function isPusherChannelName(name: string): boolean {
  return name.length <= CHANNEL_NAME_MAX && PUSHER_CHANNEL_CHARS.test(name);
}

/** A parameter is a UUID, or one of a fixed list of tokens (no dots: the dot separates parameters). */
export type ParamSpec = "uuid" | readonly string[];
export type ChannelSpec = { private?: boolean; params: Readonly<Record<string, ParamSpec>> };
export type ChannelSpecs = Readonly<Record<string, ChannelSpec>>;

type ParamValue<P extends ParamSpec> = P extends readonly (infer T extends string)[] ? T : string;
export type ChannelParams<C extends ChannelSpec> = { -readonly [K in keyof C["params"]]: ParamValue<C["params"][K]> };

/** A parsed channel name: its kind, whether it is private, and its parameters by name. */
export type ParsedChannel<Specs extends ChannelSpecs = ChannelSpecs> = {
  [K in keyof Specs & string]: { kind: K; name: string; private: boolean; params: ChannelParams<Specs[K]> };
}[keyof Specs & string];

export type Channels<Specs extends ChannelSpecs = ChannelSpecs> = {
  readonly specs: Specs;
  /** The one name of a channel; throws RangeError on a parameter that no parser would accept. */
  build<K extends keyof Specs & string>(kind: K, params: ChannelParams<Specs[K]>): string;
  /** The one parser: anything that is not exactly a name `build` makes is null. */
  parse(name: unknown): ParsedChannel<Specs> | null;
};

const KIND = /^[a-z][a-z0-9-]*$/;
const PARSE_CACHE_SIZE = 1024;
const TOKEN = /^[A-Za-z0-9_-]+$/;

function validParam(spec: ParamSpec, value: unknown): value is string {
  return typeof value === "string" && (spec === "uuid" ? UUID_PATTERN.test(value) : spec.includes(value));
}

export function defineChannels<const Specs extends ChannelSpecs>(specs: Specs): Channels<Specs> {
  for (const [kind, spec] of Object.entries(specs)) {
    if (!KIND.test(kind) || kind.startsWith("private")) throw new Error(`channel kind "${kind}" must be a lowercase word`);
    for (const [param, p] of Object.entries(spec.params)) {
      if (p !== "uuid" && (p.length === 0 || !p.every((t) => TOKEN.test(t)))) {
        throw new Error(`channel ${kind}: parameter "${param}" needs "uuid" or tokens of letters, digits, _ and -`);
      }
    }
  }
  // A tab hears many signals on a few channels, and a server publishes to the same channels again and again: the
  // verdict per name is kept (frozen, so no caller can change it for the next), and the cache starts over when full.
  const parsed = new Map<string, ParsedChannel<Specs> | null>();
  const parseUncached = (name: string): ParsedChannel<Specs> | null => {
    const isPrivate = name.startsWith("private-");
    const [kind, ...values] = (isPrivate ? name.slice("private-".length) : name).split(".");
    const spec = Object.hasOwn(specs, kind) ? specs[kind] : undefined;
    if (!spec || Boolean(spec.private) !== isPrivate) return null;
    const entries = Object.entries(spec.params);
    if (values.length !== entries.length) return null;
    const params: Record<string, string> = {};
    for (let i = 0; i < entries.length; i++) {
      const [param, p] = entries[i];
      if (!validParam(p, values[i])) return null;
      params[param] = values[i];
    }
    return Object.freeze({ kind, name, private: isPrivate, params: Object.freeze(params) }) as ParsedChannel<Specs>;
  };

  return {
    specs,
    build(kind, params) {
      const spec = Object.hasOwn(specs, kind) ? specs[kind] : undefined; // not Object.prototype's "constructor"
      if (!spec) throw new RangeError(`unknown channel kind ${String(kind)}`);
      const values = Object.entries(spec.params).map(([param, p]) => {
        const value = (params as Record<string, unknown>)[param];
        if (!validParam(p, value)) {
          throw new RangeError(`${kind} channel: ${param} must be ${p === "uuid" ? "a lowercase UUID" : p.join("|")}, got ${String(value)}`);
        }
        return value;
      });
      return [`${spec.private ? "private-" : ""}${kind}`, ...values].join(".");
    },
    parse(name) {
      if (typeof name !== "string" || !isPusherChannelName(name)) return null;
      let channel = parsed.get(name);
      if (channel === undefined) {
        if (parsed.size >= PARSE_CACHE_SIZE) parsed.clear();
        parsed.set(name, (channel = parseUncached(name)));
      }
      return channel;
    },
  };
}

import { describe, expect, it } from "vitest";
import { CHANNEL_NAME_MAX, defineChannels } from "@/lib/realtime";
import { articleFeedChannel, channels, profileChannel, resourceChannel, tagChannel, userChannel } from "@/backend/realtime/channels";
import { uuid } from "../../helpers/uuids";

const U = uuid("user");
const A = uuid("article");

describe("the app's channels", () => {
  it("build the documented names, with canonical lowercase UUIDs, and parse back to the same parameters", () => {
    expect(userChannel(U)).toBe(`private-user.${U}`);
    expect(resourceChannel("ARTICLE", A)).toBe(`private-resource.ARTICLE.${A}`);
    expect(resourceChannel("GIST", A)).toBe(`private-resource.GIST.${A}`);
    expect(tagChannel(A)).toBe(`tag.${A}`);
    expect(profileChannel(U)).toBe(`profile.${U}`);
    expect(articleFeedChannel()).toBe("feed.articles");

    expect(channels.parse(userChannel(U))).toEqual({ kind: "user", name: `private-user.${U}`, private: true, params: { userId: U } });
    expect(channels.parse(resourceChannel("GIST", A))).toEqual({
      kind: "resource",
      name: `private-resource.GIST.${A}`,
      private: true,
      params: { type: "GIST", id: A },
    });
    expect(channels.parse(tagChannel(A))).toMatchObject({ kind: "tag", private: false, params: { tagId: A } });
    expect(channels.parse(profileChannel(U))).toMatchObject({ kind: "profile", private: false, params: { userId: U } });
    expect(channels.parse("feed.articles")).toMatchObject({ kind: "feed", private: false, params: { feed: "articles" } });
  });

  it("refuse, when building, an id or type that no parser would accept", () => {
    for (const bad of [U.toUpperCase(), `${U} `, U.slice(1), "12", "", "not-a-uuid", `{${U}}`]) {
      expect(() => userChannel(bad)).toThrow(RangeError);
      expect(() => tagChannel(bad)).toThrow(RangeError);
      expect(() => profileChannel(bad)).toThrow(RangeError);
      expect(() => resourceChannel("ARTICLE", bad)).toThrow(RangeError);
    }
    // COMMENT threads live on their root's channel.
    expect(() => resourceChannel("COMMENT" as "ARTICLE", A)).toThrow(RangeError);
  });

  it.each([
    [`private-user.${U.toUpperCase()}`, "upper-case UUID (one name per id)"],
    [`private-user.${U}.x`, "suffix after the id"],
    [`private-user.${U}x`, "trailing garbage"],
    [`private-user.${U.replaceAll("-", "")}`, "UUID without dashes"],
    ["private-user.12", "an integer id"],
    ["private-user.", "missing id"],
    [`private-user.${U};private-user.${A}`, "two names in one"],
    [`xprivate-user.${U}`, "prefix not at the start"],
    [` private-user.${U}`, "leading space"],
    [`private-user.${U}\n`, "trailing newline"],
    [`PRIVATE-USER.${U}`, "wrong case"],
    [`private-resource.COMMENT.${A}`, "comment threads use their root's channel"],
    [`private-resource.article.${A}`, "lower-case type"],
    ["private-resource.ARTICLE", "missing id"],
    [`private-resource.ARTICLE.${A}.2`, "extra segment"],
    [`presence-user.${U}`, "unknown kind"],
    [`private-encrypted-user.${U}`, "unknown kind"],
    [`private-tag.${A}`, "public kind made private"],
    [`user.${U}`, "private kind made public"],
    [`tag.${A}/2`, "forbidden character"],
    ["feed.", "missing feed"],
    ["feed.gists", "unknown feed"],
    ["feed.Articles", "feed in the wrong case"],
    ["private-feed.articles", "public feed made private"],
    ["", "empty"],
  ])("refuse to parse %j (%s)", (name) => {
    expect(channels.parse(name)).toBeNull();
  });

  it("give every caller the same frozen answer for a name, so none can change it for the next", () => {
    const first = channels.parse(userChannel(U))!;
    expect(channels.parse(userChannel(U))).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.params)).toBe(true);
    expect(() => ((first.params as { userId: string }).userId = A)).toThrow(TypeError);
  });

  it("refuse non-strings, inherited names and names over Pusher's 164 characters", () => {
    for (const v of [undefined, null, 1, {}, [userChannel(U)]]) expect(channels.parse(v)).toBeNull();
    expect(channels.parse(`constructor.${U}`)).toBeNull();
    expect(channels.parse(`__proto__.${U}`)).toBeNull();
    const long = `${userChannel(U)}${";".repeat(CHANNEL_NAME_MAX)}`;
    expect(channels.parse(long)).toBeNull();
  });
});

describe("defineChannels", () => {
  it("refuses a definition that could not round-trip: a kind or a token with separators or upper case", () => {
    expect(() => defineChannels({ "user.x": { params: { id: "uuid" } } })).toThrow(/lowercase word/);
    expect(() => defineChannels({ privateuser: { params: { id: "uuid" } } })).toThrow(/lowercase word/);
    expect(() => defineChannels({ feed: { params: { name: ["a.b"] } } })).toThrow(/tokens/);
    expect(() => defineChannels({ feed: { params: { name: [] } } })).toThrow(/tokens/);
  });

  it("types builders by the definition", () => {
    const c = defineChannels({ room: { private: true, params: { kind: ["A", "B"], id: "uuid" } } });
    expect(c.build("room", { kind: "A", id: U })).toBe(`private-room.A.${U}`);
    // @ts-expect-error: "C" is not a token of the definition
    expect(() => c.build("room", { kind: "C", id: U })).toThrow(RangeError);
  });
});

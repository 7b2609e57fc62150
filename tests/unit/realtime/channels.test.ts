import { describe, expect, it } from "vitest";
import {
  CHANNEL_NAME_MAX,
  isPrivateChannel,
  parseChannel,
  profileChannel,
  resourceChannel,
  tagChannel,
  userChannel,
} from "@/lib/realtime/channels";

describe("channel builders", () => {
  it("build the documented names and parse back to the same ids", () => {
    expect(userChannel(7)).toBe("private-user.7");
    expect(resourceChannel("ARTICLE", 12)).toBe("private-resource.ARTICLE.12");
    expect(resourceChannel("GIST", 3)).toBe("private-resource.GIST.3");
    expect(tagChannel(4)).toBe("tag.4");
    expect(profileChannel(9)).toBe("profile.9");

    expect(parseChannel(userChannel(7))).toEqual({ kind: "user", name: "private-user.7", userId: 7 });
    expect(parseChannel(resourceChannel("GIST", 3))).toEqual({
      kind: "resource",
      name: "private-resource.GIST.3",
      resourceType: "GIST",
      resourceId: 3,
    });
    expect(parseChannel(tagChannel(4))).toEqual({ kind: "tag", name: "tag.4", tagId: 4 });
    expect(parseChannel(profileChannel(9))).toEqual({ kind: "profile", name: "profile.9", userId: 9 });
    const max = Number.MAX_SAFE_INTEGER;
    expect(parseChannel(userChannel(max))).toMatchObject({ userId: max });
  });

  it("refuse ids and types that would build a name nobody can parse", () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1]) {
      expect(() => userChannel(bad)).toThrow(RangeError);
      expect(() => tagChannel(bad)).toThrow(RangeError);
      expect(() => profileChannel(bad)).toThrow(RangeError);
      expect(() => resourceChannel("ARTICLE", bad)).toThrow(RangeError);
    }
    // COMMENT threads live on their root's channel.
    expect(() => resourceChannel("COMMENT" as "ARTICLE", 1)).toThrow(RangeError);
  });

  it("marks only user and resource channels private", () => {
    expect(isPrivateChannel(parseChannel("private-user.1")!)).toBe(true);
    expect(isPrivateChannel(parseChannel("private-resource.ARTICLE.1")!)).toBe(true);
    expect(isPrivateChannel(parseChannel("tag.1")!)).toBe(false);
    expect(isPrivateChannel(parseChannel("profile.1")!)).toBe(false);
  });
});

describe("parseChannel", () => {
  it.each([
    ["private-user.1.x", "suffix after the id"],
    ["private-user.1x", "trailing garbage"],
    ["private-user.01", "leading zero alias"],
    ["private-user.0", "zero id"],
    ["private-user.-1", "negative id"],
    ["private-user.", "missing id"],
    ["private-user.1;private-user.2", "two names in one"],
    ["xprivate-user.1", "prefix not at the start"],
    [" private-user.1", "leading space"],
    ["private-user.1\n", "trailing newline"],
    ["private-user.1 ", "trailing space"],
    ["PRIVATE-USER.1", "wrong case"],
    ["private-resource.COMMENT.1", "comment threads use their root's channel"],
    ["private-resource.article.1", "lower-case type"],
    ["private-resource.ARTICLE", "missing id"],
    ["private-resource.ARTICLE.1.2", "extra segment"],
    ["presence-user.1", "unknown kind"],
    ["private-encrypted-user.1", "unknown kind"],
    ["private-tag.1", "public kind made private"],
    ["tag.1/2", "forbidden character"],
    ["tag.1%00", "encoded NUL"],
    ["tag.１", "full-width digit"],
    ["profile.99999999999999999", "beyond safe integers"],
    ["", "empty"],
  ])("rejects %j (%s)", (name) => {
    expect(parseChannel(name)).toBeNull();
  });

  it("rejects non-strings and names over Pusher's 164 characters", () => {
    for (const v of [undefined, null, 1, {}, ["private-user.1"]]) expect(parseChannel(v)).toBeNull();
    const long = `private-user.1${";".repeat(CHANNEL_NAME_MAX)}`;
    expect(long.length).toBeGreaterThan(CHANNEL_NAME_MAX);
    expect(parseChannel(long)).toBeNull();
    expect(parseChannel(`tag.${"1".repeat(200)}`)).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { parseGistId } from "@/app/gists/gist-id";

const ID = "0f8fad5b-d9cb-469f-a165-70867728950e";

describe("parseGistId", () => {
  it("takes a UUID segment, lower-casing it", () => {
    expect(parseGistId(ID)).toBe(ID);
    expect(parseGistId(ID.toUpperCase())).toBe(ID);
    expect(parseGistId(encodeURIComponent(` ${ID} `))).toBe(ID);
  });

  it("is null for anything else, old integer ids included", () => {
    for (const segment of ["12", "0", "-1", "1.5", "not-a-uuid", "", "%E0%A4%A", `${ID}x`, ID.slice(1), ID.replaceAll("-", "")]) {
      expect(parseGistId(segment), segment).toBeNull();
    }
  });
});

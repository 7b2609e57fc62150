import { describe, expectTypeOf, it } from "vitest";
import type { InvalidateSignal } from "@/lib/realtime/scopes";

describe("InvalidateSignal type", () => {
  it("requires the ids a scope needs and allows leaving out optional ones", () => {
    expectTypeOf<{ scope: "notifications" }>().toExtend<InvalidateSignal>();
    expectTypeOf<{ scope: "bookmarks" }>().toExtend<InvalidateSignal>();
    expectTypeOf<{ scope: "comments"; ids: { resource_id: number; resource_type: "ARTICLE" } }>().toExtend<InvalidateSignal>();
    expectTypeOf<{ scope: "comments" }>().not.toExtend<InvalidateSignal>();
    expectTypeOf<{ scope: "nope" }>().not.toExtend<InvalidateSignal>();
  });
});

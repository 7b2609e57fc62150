import { describe, expect, it } from "vitest";
import { createChannelRegistry } from "@/lib/realtime/client/channel-registry";

function tracked() {
  const log: string[] = [];
  const live = new Set<string>();
  const registry = createChannelRegistry((name) => {
    log.push(`subscribe ${name}`);
    live.add(name);
    return () => {
      log.push(`unsubscribe ${name}`);
      live.delete(name);
    };
  });
  return { registry, log, live };
}

const tick = () => new Promise<void>((r) => setTimeout(r, 0));

describe("channel registry", () => {
  it("shares one subscription between members and releases it after the last leaves", async () => {
    const { registry, log, live } = tracked();
    const a = registry.join("private-user.1");
    const b = registry.join("private-user.1");
    expect(log).toEqual(["subscribe private-user.1"]);
    expect(registry.count("private-user.1")).toBe(2);
    a();
    a();
    await tick();
    expect(live.has("private-user.1")).toBe(true);
    expect(registry.names()).toEqual(["private-user.1"]);
    b();
    await tick();
    expect(log).toEqual(["subscribe private-user.1", "unsubscribe private-user.1"]);
    expect(registry.names()).toEqual([]);
  });

  it("keeps the subscription across a leave immediately followed by a join (StrictMode remount)", async () => {
    const { registry, log } = tracked();
    const first = registry.join("tag.1");
    first();
    const second = registry.join("tag.1");
    await tick();
    expect(log).toEqual(["subscribe tag.1"]);
    second();
    await tick();
    expect(log).toEqual(["subscribe tag.1", "unsubscribe tag.1"]);
    // A fresh join after the release subscribes again.
    registry.join("tag.1");
    expect(log.at(-1)).toBe("subscribe tag.1");
  });

  it("a stale leave from before close() cannot release a later subscription", async () => {
    const { registry, log, live } = tracked();
    const stale = registry.join("profile.1");
    registry.close();
    expect(live.size).toBe(0);
    expect(registry.join("profile.1")).toBeTypeOf("function");
    stale();
    await tick();
    expect(log).toEqual(["subscribe profile.1", "unsubscribe profile.1"]);
  });
});

import { describe, expect, it } from "vitest";
import { createChannelRegistry } from "@/lib/realtime/client/channel-registry";
import { profileChannel, tagChannel, userChannel } from "@/backend/realtime/channels";
import { uuid } from "../../helpers/uuids";

const USER = userChannel(uuid("user"));
const TAG = tagChannel(uuid("tag"));
const PROFILE = profileChannel(uuid("user"));

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
    const a = registry.join(USER);
    const b = registry.join(USER);
    expect(log).toEqual([`subscribe ${USER}`]);
    expect(registry.count(USER)).toBe(2);
    a();
    a();
    await tick();
    expect(live.has(USER)).toBe(true);
    expect(registry.names()).toEqual([USER]);
    b();
    await tick();
    expect(log).toEqual([`subscribe ${USER}`, `unsubscribe ${USER}`]);
    expect(registry.names()).toEqual([]);
  });

  it("keeps the subscription across a leave immediately followed by a join (StrictMode remount)", async () => {
    const { registry, log } = tracked();
    const first = registry.join(TAG);
    first();
    const second = registry.join(TAG);
    await tick();
    expect(log).toEqual([`subscribe ${TAG}`]);
    second();
    await tick();
    expect(log).toEqual([`subscribe ${TAG}`, `unsubscribe ${TAG}`]);
    // A fresh join after the release subscribes again.
    registry.join(TAG);
    expect(log.at(-1)).toBe(`subscribe ${TAG}`);
  });

  it("a stale leave from before close() cannot release a later subscription", async () => {
    const { registry, log, live } = tracked();
    const stale = registry.join(PROFILE);
    registry.close();
    expect(live.size).toBe(0);
    expect(registry.join(PROFILE)).toBeTypeOf("function");
    stale();
    await tick();
    expect(log).toEqual([`subscribe ${PROFILE}`, `unsubscribe ${PROFILE}`]);
  });
});

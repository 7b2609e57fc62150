import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSoketi, type SoketiHandle } from "../helpers/soketi";

let soketi: SoketiHandle;
beforeAll(async () => {
  soketi = await startSoketi();
});
afterAll(() => soketi?.stop());

describe("soketi harness", () => {
  it("runs a real broker on loopback and stops it by pid", async () => {
    const res = await fetch(`http://127.0.0.1:${soketi.port}/`);
    expect(await res.text()).toBe("OK");
    const pid = soketi.pid;
    await soketi.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    await soketi.restart();
    expect((await fetch(`http://127.0.0.1:${soketi.port}/`)).ok).toBe(true);
  });
});

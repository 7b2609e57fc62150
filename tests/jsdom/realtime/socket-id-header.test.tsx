import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import { SOCKET_ID_HEADER } from "@/lib/realtime/client";
import { installSocketIdHeader } from "@/lib/realtime/client/socket-id-header";
import { uuid } from "../../helpers/uuids";
import { FakeBackend, renderApp, Watchers } from "../support/app";
import { BROKER_WAIT, liveBroker } from "../support/broker";

type Call = { input: RequestInfo | URL; headers: Headers };
let calls: Call[];
let fakeFetch: typeof fetch;
const realFetch = window.fetch;

beforeEach(() => {
  calls = [];
  fakeFetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ input, headers: new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined)) });
    return new Response("ok");
  }) as unknown as typeof fetch;
  window.fetch = fakeFetch;
});
afterEach(() => {
  window.fetch = realFetch;
});

const action = { method: "POST", headers: { "Next-Action": "7f00aa", Accept: "text/x-component" } };

describe("X-Socket-Id on server action requests", () => {
  it("is added only to same-origin requests carrying Next-Action, and only while a socket id is known", async () => {
    let id: string | null = "123.456";
    const uninstall = installSocketIdHeader(() => id);

    await window.fetch("/@alice/hello-realtime", action);
    await window.fetch(`${window.location.origin}/dashboard`, action);
    await window.fetch(new Request(`${window.location.origin}/x`, action));
    await window.fetch("/api/realtime/auth", { method: "POST" }); // not a server action
    await window.fetch("https://elsewhere.example/x", action); // another origin never learns the socket id
    id = null;
    await window.fetch("/@alice/hello-realtime", action); // reconnecting: nothing to exclude
    expect(calls.map((c) => c.headers.get(SOCKET_ID_HEADER))).toEqual(["123.456", "123.456", "123.456", null, null, null]);
    // The action's own headers are kept.
    expect(calls[0].headers.get("next-action")).toBe("7f00aa");
    expect(calls[0].headers.get("accept")).toBe("text/x-component");

    uninstall();
    expect(window.fetch).toBe(fakeFetch);
  });

  it("nested installs unwind in any order without losing a later wrapper", async () => {
    const first = installSocketIdHeader(() => "1.1");
    const afterUs = window.fetch;
    const second = installSocketIdHeader(() => "2.2");
    first(); // not on top: stays in the chain, passing requests through
    await window.fetch("/", action);
    expect(calls.at(-1)!.headers.get(SOCKET_ID_HEADER)).toBe("2.2");
    second();
    expect(window.fetch).toBe(afterUs);
    await window.fetch("/", action);
    expect(calls.at(-1)!.headers.get(SOCKET_ID_HEADER)).toBeNull();
  });
});

describe("the provider installs it (StrictMode, real Soketi)", () => {
  const broker = liveBroker();

  it("sends the tab's current socket id, once wrapped despite StrictMode's double effects, and restores fetch on unmount", async () => {
    const { factory, created } = broker.clients();
    const tab = renderApp(<Watchers backend={new FakeBackend()} watched={[]} />, {
      config: broker.config,
      userId: uuid("socket-id-user"),
      createPusher: factory,
      strict: true,
    });
    await waitFor(() => expect(screen.getByTestId("tab-status").textContent).toBe("connected"), BROKER_WAIT);
    expect(created).toHaveLength(1);

    await window.fetch("/@alice/hello-realtime", action);
    expect(calls).toHaveLength(1);
    expect(calls[0].headers.get(SOCKET_ID_HEADER)).toBe(created[0].connection.socket_id);
    expect(created[0].connection.socket_id).toMatch(/^\d+\.\d+$/);

    tab.unmount();
    expect(window.fetch).toBe(fakeFetch);
  });
});

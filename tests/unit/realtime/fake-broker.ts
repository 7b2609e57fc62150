import http from "node:http";
import type { AddressInfo } from "node:net";

export type FakeRequest = { method: string; url: string; body: string };
export type FakeMode =
  | { kind: "reply"; status: number; body: string }
  | { kind: "hang" }
  | { kind: "hang-body" };

/** A Pusher-protocol HTTP endpoint on 127.0.0.1 whose answers a test scripts. */
export async function startFakeBroker(initial: FakeMode = { kind: "reply", status: 200, body: '{"ok":true}' }) {
  const requests: FakeRequest[] = [];
  let mode = initial;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      requests.push({ method: req.method ?? "", url: req.url ?? "", body });
      if (mode.kind === "hang") return;
      if (mode.kind === "hang-body") {
        res.writeHead(200, { "content-type": "application/json" });
        res.write("{");
        return;
      }
      res.writeHead(mode.status, { "content-type": "application/json" });
      res.end(mode.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    requests,
    setMode: (next: FakeMode) => (mode = next),
    env: {
      PUSHER_APP_ID: "fake-app",
      PUSHER_KEY: "fake-key",
      PUSHER_SECRET: "fake-secret",
      PUSHER_HOST: "127.0.0.1",
      PUSHER_PORT: String(port),
      PUSHER_USE_TLS: "0",
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

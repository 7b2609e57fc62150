import net from "node:net";
import { freePort } from "./free-port";

export type Balancer = {
  port: number;
  connections: () => number[];
  /** New connections are closed at once (open ones stay), as by a balancer with no healthy backend. */
  pause: () => void;
  /** Accepts again. */
  resume: () => void;
  close: () => Promise<void>;
};

/**
 * A minimal WebSocket-capable load balancer for tests: a TCP proxy on a free loopback port that sends each new
 * connection to the first backend that accepts it (fail-over order), as a load balancer with health checks moves
 * clients off a dead node. `connections()` counts, per backend, the connections it was given.
 */
export async function startBalancer(backends: number[]): Promise<Balancer> {
  const port = await freePort();
  const counts = backends.map(() => 0);
  const open = new Set<net.Socket>();
  let paused = false;
  const server = net.createServer((client) => {
    if (paused) return client.destroy();
    open.add(client);
    client.on("close", () => open.delete(client));
    client.pause();
    const attempt = (i: number) => {
      if (i >= backends.length) return client.destroy();
      const upstream = net.connect(backends[i], "127.0.0.1");
      let connected = false;
      // Refused: the next backend. Once connected, an error ends the client's connection too.
      upstream.on("error", () => (connected ? client.destroy() : attempt(i + 1)));
      upstream.once("connect", () => {
        connected = true;
        counts[i]++;
        open.add(upstream);
        upstream.on("close", () => {
          open.delete(upstream);
          client.destroy();
        });
        client.on("close", () => upstream.destroy());
        client.on("error", () => upstream.destroy());
        client.pipe(upstream).pipe(client);
        client.resume();
      });
    };
    attempt(0);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port,
    connections: () => [...counts],
    pause: () => void (paused = true),
    resume: () => void (paused = false),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

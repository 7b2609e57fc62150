/**
 * A pusher-js subscriber in its own process, so that reading the socket never waits behind the load generator's
 * loop (a browser does not share its event loop with the server either). Soketi drops messages for a connection
 * that falls more than 1 MB behind, so a consumer starved by its own publisher would lose signals the publisher
 * delivered. Plain JavaScript: it runs with bare `node`, no TypeScript step.
 *
 * IPC in:  { expect: channel, count }   IPC out: { channel, received, lastAt } once count distinct ids arrived,
 *          { report: channel }                    or on request. Times are epoch ms (timeOrigin + now).
 */
import Pusher from "pusher-js";
import PusherServer from "pusher";

const { key, port, appId, secret, channels } = JSON.parse(process.argv[2]);
const signer = new PusherServer({ appId, key, secret, host: "127.0.0.1", port: String(port), useTLS: false });
const pusher = new Pusher(key, {
  cluster: "mt1",
  wsHost: "127.0.0.1",
  wsPort: port,
  forceTLS: false,
  enabledTransports: ["ws"],
  disableStats: true,
  channelAuthorization: {
    endpoint: "/unused",
    transport: "ajax",
    customHandler: ({ socketId, channelName }, callback) => callback(null, signer.authorizeChannel(socketId, channelName)),
  },
  // The broker requires a sign-in (config/soketi.json); signed locally as a guest, as the sign-in route would.
  userAuthentication: {
    endpoint: "/unused",
    transport: "ajax",
    customHandler: ({ socketId }, callback) => callback(null, signer.authenticateUser(socketId, { id: `guest-${socketId}` })),
  },
});
pusher.signin();

const now = () => performance.timeOrigin + performance.now();
const state = new Map(channels.map((c) => [c, { seen: new Set(), want: Infinity, lastAt: 0 }]));
const send = (channel) => {
  const s = state.get(channel);
  process.send({ channel, received: s.seen.size, lastAt: s.lastAt });
};

let ready = 0;
for (const channel of channels) {
  const ch = pusher.subscribe(channel);
  ch.bind("pusher:subscription_succeeded", () => {
    if (++ready === channels.length) process.send({ ready: true });
  });
  ch.bind("invalidate", (data) => {
    const s = state.get(channel);
    s.seen.add(data.ids.resource_id);
    s.lastAt = now();
    if (s.seen.size === s.want) send(channel);
  });
}

process.on("message", (msg) => {
  if (msg.expect) {
    const s = state.get(msg.expect);
    s.seen = new Set();
    s.want = msg.count;
    s.lastAt = 0;
  } else if (msg.report) send(msg.report);
  else if (msg.exit) {
    pusher.disconnect();
    process.exit(0);
  }
});

import type { RealtimeConnection } from "./connection";

const noop = () => {};

/** Realtime off: a complete, inert connection, so nothing else needs an "is it configured?" check. */
export function createDisabledConnection(): RealtimeConnection {
  return {
    join: () => noop,
    channels: () => [],
    getStatus: () => "disabled",
    onStatusChange: () => noop,
    socketId: () => null,
    destroy: noop,
  };
}

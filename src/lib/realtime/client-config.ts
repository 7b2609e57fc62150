/** What the browser needs to reach the broker; built on the server, passed to RealtimeProvider as a prop. */
export type RealtimeClientConfig = {
  key: string;
  wsHost: string;
  wsPort: number;
  forceTLS: boolean;
  /** pusher-js 8 requires a cluster even when wsHost points at Soketi. */
  cluster: string;
};

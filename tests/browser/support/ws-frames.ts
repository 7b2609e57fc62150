import type { Page } from "playwright-core";

export type Frame = { at: number; dir: "in" | "out"; event?: string; channel?: string; data?: unknown };

/**
 * Every Pusher protocol frame of a page's WebSockets, parsed: the ground truth for what a tab subscribed to and
 * what it received, without any hook in the app.
 */
export function recordFrames(page: Page): Frame[] {
  const frames: Frame[] = [];
  const parse = (dir: "in" | "out", payload: string | Buffer) => {
    try {
      const msg = JSON.parse(String(payload)) as { event?: string; channel?: string; data?: unknown };
      const data = typeof msg.data === "string" ? safeJson(msg.data) : msg.data;
      frames.push({ at: Date.now(), dir, event: msg.event, channel: msg.channel ?? (data as { channel?: string })?.channel, data });
    } catch {
      // not a Pusher frame
    }
  };
  page.on("websocket", (ws) => {
    ws.on("framereceived", (f) => parse("in", f.payload));
    ws.on("framesent", (f) => parse("out", f.payload));
  });
  return frames;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Signals a page received on channels whose name starts with `prefix`, since `since` (ms epoch). */
export const signalsOn = (frames: Frame[], prefix: string, since = 0) =>
  frames.filter((f) => f.dir === "in" && f.event === "invalidate" && f.channel?.startsWith(prefix) && f.at >= since);

/** Channels the page asked to subscribe to. */
export const subscribedChannels = (frames: Frame[]) =>
  frames.filter((f) => f.dir === "out" && f.event === "pusher:subscribe").map((f) => String(f.channel));

import { createHmac } from "node:crypto";
import { POST } from "@/app/api/realtime/auth/route";
import { POST as SIGNIN } from "@/app/api/realtime/signin/route";

export const APP_ORIGIN = "http://localhost:3000";
const AUTH_URL = `${APP_ORIGIN}/api/realtime/auth`;
const SIGNIN_URL = `${APP_ORIGIN}/api/realtime/signin`;
const FORM = "application/x-www-form-urlencoded";

/** What pusher-js's ajax transport sends. */
export function authRequest(fields: Record<string, string> | string, headers: Record<string, string> = {}): Request {
  const body = typeof fields === "string" ? fields : new URLSearchParams(fields).toString();
  return new Request(AUTH_URL, { method: "POST", headers: { "content-type": FORM, ...headers }, body });
}

/**
 * A form body streamed in `chunkBytes` pieces, up to `totalBytes` (Infinity: never ends), that counts how much of it
 * was read. No Content-Length: only reading tells its size. Pulled on demand only (highWaterMark 0).
 */
export function streamedAuthRequest({ chunkBytes, totalBytes, headers = {} }: { chunkBytes: number; totalBytes: number; headers?: Record<string, string> }) {
  const read = { bytes: 0, cancelled: false };
  const chunk = new TextEncoder().encode("x".repeat(chunkBytes));
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (read.bytes >= totalBytes) return controller.close();
        read.bytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
      cancel() {
        read.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  const request = new Request(AUTH_URL, { method: "POST", headers: { "content-type": FORM, ...headers }, body, duplex: "half" } as RequestInit);
  return { request, read };
}

/** What pusher-js sends to the sign-in route (user authentication) right after each connection. */
export function signinRequest(fields: Record<string, string> | string, headers: Record<string, string> = {}): Request {
  const body = typeof fields === "string" ? fields : new URLSearchParams(fields).toString();
  return new Request(SIGNIN_URL, { method: "POST", headers: { "content-type": FORM, ...headers }, body });
}

export async function callSignin(fields: Record<string, string> | string, headers?: Record<string, string>) {
  const res = await SIGNIN(signinRequest(fields, headers));
  return { status: res.status, body: (await res.json()) as { auth?: string; user_data?: string; error?: string } };
}

/**
 * The channel authorization route as the app's client calls it: after signing its socket in with the same cookie
 * (`signin: false` skips that, as a client that never signs in would).
 */
export async function callAuth(fields: Record<string, string> | string, headers?: Record<string, string>, { signin = true } = {}) {
  const socketId = typeof fields === "string" ? new URLSearchParams(fields).get("socket_id") : fields.socket_id;
  if (signin && socketId) await SIGNIN(signinRequest({ socket_id: socketId }, headers));
  const res = await POST(authRequest(fields, headers));
  return { status: res.status, body: (await res.json()) as { auth?: string; error?: string } };
}

export function expectedAuth(key: string, secret: string, socketId: string, channel: string): string {
  return `${key}:${createHmac("sha256", secret).update(`${socketId}:${channel}`).digest("hex")}`;
}

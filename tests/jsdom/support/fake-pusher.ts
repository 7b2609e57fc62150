import { createMemoryPusher, MEMORY_CONFIG, type MemoryPusher } from "@/lib/realtime/testing";

/**
 * The provider's `createPusher` double: the test kit's in-memory pusher (src/lib/realtime/testing/memory-pusher.ts),
 * under the names the older tests use. Connected from the start unless told otherwise; everything is synchronous.
 * New tests use createRealtimeTestKit / renderWithRealtime from @/lib/realtime/testing instead.
 */
export const createFakePusher = createMemoryPusher;
export type FakePusher = MemoryPusher;
export const FAKE_CONFIG = MEMORY_CONFIG;

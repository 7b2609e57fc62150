/**
 * The realtime layer's test kit (tests only; never import it from app code):
 *
 * - server: capturePublications(realtime, fn) runs code (a server action) and returns what it published, checked
 *   and in order, without a broker; concurrency-safe (AsyncLocalStorage);
 * - matchers: realtimeMatchers for `expect.extend` (toContainSignal, toPublishOnlyTo), expectOnlyChannels;
 * - client: createRealtimeTestKit / renderWithRealtime render under the library's RealtimeProvider on an in-memory
 *   broker (createMemoryPusher), with emit(channel, signal) waiting for the refetches it caused.
 *
 * It imports no test framework: pass your own `render`, and register the matchers with your `expect.extend`.
 */
export { capturePublications, type CaptureOptions, type CapturedPublication, type PublicationCapture } from "./capture";
export {
  containsSignal,
  describePublications,
  expectOnlyChannels,
  realtimeMatchers,
  unexpectedChannels,
  type ContainSignalOptions,
  type ExpectedSignal,
  type PublicationLike,
  type RealtimeMatchers,
} from "./matchers";
export { createMemoryPusher, MEMORY_CONFIG, type MemoryPusher } from "./memory-pusher";
export {
  createRealtimeTestKit,
  newTestQueryClient,
  renderWithRealtime,
  type RealtimeTestKit,
  type RealtimeTestKitOptions,
  type RenderFunction,
} from "./kit";

import { CAPTURE_PUBLICATIONS, type CapturedPublication, type PublicationCapture, type Publisher } from "../server/publish";

export type { CapturedPublication, PublicationCapture };

export type CaptureOptions = {
  /**
   * Runs the work `fn` scheduled with Next's after() (in tests: whatever runs the stubbed after() queue, e.g. a
   * `flushAfter()` helper), inside the capture, so what that work publishes is captured too. Left out, queued
   * after() work stays queued; run outside the capture, it publishes for real.
   */
  flush?: () => unknown;
};

/**
 * Runs `fn` (e.g. `() => toggleResourceBookmark(input)`) and returns its value with what it published, without a
 * broker. Each publication is checked exactly as publishInvalidate checks it; the capture keeps the valid ones in
 * order, as `{ channels, signal }`, and leaves out a (channel, signal) pair it already holds (the publisher sends
 * such a pair once). A refused publication is logged as usual and listed in `refused`. Nothing is sent: not to a
 * broker, not through a throttle window, and `.delivered()` resolves at once. collectSignals (runAction) still
 * gathers the signals, so an action's result carries them as it would in production.
 *
 * The capture belongs to `fn`'s async context (AsyncLocalStorage), not to the process: captures running in
 * parallel never see each other's publications, and code outside any capture publishes as usual meanwhile.
 *
 * ```ts
 * const { value, publications } = await capturePublications(realtime, () => toggleResourceBookmark({ resource_id }), { flush: flushAfter });
 * expect(publications).toContainSignal(userChannel(me), { scope: "bookmarks", ids: { resource_id } });
 * expect(publications).toPublishOnlyTo([userChannel(me)]);
 * ```
 */
export function capturePublications<T>(
  realtime: Pick<Publisher<never>, typeof CAPTURE_PUBLICATIONS>,
  fn: () => T | Promise<T>,
  { flush }: CaptureOptions = {},
): Promise<PublicationCapture<T>> {
  return realtime[CAPTURE_PUBLICATIONS](fn, flush);
}

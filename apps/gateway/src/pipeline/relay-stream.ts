// The respond stage of every streaming endpoint: relays a started upstream stream to the client through
// the endpoint's encoder. Once the first event is in hand the answer is committed (headers and status are
// out), so a later failure can only be told in-band: the encoder's error event, the failure kept in the
// request's context for the log line and metrics. The time spent waiting on the upstream between events
// is accounted as upstream time, not the gateway's own; the upstream iterator is always returned, so a
// client that goes away (or a failure) releases the upstream connection.
import type { RequestContext } from "../core/request-context";
import { UpstreamError } from "../core/upstream-error";

/** A stream whose first event (if any) is in hand: what the executor's startStream returns. */
export interface StreamStarted<E> {
  first: E | undefined;
  rest: AsyncIterator<E>;
}

/** How an endpoint writes its stream: its wire format's events, end and in-band error. */
export interface StreamEncoder<E> {
  /**
   * Writes one event (`isFirst` for the first one relayed). A promise means: wait for it before the next
   * (the client cannot take more yet); nothing means go on at once (no microtask hop per chunk).
   */
  emit(ev: E, isFirst: boolean): Promise<void> | undefined;
  /** The client went away (or the stream is over): nothing more is relayed. */
  readonly closed: boolean;
  /** The stream's successful end (`[DONE]`, or nothing more after `message_stop`). */
  end(): void;
  /** A failure after the first event: the endpoint's error event, then the end. */
  fail(err: unknown): void;
}

export async function relayStream<E>(ctx: RequestContext, started: StreamStarted<E>, out: StreamEncoder<E>): Promise<void> {
  try {
    if (started.first) {
      const wait = out.emit(started.first, true);
      if (wait) await wait;
    }
    for (;;) {
      // Kept in the context as it goes: a client that hangs up closes the response (and its log line is
      // written) while this wait is still pending, and the wait so far is the upstream's time, not ours.
      const w0 = performance.now();
      ctx.streamWaitSince = w0;
      const next = await started.rest.next();
      ctx.streamWaitSince = undefined;
      ctx.streamUpstreamMs += performance.now() - w0;
      if (next.done) break;
      const wait = out.emit(next.value, false);
      if (wait) await wait;
      if (out.closed) break;
    }
    out.end();
  } catch (err) {
    // The client went away: there is no one left to tell.
    if (err instanceof UpstreamError && err.kind === "aborted") return;
    ctx.streamError = err;
    out.fail(err);
  } finally {
    if (ctx.streamWaitSince !== undefined) {
      ctx.streamUpstreamMs += performance.now() - ctx.streamWaitSince;
      ctx.streamWaitSince = undefined;
    }
    await started.rest.return?.();
  }
}

// Runs a call over the ordered candidates. The first candidate that answers wins; a retryable failure
// falls back to the next one at once, and when a whole round has failed, the next round starts after
// an exponential backoff with jitter (or the upstream's Retry-After, up to a cap). A non-retryable
// failure stops everything and is reported. Breakers skip deployments known to be down; when every
// candidate's breaker is open the request fails fast with 503 and Retry-After.
import { HttpError } from "../core/http-error";
import type { Attempt, Candidate, InFlight, RoutePlan } from "../core/route-plan";
import type { ChatCall, ChatCompletion, ChunkEvent } from "../core/provider-contract";
import { UpstreamError } from "../core/upstream-error";
import { backoffDelayMs, sleep } from "../resilience/backoff";

export type CallFor = (c: Candidate) => ChatCall;

/** Timers may fire a few ms before Date.now() says the wait is over; waiting this much longer avoids a wasted round. */
const CLOCK_SLACK_MS = 5;
/** A breaker opened for exactly a Retry-After closes within this of the wait the request keeps for it. */
const BREAKER_SLACK_MS = 50;
export type ExecutablePlan = Pick<RoutePlan, "candidates" | "resilience">;

export async function executeCompletion(
  plan: ExecutablePlan,
  callFor: CallFor,
  signal: AbortSignal,
  inFlight?: InFlight,
): Promise<{ result: ChatCompletion; attempt: Attempt }> {
  const { value, attempt } = await runOverCandidates(plan, (c) => c.provider.complete(callFor(c), signal), signal, inFlight);
  return { result: value, attempt };
}

export interface StartedStream {
  first: ChunkEvent | undefined;
  rest: AsyncIterator<ChunkEvent>;
  attempt: Attempt;
}

/**
 * Starts a stream on the first candidate that produces its first chunk. Until then a retryable
 * failure falls back; after that, failures surface to the caller as stream errors (and count
 * against the deployment's breaker).
 */
export async function startStream(plan: ExecutablePlan, callFor: CallFor, signal: AbortSignal, inFlight?: InFlight): Promise<StartedStream> {
  const { value, attempt } = await runOverCandidates(
    plan,
    async (c) => {
      const rest = (await c.provider.stream(callFor(c), signal))[Symbol.asyncIterator]();
      const first = await rest.next();
      return { first: first.done ? undefined : first.value, rest };
    },
    signal,
    inFlight,
  );
  return { first: value.first, rest: reportMidStreamFailures(value.rest, attempt.candidate), attempt };
}

/** The 503 of a request whose every candidate has an open breaker. */
export function allCandidatesUnavailable(retryInMs: number): HttpError {
  const secs = Math.max(1, Math.ceil(retryInMs / 1000));
  return new HttpError({
    status: 503,
    type: "overloaded_error",
    code: "provider_unavailable",
    message: `All candidate providers are unavailable (circuit breakers open). Retry after ${secs} s.`,
    headers: { "retry-after": String(secs) },
  });
}

async function runOverCandidates<T>(
  plan: ExecutablePlan,
  tryOne: (c: Candidate) => Promise<T>,
  signal: AbortSignal,
  inFlight: InFlight = {},
): Promise<{ value: T; attempt: Attempt }> {
  const { candidates, resilience: r } = plan;
  const cfg = r.config.retries;
  const deadline = r.now() + r.requestTimeoutMs;
  // A loop rather than map/every: this runs on every request (bench/README.md "Toward issue 14").
  let soonest = Infinity;
  for (const c of candidates) soonest = Math.min(soonest, c.breaker.retryInMs());
  if (candidates.length && soonest > 0) throw allCandidatesUnavailable(soonest);

  // Not tried again in later rounds: timed out (their budget is spent), out of quota (insufficient_quota: a
  // billing or service quota that a backoff does not refill), or asked for a wait above the cap.
  const excluded = new Set<number>();
  const notBefore = new Map<number, number>();
  let lastError: unknown;
  let from: { candidate: Candidate; reason: string } | undefined;
  let upstreamMs = 0;
  let fallbacks = 0;
  let retries = 0;
  /** The candidate last called: an error that ends the request after it names it (error-handler.ts). */
  let lastTried: Candidate | undefined;
  const ending = (e: UpstreamError): UpstreamError => {
    if (lastTried) e.attempt = { candidate: lastTried, upstreamMs, fallbacks, retries };
    return e;
  };

  for (let round = 0; ; round++) {
    for (let i = 0; i < candidates.length; i++) {
      // Gone already (the client hung up, the deadline passed): no upstream call, nothing in flight.
      if (signal.aborted) throw ending(abortedError(signal));
      if (excluded.has(i) || (notBefore.get(i) ?? 0) > r.now()) continue;
      const c = candidates[i]!;
      const permit = c.breaker.tryAcquire();
      if (!permit) {
        if (!from || from.candidate !== c) from = { candidate: c, reason: "breaker_open" };
        continue;
      }
      if (from && from.candidate !== c) {
        fallbacks++;
        r.events.fallback?.({ model: c.model.id, fromProvider: from.candidate.provider.id, toProvider: c.provider.id, reason: from.reason, fromUpstreamModel: from.candidate.upstreamModel });
      }
      const t0 = performance.now();
      inFlight.candidate = c;
      lastTried = c;
      try {
        const value = await tryOne(c);
        const ms = performance.now() - t0;
        upstreamMs += ms;
        c.breaker.onSuccess(permit);
        r.events.upstreamAttempt?.({ provider: c.provider.id, model: c.model.id, upstreamModel: c.upstreamModel, ok: true, durationMs: ms });
        return { value, attempt: { candidate: c, upstreamMs, fallbacks, retries } };
      } catch (err) {
        // A client that hung up leaves the candidate in flight: it has the prompt. Any other failure does not.
        if (!(err instanceof UpstreamError && err.kind === "aborted")) inFlight.candidate = undefined;
        const ms = performance.now() - t0;
        upstreamMs += ms;
        const ue = err instanceof UpstreamError ? err : undefined;
        r.events.upstreamAttempt?.({ provider: c.provider.id, model: c.model.id, upstreamModel: c.upstreamModel, ok: false, status: ue?.status, errorKind: ue?.kind ?? "internal", durationMs: ms });
        if (!ue || !ue.retryable || signal.aborted) {
          c.breaker.onNeutral(permit);
          if (ue) ue.attempt = { candidate: c, upstreamMs, fallbacks, retries };
          throw err;
        }
        c.breaker.onFailure(permit, ue.retryAfterMs);
        ue.attempt = { candidate: c, upstreamMs, fallbacks, retries };
        lastError = ue;
        from = { candidate: c, reason: describe(ue) };
        if (ue.kind === "timeout" || ue.code === "insufficient_quota" || ue.quotaExceeded) excluded.add(i);
        else if (ue.retryAfterMs !== undefined) {
          if (ue.retryAfterMs > cfg.max_retry_after_ms) excluded.add(i);
          else notBefore.set(i, r.now() + ue.retryAfterMs);
        }
      }
    }

    // A request waits for an upstream's own Retry-After, never for a breaker's cooldown: a candidate
    // whose breaker stays open longer than its Retry-After is out for this request, and when none is
    // left the last failure is answered at once.
    const now = r.now();
    const left = candidates
      .map((_, i) => i)
      .filter((i) => !excluded.has(i) && candidates[i]!.breaker.retryInMs() <= Math.max(0, (notBefore.get(i) ?? 0) - now) + BREAKER_SLACK_MS);
    if (round >= cfg.max_retries || !left.length) break;
    const ready = Math.min(...left.map((i) => notBefore.get(i) ?? 0));
    const delay = Math.max(backoffDelayMs(round, cfg), ready - now + CLOCK_SLACK_MS);
    // A wait the request's budget cannot afford is answered, not slept.
    if (now + delay >= deadline) break;
    retries++;
    const next = candidates[left[0]!]!;
    r.events.retry?.({ provider: next.provider.id, model: next.model.id, attempt: round + 1, reason: from?.reason ?? "retry", delayMs: delay, upstreamModel: next.upstreamModel });
    const w0 = performance.now();
    try {
      await sleep(delay, signal);
    } catch {
      upstreamMs += performance.now() - w0;
      throw ending(abortedError(signal));
    }
    upstreamMs += performance.now() - w0;
  }
  if (lastError) {
    // What the error answer says was tried: the last failure's candidate, with every wait and retry counted.
    if (lastError instanceof UpstreamError && lastError.attempt) lastError.attempt = { ...lastError.attempt, upstreamMs, retries };
    throw lastError;
  }
  // Every breaker opened while this request was in flight (or a probe slot was taken).
  throw allCandidatesUnavailable(Math.min(...candidates.map((c) => c.breaker.retryInMs())));
}

function abortedError(signal: AbortSignal): UpstreamError {
  const reason = signal.reason as { name?: string } | undefined;
  if (reason?.name === "TimeoutError") return new UpstreamError({ kind: "timeout", message: "the request deadline passed" });
  return new UpstreamError({ kind: "aborted", message: "request aborted" });
}

function describe(e: UpstreamError): string {
  return e.status !== undefined ? `http_${e.status}` : e.kind;
}

/** Passes the stream through, telling the breaker when the upstream fails after its first chunk. */
function reportMidStreamFailures(inner: AsyncIterator<ChunkEvent>, c: Candidate): AsyncIterator<ChunkEvent> {
  return {
    async next() {
      try {
        return await inner.next();
      } catch (err) {
        if (err instanceof UpstreamError && err.retryable) c.breaker.onFailure({ probe: false }, err.retryAfterMs);
        throw err;
      }
    },
    async return(value?: unknown) {
      return (await inner.return?.(value)) ?? { done: true, value: undefined };
    },
  };
}

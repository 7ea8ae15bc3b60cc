// Runs a call over the ordered candidates: the first that answers wins; a retryable failure
// falls back to the next candidate, a non-retryable one stops and is reported.
import type { Candidate } from "../routing/router";
import type { ChatCall, ChatCompletion, ChunkEvent } from "../providers/types";
import { UpstreamError } from "../providers/upstream-error";

export interface Attempt {
  candidate: Candidate;
  /** Milliseconds spent waiting on the upstream, for the overhead figure. */
  upstreamMs: number;
  fallbacks: number;
}

export type CallFor = (c: Candidate) => ChatCall;

export async function executeCompletion(
  candidates: Candidate[],
  callFor: CallFor,
  signal: AbortSignal,
): Promise<{ result: ChatCompletion; attempt: Attempt }> {
  let upstreamMs = 0;
  let lastError: unknown;
  for (let i = 0; i < candidates.length; i++) {
    const candidate = candidates[i]!;
    const t0 = performance.now();
    try {
      const result = await candidate.provider.complete(callFor(candidate), signal);
      upstreamMs += performance.now() - t0;
      return { result, attempt: { candidate, upstreamMs, fallbacks: i } };
    } catch (err) {
      upstreamMs += performance.now() - t0;
      lastError = err;
      if (!(err instanceof UpstreamError) || !err.retryable || signal.aborted) throw err;
    }
  }
  throw lastError ?? new UpstreamError({ kind: "connection", message: "no candidate could serve the request" });
}

export interface StartedStream {
  first: ChunkEvent | undefined;
  rest: AsyncIterator<ChunkEvent>;
  attempt: Attempt;
}

/**
 * Starts a stream on the first candidate that produces its first chunk. Until then a retryable
 * failure falls back; after that, failures surface to the caller as stream errors.
 */
export async function startStream(candidates: Candidate[], callFor: CallFor, signal: AbortSignal): Promise<StartedStream> {
  let upstreamMs = 0;
  let lastError: unknown;
  for (let i = 0; i < candidates.length; i++) {
    const candidate = candidates[i]!;
    const t0 = performance.now();
    try {
      const iterable = await candidate.provider.stream(callFor(candidate), signal);
      const rest = iterable[Symbol.asyncIterator]();
      const first = await rest.next();
      upstreamMs += performance.now() - t0;
      return { first: first.done ? undefined : first.value, rest, attempt: { candidate, upstreamMs, fallbacks: i } };
    } catch (err) {
      upstreamMs += performance.now() - t0;
      lastError = err;
      if (!(err instanceof UpstreamError) || !err.retryable || signal.aborted) throw err;
    }
  }
  throw lastError ?? new UpstreamError({ kind: "connection", message: "no candidate could serve the request" });
}

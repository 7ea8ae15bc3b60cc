// Runs a non-chat call (a Messages passthrough or translation, an embeddings call) over a route plan through
// the chat executor, so retries, fallbacks, breakers and deadlines follow one policy for every route.
//
// The executor is typed for chat: it calls `candidate.provider.complete()` / `.stream()`. Each candidate's
// provider is wrapped in a stand-in with the same id and kind whose complete/stream run the given functions;
// their results travel through the executor as opaque values, and are cast back in this file only.
import type { ChatCall, ChatCompletion, ChunkEvent, Provider } from "../core/provider-contract";
import { executeCompletion, startStream, type ExecutablePlan } from "./execute";
import type { Attempt, InFlight } from "../core/route-plan";
import type { Candidate } from "../core/route-plan";

export interface CandidateRunner<T, E> {
  /** The chat call the executor hands back for this candidate; calls that are not chats leave it out. */
  callFor?(c: Candidate): ChatCall;
  complete?(c: Candidate, call: ChatCall, signal: AbortSignal): Promise<T>;
  stream?(c: Candidate, call: ChatCall, signal: AbortSignal): Promise<AsyncIterable<E>>;
}

/** What the executor is handed for calls that are not chats: never read by the stand-in providers. */
function noChat(c: Candidate): ChatCall {
  return { body: { messages: [] }, upstreamModel: c.upstreamModel, publicModel: c.model.id, stream: false, clientWantsUsage: false, requestId: "" };
}

function callOf<T, E>(runner: CandidateRunner<T, E>, c: Candidate): ChatCall {
  return runner.callFor ? runner.callFor(c) : noChat(c);
}

function standIn<T, E>(c: Candidate, runner: CandidateRunner<T, E>): Candidate {
  const provider: Provider = {
    id: c.provider.id,
    kind: c.provider.kind,
    configured: c.provider.configured,
    complete: async (call, signal) => (await runner.complete!(c, call, signal)) as unknown as ChatCompletion,
    stream: async (call, signal) => (await runner.stream!(c, call, signal)) as unknown as AsyncIterable<ChunkEvent>,
  };
  return { ...c, provider };
}

function wrap<T, E>(plan: ExecutablePlan, runner: CandidateRunner<T, E>): { plan: ExecutablePlan; original: Map<Candidate, Candidate> } {
  const original = new Map<Candidate, Candidate>();
  const candidates = plan.candidates.map((c) => {
    const s = standIn(c, runner);
    original.set(s, c);
    return s;
  });
  return { plan: { ...plan, candidates }, original };
}

function unwrap(attempt: Attempt, original: Map<Candidate, Candidate>): Attempt {
  return { ...attempt, candidate: original.get(attempt.candidate) ?? attempt.candidate };
}

export async function completeOnCandidates<T>(
  plan: ExecutablePlan,
  runner: CandidateRunner<T, never>,
  signal: AbortSignal,
  inFlight?: InFlight,
): Promise<{ result: T; attempt: Attempt }> {
  const w = wrap(plan, runner);
  const { result, attempt } = await executeCompletion(w.plan, (c) => callOf(runner, w.original.get(c) ?? c), signal, inFlight);
  return { result: result as unknown as T, attempt: unwrap(attempt, w.original) };
}

export interface StartedOnCandidates<E> {
  first: E | undefined;
  rest: AsyncIterator<E>;
  attempt: Attempt;
}

/** Starts a stream on the first candidate that yields its first item; later failures surface from `rest`. */
export async function streamOnCandidates<E>(
  plan: ExecutablePlan,
  runner: CandidateRunner<never, E>,
  signal: AbortSignal,
  inFlight?: InFlight,
): Promise<StartedOnCandidates<E>> {
  const w = wrap(plan, runner);
  const started = await startStream(w.plan, (c) => callOf(runner, w.original.get(c) ?? c), signal, inFlight);
  return {
    first: started.first as unknown as E | undefined,
    rest: started.rest as unknown as AsyncIterator<E>,
    attempt: unwrap(started.attempt, w.original),
  };
}

// What one request carries from stage to stage: who it is for, how it was routed, what the upstream
// did and what was sent back. Stages write it as they run (request id, auth, admission, the route,
// the stream loop); accounting, the log line, metrics and the server span read it once the response
// is over. It replaces Express's untyped `res.locals`: one typed object per response, kept under a
// private symbol so nothing else can reach it except through `contextOf`.
import type { Response } from "express";
import type { Usage } from "./provider-contract";
import type { Attempt, InFlight } from "./route-plan";
import type { RoutingPolicy } from "./routing-policy";
import type { KeyPrincipal, Tenant } from "./tenant";

/** What the answer turned out to be, for the server span's gen_ai.response.* attributes. */
export interface ResponseFacts {
  id?: string;
  model?: string;
  /** A Messages answer's stop_reason may be null: passed on as sent. */
  finishReasons?: Array<string | null>;
}

/** The response cache's part in a request (cache/response-cache.ts). */
export interface CacheOutcome {
  status: "hit" | "miss" | "bypass";
  provider?: string;
  model?: string;
  savedUsd?: number | null;
}

/** Which of a tenant's or key's limits refused the request (admission/types.ts `LimitName`). */
export type RefusedLimit = "concurrency" | "requests" | "tokens" | "budget" | "budget_reserved" | "unpriced_model";

export class RequestContext {
  /** The request's id, as in the x-request-id header (a chat body's `request_id` replaces it). */
  requestId = "";
  /** performance.now() at arrival. */
  startedAt = performance.now();
  /** The admin key authenticated the request. */
  admin = false;
  /** The tenant whose limits, models and usage apply (after `tenant_id` is resolved). */
  tenant: Tenant | undefined = undefined;
  /** The key that spoke for the tenant. */
  principal: KeyPrincipal | undefined = undefined;
  /** The usage ledger's label (`tenant_id` used as a label). */
  usageLabel: string | undefined = undefined;
  routingPolicy: RoutingPolicy | undefined = undefined;
  /** The answer is (or would be) a stream. */
  stream = false;
  /** The attempt that answered. */
  attempt: Attempt | undefined = undefined;
  /** The last candidate tried, when the request failed after calling a provider (http/error-handler.ts). */
  failedAttempt: Attempt | undefined = undefined;
  /** Usage as reported by the provider. */
  usage: Partial<Usage> | undefined = undefined;
  /** The usage so far is not final yet (a Messages stream before its message_delta). */
  usagePartial = false;
  /** Characters of content sent to the client (streams), or of a whole answer without a usage report. */
  streamedChars = 0;
  /** The prompt's estimated tokens, set once the request is admitted. */
  promptEstimate: number | undefined = undefined;
  /** Handed to the executor: the candidate holding the request while no answer is in. */
  inFlight: InFlight | undefined = undefined;
  /** Streams: arrival to the first content chunk sent. */
  ttftMs: number | undefined = undefined;
  /** Streams: time spent waiting on the upstream between chunks (not the gateway's own time). */
  streamUpstreamMs = 0;
  /** Streams: when the wait for the upstream's next event began, while one is pending (relay-stream.ts). */
  streamWaitSince: number | undefined = undefined;
  response: ResponseFacts | undefined = undefined;
  /** A stream failed after its first chunk: the error its error event carried. */
  streamError: unknown = undefined;
  /** The `error.code` sent to the client (error-handler.ts). */
  errorCode: string | undefined = undefined;
  /** Admission refused the request under this limit. */
  refusal: { limit: RefusedLimit } | undefined = undefined;
  /**
   * What the response cache did (chat). On a hit no upstream was called: `provider` and `model` produced the
   * replayed answer, `savedUsd` is what it cost then (null: no price), and no tokens are accounted.
   */
  cache: CacheOutcome | undefined = undefined;
  /**
   * Headers decided before the answer (request id, routing policy, cache status, x-ratelimit-*) and not yet
   * on the response: lowercase name -> value, in the order they were decided. The response's writeHead puts
   * them in its head (http/fold-held-headers.ts), so that a head written in one call stays on Node's fast path;
   * set them with `holdHeader` (core/held-headers.ts), never directly.
   */
  heldHeaders: Record<string, string> | undefined = undefined;
}

const CONTEXT = Symbol("runestone.requestContext");

type WithContext = Response & { [CONTEXT]?: RequestContext };

/**
 * The response's request context, made on first use (the request-id middleware, the first stage, makes
 * it for every request; a response outside the app, as in a unit test, gets a fresh one).
 */
export function contextOf(res: Response): RequestContext {
  const r = res as WithContext;
  return (r[CONTEXT] ??= new RequestContext());
}

/** The response's request context if it has one already (none is made). */
export function existingContextOf(res: object): RequestContext | undefined {
  return (res as WithContext)[CONTEXT];
}

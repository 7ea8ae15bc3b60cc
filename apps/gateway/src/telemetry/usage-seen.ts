// The tokens one request used, as known when its response closes: one answer for the tenant's token
// lease, the usage ledger, the metrics and the log line alike. The provider's usage report when there
// is one; otherwise an estimate, flagged as such:
// - an answer without a usage report (a stream cut short, a client gone mid-stream, an upstream that
//   reports none): the prompt estimate plus what was streamed, at about four characters per token;
// - a client that went away before any answer: the prompt estimate, since the provider already had it.
// A response cache hit used none.
import type { Response } from "express";
import { tokensForChars } from "../core/estimate-tokens";
import { contextOf, type RequestContext } from "../core/request-context";
import type { Candidate } from "../core/route-plan";
import type { TokenCounts } from "./usage-cost";

export interface UsageSeen {
  counts: TokenCounts;
  /** The deployment that served (or was serving) the request: it sets the price. */
  candidate: Candidate;
  estimated: boolean;
}

/** `l` is the response's context (contextOf(res)), when the caller has it at hand. */
export function usageSeen(res: Response, l: RequestContext = contextOf(res)): UsageSeen | undefined {
  // A cache hit reached no provider: no tokens, no cost, nothing against a token limit or a budget.
  if (l.cache?.status === "hit") return undefined;
  const attempt = l.attempt;
  if (attempt && l.usage && !l.usagePartial) {
    const u = l.usage;
    const counts = { promptTokens: u.prompt_tokens ?? 0, completionTokens: u.completion_tokens ?? 0, cachedTokens: u.prompt_tokens_details?.cached_tokens ?? 0 };
    return { counts, candidate: attempt.candidate, estimated: false };
  }
  const prompt = l.promptEstimate;
  if (prompt === undefined) return undefined;
  if (attempt) {
    // Partial usage (a stream that ended before its final counts): what it reported, or the estimate
    // where that is more (a translated stream's opening counts are placeholders).
    const partial = l.usage;
    const completionTokens = Math.max(partial?.completion_tokens ?? 0, tokensForChars(l.streamedChars));
    const promptTokens = partial?.prompt_tokens || prompt;
    const cachedTokens = partial?.prompt_tokens_details?.cached_tokens ?? 0;
    return { counts: { promptTokens, completionTokens, cachedTokens }, candidate: attempt.candidate, estimated: true };
  }
  const pending = l.inFlight?.candidate;
  if (pending && !res.writableFinished) return { counts: { promptTokens: prompt, completionTokens: 0, cachedTokens: 0 }, candidate: pending, estimated: true };
  return undefined;
}

/** Total tokens seen, for reconciling a token-per-minute lease (0 when nothing reached a provider). */
export function tokensSeen(res: Response): number {
  const seen = usageSeen(res);
  return seen ? seen.counts.promptTokens + seen.counts.completionTokens : 0;
}

// Writes a finished request's tokens and cost to the usage ledger once its response closes (also
// when the client went away mid-stream: what was seen so far is accounted). Used by the routes that
// do not go through the chat admission's accounting (/v1/messages, /v1/embeddings).
import type { Response } from "express";
import type { Usage } from "../providers/types";
import type { Attempt } from "../resilience/execute";
import { attemptPricing } from "./attempt-cost";
import { costUsd } from "./usage-cost";
import type { UsageLedger } from "./usage-ledger";

export function recordUsageOnClose(res: Response, ledger: UsageLedger | undefined, tenantId: string, label = ""): void {
  if (!ledger) return;
  res.once("close", () => {
    const attempt = res.locals.attempt as Attempt | undefined;
    const usage = res.locals.usage as Partial<Usage> | undefined;
    if (!attempt || !usage) return;
    const counts = {
      promptTokens: usage.prompt_tokens ?? 0,
      completionTokens: usage.completion_tokens ?? 0,
      cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
    };
    ledger.record({ tenant: tenantId, label, model: attempt.candidate.model.id, ...counts, costUsd: costUsd(attemptPricing(attempt), counts) });
  });
}

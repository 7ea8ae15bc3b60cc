import type { AnthropicThinkingConfig } from "./anthropic-types";
import type { OpenAIRequestView } from "./openai-input-types";

/** Thinking budgets for OpenAI's `reasoning_effort`, in tokens. */
export const REASONING_EFFORT_BUDGETS: Readonly<Record<string, number>> = { low: 1024, medium: 4096, high: 16384 };

/** Anthropic's smallest accepted thinking budget. */
const MIN_BUDGET = 1024;

export interface ThinkingPlan {
  thinking?: AnthropicThinkingConfig;
  maxTokens: number;
}

/**
 * An explicit Anthropic `thinking` object in the body is passed through untouched. Otherwise
 * `reasoning_effort` becomes a budget, fitted to the output cap: Anthropic requires budget < max_tokens,
 * so when the client set no cap the cap grows to budget + default, and when the client's own cap is too
 * small the budget shrinks (or thinking is left off below the 1024-token minimum): reasoning_effort is a
 * hint, the client's cap is a limit.
 */
export function mapAnthropicThinking(body: OpenAIRequestView, maxTokens: number, maxTokensExplicit: boolean): ThinkingPlan {
  if (body.thinking && typeof body.thinking === "object") {
    return { thinking: body.thinking as AnthropicThinkingConfig, maxTokens };
  }
  const budget = body.reasoning_effort ? REASONING_EFFORT_BUDGETS[body.reasoning_effort] : undefined;
  if (budget === undefined) return { maxTokens };
  if (budget < maxTokens) return { thinking: { type: "enabled", budget_tokens: budget }, maxTokens };
  if (!maxTokensExplicit) return { thinking: { type: "enabled", budget_tokens: budget }, maxTokens: budget + maxTokens };
  if (maxTokens - 1 >= MIN_BUDGET) return { thinking: { type: "enabled", budget_tokens: maxTokens - 1 }, maxTokens };
  return { maxTokens };
}

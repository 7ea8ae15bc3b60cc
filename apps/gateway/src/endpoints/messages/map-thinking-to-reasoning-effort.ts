// Anthropic's thinking budget -> OpenAI's reasoning_effort, for models that reason.
import type { MessagesRequest } from "./messages-types";

/**
 * Only models of the `reasoning` family get an effort: OpenAI refuses `reasoning_effort` on other models. The
 * budget bands follow what Anthropic documents as small (the 1024 minimum up to ~4k), medium and large budgets.
 */
export function mapThinkingToReasoningEffort(thinking: MessagesRequest["thinking"], family: string): "low" | "medium" | "high" | undefined {
  if (family !== "reasoning" || thinking?.type !== "enabled") return undefined;
  const budget = thinking.budget_tokens ?? 0;
  if (budget < 4096) return "low";
  if (budget < 16384) return "medium";
  return "high";
}

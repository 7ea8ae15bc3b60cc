import type { GeminiThinkingConfig } from "./gemini-types";

/**
 * Thinking budgets for OpenAI's `reasoning_effort`, in tokens (Google's `thinkingConfig.thinkingBudget`). 24576
 * is the largest budget every Gemini 2.5 model accepts (Flash's maximum; Pro's is 32768), so `xhigh` and `max`
 * get it too. 0 turns thinking off where the model allows it (2.5 Flash and Flash-Lite; Google refuses it for
 * 2.5 Pro, whose 400 is relayed: the client asked for no reasoning from a model that always reasons).
 */
export const GEMINI_THINKING_BUDGETS: Readonly<Record<string, number>> = {
  none: 0,
  minimal: 0,
  low: 1024,
  medium: 8192,
  high: 24576,
  xhigh: 24576,
  max: 24576,
};

/**
 * `reasoning_effort` -> `generationConfig.thinkingConfig`. Without it nothing is sent: the model thinks as it does
 * by default and returns no thoughts (Google returns thought summaries only with `includeThoughts`). With it the
 * thought summaries are asked for (they become `reasoning_content`) with the effort's budget; an effort this table
 * does not know (one OpenAI adds later) is not refused: the model keeps its default budget. A budget of 0 asks for
 * no thoughts, there being none to include.
 */
export function mapGeminiThinking(effort: string | null | undefined): GeminiThinkingConfig | undefined {
  if (typeof effort !== "string" || effort === "") return undefined;
  const budget = Object.hasOwn(GEMINI_THINKING_BUDGETS, effort) ? GEMINI_THINKING_BUDGETS[effort] : undefined;
  if (budget === 0) return { thinkingBudget: 0 };
  return budget === undefined ? { includeThoughts: true } : { includeThoughts: true, thinkingBudget: budget };
}

import type { GeminiThinkingConfig } from "./gemini-types";

/**
 * The smallest thinking budget every Gemini 2.5 model accepts (Flash-Lite's minimum; Pro's is 128, Flash's 1).
 * `minimal` gets it, and no budget fitted to a small output cap goes below it: 0 would turn thinking off, which
 * Google refuses for the models that always think (2.5 Pro, 3 Pro).
 */
export const GEMINI_MIN_THINKING_BUDGET = 512;

/**
 * Thinking budgets for OpenAI's `reasoning_effort`, in tokens (Google's `thinkingConfig.thinkingBudget`). 24576
 * is the largest budget every Gemini 2.5 model accepts (Flash's maximum; Pro's is 32768), so `xhigh` and `max`
 * get it too. 0 turns thinking off where the model allows it (2.5 Flash and Flash-Lite; Google refuses it for
 * 2.5 Pro, whose 400 is relayed: the client asked for no reasoning from a model that always reasons); only
 * `none` asks for it, `minimal` gets the smallest budget every model takes.
 */
export const GEMINI_THINKING_BUDGETS: Readonly<Record<string, number>> = {
  none: 0,
  minimal: GEMINI_MIN_THINKING_BUDGET,
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
 *
 * `maxOutputTokens` (the client's `max_tokens` / `max_completion_tokens`) counts thinking tokens on Gemini, so a
 * budget as large as the cap could spend all of it thinking and answer nothing (finish_reason `length`). As the
 * Anthropic adapter does, the effort is a hint and the client's cap a limit: the cap is never raised, the budget
 * is cut to at most half of it (Gemini's budget is a target the model may overrun, so half the cap is kept for the
 * answer), but not below {@link GEMINI_MIN_THINKING_BUDGET}. Without a cap nothing is fitted: Gemini's default
 * output limit (65536 on 2.5 models) is above every budget here.
 */
export function mapGeminiThinking(effort: string | null | undefined, maxOutputTokens?: number): GeminiThinkingConfig | undefined {
  if (typeof effort !== "string" || effort === "") return undefined;
  const budget = Object.hasOwn(GEMINI_THINKING_BUDGETS, effort) ? GEMINI_THINKING_BUDGETS[effort] : undefined;
  if (budget === 0) return { thinkingBudget: 0 };
  if (budget === undefined) return { includeThoughts: true };
  return { includeThoughts: true, thinkingBudget: fitBudget(budget, maxOutputTokens) };
}

function fitBudget(budget: number, maxOutputTokens: number | undefined): number {
  if (typeof maxOutputTokens !== "number" || !Number.isFinite(maxOutputTokens)) return budget;
  return Math.min(budget, Math.max(GEMINI_MIN_THINKING_BUDGET, Math.floor(maxOutputTokens / 2)));
}

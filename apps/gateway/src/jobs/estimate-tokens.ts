// The tokens a job reserves under its tenant's token limit: estimated prompt plus the output cap.
import type { PreparedChat } from "../pipeline/prepare-chat";
import { estimatePromptTokens } from "../routing/estimate-prompt-tokens";

export function estimateTokens(p: PreparedChat, promptTokens = estimatePromptTokens(p.body)): number {
  const cap = (p.body.max_completion_tokens ?? p.body.max_tokens) as number | null | undefined;
  return promptTokens + (cap ?? p.plan.candidates[0]?.model.maxOutputTokens ?? 0);
}

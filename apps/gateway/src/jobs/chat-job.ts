// A queued chat job: prepareChat -> completeChat, as one non-streaming call whose whole completion is
// the job's result (a job that asked to stream included).
import { estimateChatTokens, estimatedAnswerUsage, estimatePromptTokens } from "../core/estimate-tokens";
import type { ChatRequest } from "../core/provider-contract";
import { completeChat } from "../pipeline/complete-chat";
import { asNonStreaming, prepareChat } from "../pipeline/prepare-chat";
import type { Router } from "../routing/router";
import type { JobPreparer } from "./prepared-job";

export function chatJobPreparer(router: Router): JobPreparer {
  return async (job, tenant) => {
    const prepared = asNonStreaming(prepareChat(router, job.body as ChatRequest & Record<string, unknown>, tenant, job.requestId));
    const promptTokens = estimatePromptTokens(prepared.body);
    return {
      candidates: prepared.plan.candidates,
      promptTokens,
      tokens: estimateChatTokens(prepared, promptTokens),
      async run(signal) {
        const { completion, attempt } = await completeChat(prepared, signal);
        // Accounted like a direct request: the provider's report, or an estimate when it sent none.
        const usage = completion.usage ?? estimatedAnswerUsage(promptTokens, completion);
        return { result: completion, attempt, usage, estimated: !completion.usage };
      },
    };
  };
}

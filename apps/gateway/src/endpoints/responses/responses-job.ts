// A queued Responses API job, run the way POST /v1/responses runs a direct request, without its HTTP
// response: the stored conversation expanded (expand-conversation.ts, read again when the job runs, as a
// direct request would read it then), prepareResponses (passthrough or translation per candidate), the
// candidates with their retries and fallbacks, and the answer kept in the tenant's response store (unless
// `store: false`) before the job is final, so GET /v1/responses/{id} and previous_response_id find it as
// soon as the job says it succeeded.
import { estimatedAnswerUsage } from "../../core/estimate-tokens";
import type { Usage } from "../../core/provider-contract";
import type { ResponseStore } from "../../core/response-store";
import type { JobPreparer } from "../../jobs/prepared-job";
import { completeOnCandidates } from "../../pipeline/run-on-candidates";
import type { Router } from "../../routing/router";
import { estimateResponsePromptTokens } from "./estimate-response-tokens";
import { expandConversation } from "./expand-conversation";
import { fromResponseUsage } from "./map-usage";
import { prepareResponses, responsesRunner } from "./prepare-responses";
import { randomId, type NewId } from "./response-ids";
import type { ResponsesBody } from "./responses-types";
import { storeResponseTurn } from "./store-response-turn";

export interface ResponseJobDeps {
  router: Router;
  responseStore?: ResponseStore;
  /** A response that could not be stored (the job still succeeds with it, as a direct client still gets it). */
  onStoreError?(err: unknown): void;
  newId?: NewId;
}

export function responseJobPreparer(deps: ResponseJobDeps): JobPreparer {
  return async (job, tenant) => {
    const clientBody = job.body as ResponsesBody;
    const conversation = await expandConversation(clientBody, tenant.id, deps.responseStore);
    // Only non-streaming requests are queued; a job runs once and keeps the whole response in any case.
    const body = conversation.body.stream === true ? { ...conversation.body, stream: false } : conversation.body;
    const promptTokens = estimateResponsePromptTokens(body);
    const p = prepareResponses(deps.router, body, clientBody, tenant, job.requestId, deps.newId ?? randomId, promptTokens);
    const cap = clientBody.max_output_tokens ?? p.plan.candidates[0]?.model.maxOutputTokens ?? 0;
    return {
      candidates: p.plan.candidates,
      promptTokens,
      tokens: promptTokens + cap,
      async run(signal) {
        const { result, attempt } = await completeOnCandidates(p.plan, responsesRunner(p), signal);
        // Accounted as the direct request is: a translated answer by its completion's usage (or the estimate of
        // its text), OpenAI's own by its Responses usage (or the prompt estimate alone).
        let usage: Usage | undefined;
        if (result.completion) usage = result.completion.usage ?? undefined;
        else usage = asUsage(fromResponseUsage(result.response.usage));
        const estimated = usage === undefined;
        usage ??= result.completion ? estimatedAnswerUsage(promptTokens, result.completion) : { prompt_tokens: promptTokens, completion_tokens: 0, total_tokens: promptTokens };
        const response = result.response;
        if (clientBody.store !== false && deps.responseStore) await storeResponseTurn(deps.responseStore, tenant.id, response, conversation, deps.onStoreError, !result.completion);
        return { result: response, attempt, usage, estimated };
      },
    };
  };
}

function asUsage(u: Partial<Usage> | undefined): Usage | undefined {
  if (!u || u.prompt_tokens === undefined || u.completion_tokens === undefined) return undefined;
  return { ...u, prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens, total_tokens: u.total_tokens ?? u.prompt_tokens + u.completion_tokens };
}

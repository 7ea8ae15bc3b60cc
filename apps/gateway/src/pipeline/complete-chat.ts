// Runs a prepared, non-streaming chat over its candidates and stamps Runestone's metadata.
import type { ChatCompletion } from "../core/provider-contract";
import { executeCompletion } from "./execute";
import type { Attempt, InFlight } from "../core/route-plan";
import { callFor, type PreparedChat } from "./prepare-chat";

export interface CompletedChat {
  completion: ChatCompletion;
  attempt: Attempt;
}

export async function completeChat(p: PreparedChat, signal: AbortSignal, inFlight?: InFlight): Promise<CompletedChat> {
  const { result, attempt } = await executeCompletion(p.plan, (c) => callFor(p, c), signal, inFlight);
  const completion = {
    ...result,
    model: result.model ?? attempt.candidate.model.id,
    provider: attempt.candidate.provider.id,
    routing_policy: p.plan.policy,
    request_id: p.requestId,
  } as ChatCompletion;
  return { completion, attempt };
}

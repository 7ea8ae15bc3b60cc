// Runs a prepared, non-streaming chat over its candidates and stamps Runestone's metadata.
import type { ChatCompletion } from "../core/provider-contract";
import { executeCompletion } from "./execute";
import type { Attempt, InFlight } from "../core/route-plan";
import { callFor, type PreparedChat } from "./prepare-chat";
import { upstreamTextOf } from "../providers/upstream-answer-text";

export interface CompletedChat {
  completion: ChatCompletion;
  attempt: Attempt;
  /**
   * The completion's JSON text when it could be made from the upstream's own bytes (fields spliced in, no
   * second serialization); undefined when the completion must be serialized.
   */
  text?: string;
}

type Stamped = ChatCompletion & { provider?: unknown; routing_policy?: unknown; request_id?: unknown };

export async function completeChat(p: PreparedChat, signal: AbortSignal, inFlight?: InFlight): Promise<CompletedChat> {
  const { result, attempt } = await executeCompletion(p.plan, (c) => callFor(p, c), signal, inFlight);
  // The provider's answer is this request's own object: stamped in place (same keys in the same order as a copy).
  const completion = result as Stamped;
  const raw = upstreamTextOf(result);
  // The upstream's text holds everything but the three fields appended last, unless it already had any of them.
  const text =
    raw !== undefined && typeof completion.model === "string" && completion.provider === undefined && completion.routing_policy === undefined && completion.request_id === undefined
      ? spliceFields(raw, attempt.candidate.provider.id, p.plan.policy, p.requestId)
      : undefined;
  completion.model = result.model ?? attempt.candidate.model.id;
  completion.provider = attempt.candidate.provider.id;
  completion.routing_policy = p.plan.policy;
  completion.request_id = p.requestId;
  return { completion, attempt, text };
}

/** A JSON object's text with three string fields added at its end (the text ends in its closing brace, maybe whitespace after). */
function spliceFields(objectText: string, provider: string, policy: string, requestId: string): string | undefined {
  const end = objectText.lastIndexOf("}");
  if (end < 0) return undefined;
  return `${objectText.slice(0, end)},"provider":${JSON.stringify(provider)},"routing_policy":${JSON.stringify(policy)},"request_id":${JSON.stringify(requestId)}}`;
}

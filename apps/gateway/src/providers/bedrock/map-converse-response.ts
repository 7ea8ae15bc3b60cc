// Bedrock Converse output -> OpenAI chat completion; stop reasons and usage, shared with the stream mapper.
import type { ContentBlock, ConverseCommandOutput, TokenUsage } from "@aws-sdk/client-bedrock-runtime";
import type { ChatCall, ChatCompletion, Usage } from "../../core/provider-contract";
import { UpstreamError } from "../../core/upstream-error";
import { tokenCount } from "../sanitize-usage";

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter";

const FINISH: Record<string, FinishReason> = {
  end_turn: "stop",
  stop_sequence: "stop",
  max_tokens: "length",
  // The prompt and the answer filled the model's context: the answer was cut, as by max_tokens.
  model_context_window_exceeded: "length",
  tool_use: "tool_calls",
  content_filtered: "content_filter",
  guardrail_intervened: "content_filter",
};

export function mapStopReason(reason: string | undefined): FinishReason {
  return (reason && FINISH[reason]) || "stop";
}

const MALFORMED: Record<string, string> = {
  malformed_model_output: "the model's output was malformed",
  malformed_tool_use: "the model's tool call was malformed",
};

/**
 * Bedrock's malformed_model_output and malformed_tool_use: the model produced no usable answer. OpenAI has no
 * finish_reason for that ("stop" or "tool_calls" would pass a broken answer off as a good one), so it is the
 * upstream's failure: a protocol error (502 upstream_protocol_error), retryable, so another try or candidate
 * may answer. In a stream it arrives at messageStop, after content: the stream ends with an error event.
 */
export function malformedStop(reason: string | undefined): UpstreamError | undefined {
  const what = reason === undefined ? undefined : MALFORMED[reason];
  return what ? new UpstreamError({ kind: "protocol", message: `Bedrock stopped with ${reason}: ${what}` }) : undefined;
}

/** OpenAI's prompt_tokens includes cached tokens; Bedrock counts cache reads and writes apart from inputTokens. */
export function mapBedrockUsage(usage: TokenUsage | undefined): Usage {
  const input = tokenCount(usage?.inputTokens) ?? 0;
  const cacheRead = tokenCount(usage?.cacheReadInputTokens) ?? 0;
  const cacheWrite = tokenCount(usage?.cacheWriteInputTokens) ?? 0;
  const output = tokenCount(usage?.outputTokens) ?? 0;
  const prompt = input + cacheRead + cacheWrite;
  return { prompt_tokens: prompt, completion_tokens: output, total_tokens: prompt + output, prompt_tokens_details: { cached_tokens: cacheRead } };
}

export function mapConverseResponse(out: ConverseCommandOutput, call: ChatCall, id: string): ChatCompletion {
  const malformed = malformedStop(out.stopReason);
  if (malformed) throw malformed;
  const blocks: ContentBlock[] = out.output?.message?.content ?? [];
  const text = blocks.map((b) => b.text ?? "").join("");
  const toolCalls = blocks
    .filter((b) => b.toolUse)
    .map((b) => ({ id: b.toolUse!.toolUseId!, type: "function" as const, function: { name: b.toolUse!.name!, arguments: JSON.stringify(b.toolUse!.input ?? {}) } }));
  return {
    id,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: call.upstreamModel,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: text === "" && toolCalls.length ? null : text, refusal: null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
        logprobs: null,
        finish_reason: mapStopReason(out.stopReason),
      },
    ],
    usage: mapBedrockUsage(out.usage),
  } as ChatCompletion;
}

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter";

/**
 * Anthropic `stop_reason` -> OpenAI `finish_reason`. `pause_turn` (a long server-side tool turn the client
 * may continue) has no OpenAI equivalent and reads as a normal stop; an unknown or missing reason too.
 * When the only tool called was the json_schema response tool the answer is content, so it is a stop.
 */
export function mapAnthropicStopReason(stopReason: string | null | undefined, onlyResponseToolCalled = false): FinishReason {
  switch (stopReason) {
    case "end_turn":
    case "stop_sequence":
    case "pause_turn":
      return "stop";
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return onlyResponseToolCalled ? "stop" : "tool_calls";
    case "refusal":
      return "content_filter";
    default:
      return "stop";
  }
}

// OpenAI finish_reason -> Anthropic stop_reason.

/** `stop` cannot tell a stop sequence from a natural end (OpenAI does not say), so it is `end_turn`. */
export function mapFinishReason(finish: string | null | undefined): "end_turn" | "max_tokens" | "tool_use" | "refusal" {
  switch (finish) {
    case "length":
      return "max_tokens";
    case "tool_calls":
    case "function_call":
      return "tool_use";
    case "content_filter":
      return "refusal";
    default:
      return "end_turn";
  }
}

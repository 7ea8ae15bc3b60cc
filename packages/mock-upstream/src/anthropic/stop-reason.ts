import type { StopKind } from "../reply.js";

export function stopReason(stop: StopKind): "end_turn" | "max_tokens" | "tool_use" | "stop_sequence" {
  switch (stop) {
    case "length":
      return "max_tokens";
    case "tool_calls":
      return "tool_use";
    case "stop_sequence":
      return "stop_sequence";
    default:
      return "end_turn";
  }
}

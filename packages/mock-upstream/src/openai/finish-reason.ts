import type { StopKind } from "../reply.js";

export function finishReason(stop: StopKind): "stop" | "length" | "tool_calls" {
  return stop === "stop_sequence" ? "stop" : stop;
}

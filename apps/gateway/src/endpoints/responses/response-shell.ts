// The top-level fields of a response the gateway builds (translated providers): its id, the model, and the
// request's settings echoed as OpenAI echoes them, plus Runestone's routing fields. The output, status and
// usage are the answer's.
import type { RoutingPolicy } from "../../core/routing-policy";
import type { ResponseObject, ResponsesBody } from "./responses-types";

export interface ShellInfo {
  id: string;
  createdAt: number;
  /** The public model id that answered. */
  model: string;
  provider: string;
  routingPolicy: RoutingPolicy;
  requestId: string;
}

export function responseShell(body: ResponsesBody, info: ShellInfo): ResponseObject {
  return {
    id: info.id,
    object: "response",
    created_at: info.createdAt,
    status: "in_progress",
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: info.model,
    output: [],
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: body.reasoning ?? null,
    store: body.store !== false,
    temperature: body.temperature ?? null,
    text: body.text ?? { format: { type: "text" } },
    tool_choice: body.tool_choice ?? "auto",
    tools: body.tools ?? [],
    top_p: body.top_p ?? null,
    usage: null,
    metadata: body.metadata ?? {},
    provider: info.provider,
    routing_policy: info.routingPolicy,
    request_id: info.requestId,
  };
}

// A Responses API request -> the chat request a provider without the Responses API is called with.
// Mapped: instructions and input (convert-input-to-messages.ts), function tools and tool_choice
// (convert-tools.ts), parallel_tool_calls, text.format -> response_format, text.verbosity -> verbosity,
// reasoning.effort -> reasoning_effort, max_output_tokens -> max_completion_tokens, temperature, top_p,
// metadata and the end-user fields. Responses-only fields (store, previous_response_id, include, truncation,
// background, ...) have no chat meaning and are not sent.
import { badRequest } from "../../core/http-error";
import type { ChatRequest } from "../../core/provider-contract";
import { convertInputToMessages } from "./convert-input-to-messages";
import { convertToolChoice, convertTools } from "./convert-tools";
import type { ResponsesBody } from "./responses-types";

/** Chat fields with the same name and meaning in both APIs. */
const SAME_FIELDS = ["temperature", "top_p", "metadata", "user", "safety_identifier", "prompt_cache_key", "service_tier", "top_logprobs"] as const;

export function convertToChatRequest(body: ResponsesBody): ChatRequest & Record<string, unknown> {
  const chat: Record<string, unknown> = { messages: convertInputToMessages(body) };
  if (body.tools?.length) chat.tools = convertTools(body.tools);
  if (body.tool_choice !== undefined && body.tool_choice !== null) chat.tool_choice = convertToolChoice(body.tool_choice);
  if (typeof body.parallel_tool_calls === "boolean") chat.parallel_tool_calls = body.parallel_tool_calls;
  const format = body.text?.format;
  if (format) chat.response_format = convertFormat(format);
  if (typeof body.text?.verbosity === "string") chat.verbosity = body.text.verbosity;
  if (typeof body.reasoning?.effort === "string") chat.reasoning_effort = body.reasoning.effort;
  if (typeof body.max_output_tokens === "number") chat.max_completion_tokens = body.max_output_tokens;
  for (const f of SAME_FIELDS) if (body[f] !== undefined && body[f] !== null) chat[f] = body[f];
  if (body.stream === true) chat.stream = true;
  return chat as ChatRequest & Record<string, unknown>;
}

function convertFormat(format: NonNullable<NonNullable<ResponsesBody["text"]>["format"]>): Record<string, unknown> | undefined {
  switch (format.type) {
    case "text":
      return { type: "text" };
    case "json_object":
      return { type: "json_object" };
    case "json_schema": {
      if (typeof format.name !== "string" || !format.schema) throw badRequest("text.format: a json_schema format needs name and schema", "text.format.schema");
      const js: Record<string, unknown> = { name: format.name, schema: format.schema };
      if (typeof format.strict === "boolean") js.strict = format.strict;
      if (typeof format.description === "string") js.description = format.description;
      return { type: "json_schema", json_schema: js };
    }
    default:
      throw badRequest(`text.format: formats of type '${format.type}' are served only by OpenAI models`, "text.format.type");
  }
}

// A chat completion -> a Responses API `response`: the first choice's reasoning (when the provider shows it)
// as a `reasoning` item, its text (or refusal) as a `message` item, each tool call as a `function_call` item
// (the chat call id is the call_id the client sends back); status from finish_reason; usage in Responses terms.
import type { ChatCompletion } from "../../core/provider-contract";
import { mapFinishReason } from "./map-finish-reason";
import { toResponseUsage } from "./map-usage";
import type { NewId } from "./response-ids";
import type { ResponseObject, ResponseOutputItem } from "./responses-types";

interface ChatAnswer {
  content?: string | null;
  refusal?: string | null;
  reasoning_content?: string | null;
  tool_calls?: Array<{ id?: string; type?: string; function?: { name?: string; arguments?: string } }>;
}

/** `shell` (response-shell.ts) completed with the completion's output, status and usage. */
export function convertToResponse(completion: ChatCompletion, shell: ResponseObject, newId: NewId): ResponseObject {
  const choice = completion.choices[0];
  const message = (choice?.message ?? {}) as ChatAnswer;
  const { status, incomplete_details } = mapFinishReason(choice?.finish_reason);
  const output: ResponseOutputItem[] = [];
  if (message.reasoning_content) {
    output.push({ id: newId("rs"), type: "reasoning", summary: [], content: [{ type: "reasoning_text", text: message.reasoning_content }] });
  }
  if (message.refusal) {
    output.push({ id: newId("msg"), type: "message", status, role: "assistant", content: [{ type: "refusal", refusal: message.refusal }] });
  } else if (message.content) {
    output.push({ id: newId("msg"), type: "message", status, role: "assistant", content: [{ type: "output_text", text: message.content, annotations: [], logprobs: [] }] });
  }
  for (const call of message.tool_calls ?? []) {
    // Custom and other tool kinds are never sent to a translated provider, so every call here is a function's.
    output.push({ id: newId("fc"), type: "function_call", status: "completed", call_id: call.id ?? newId("fc"), name: call.function?.name ?? "", arguments: call.function?.arguments ?? "" });
  }
  return { ...shell, status, incomplete_details, output, usage: completion.usage ? toResponseUsage(completion.usage) : null };
}

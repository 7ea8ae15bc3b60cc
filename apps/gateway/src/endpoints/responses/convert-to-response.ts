// A chat completion -> a Responses API `response`: the first choice's reasoning (when the provider shows it)
// as a `reasoning` item (its thinking blocks, signatures included, in `encrypted_content`, so that the client
// can send the turn back), its text (or refusal) as a `message` item, each tool call as a `function_call` item
// (the chat call id is the call_id the client sends back); status from finish_reason; usage in Responses terms.
import type { ChatCompletion } from "../../core/provider-contract";
import { mapFinishReason } from "./map-finish-reason";
import { toResponseUsage } from "./map-usage";
import { encodeThinkingBlocks } from "./reasoning-encrypted-content";
import type { NewId } from "./response-ids";
import type { ResponseObject, ResponseOutputItem } from "./responses-types";

type ChatAnswer = Partial<ChatCompletion["choices"][number]["message"]>;

/** `shell` (response-shell.ts) completed with the completion's output, status and usage. */
export function convertToResponse(completion: ChatCompletion, shell: ResponseObject, newId: NewId): ResponseObject {
  const choice = completion.choices[0];
  const message = (choice?.message ?? {}) as ChatAnswer;
  const { status, incomplete_details } = mapFinishReason(choice?.finish_reason);
  const output: ResponseOutputItem[] = [];
  const blocks = message.thinking_blocks ?? [];
  if (message.reasoning_content || blocks.length) {
    output.push({
      id: newId("rs"),
      type: "reasoning",
      summary: [],
      content: message.reasoning_content ? [{ type: "reasoning_text", text: message.reasoning_content }] : [],
      ...(blocks.length ? { encrypted_content: encodeThinkingBlocks(blocks) } : {}),
    });
  }
  if (message.refusal) {
    output.push({ id: newId("msg"), type: "message", status, role: "assistant", content: [{ type: "refusal", refusal: message.refusal }] });
  } else if (message.content) {
    output.push({ id: newId("msg"), type: "message", status, role: "assistant", content: [{ type: "output_text", text: message.content, annotations: [], logprobs: [] }] });
  }
  for (const call of message.tool_calls ?? []) {
    // Custom and other tool kinds are never sent to a translated provider, so every call here is a function's.
    // A call cut by the output cap has cut arguments: incomplete, like the response, so no client runs it.
    const fn = "function" in call ? call.function : undefined;
    output.push({ id: newId("fc"), type: "function_call", status, call_id: call.id ?? newId("fc"), name: fn?.name ?? "", arguments: fn?.arguments ?? "" });
  }
  return { ...shell, status, incomplete_details, output, usage: completion.usage ? toResponseUsage(completion.usage) : null };
}

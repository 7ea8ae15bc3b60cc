// A cheap estimate of a request's prompt tokens, to rule out context windows that cannot fit it.
// No tokenizer on the hot path: about four characters per token for text, a fixed overhead per
// message, and a fixed cost per image. Never used for billing (usage comes from the provider).
import type { ChatRequest } from "../providers/types";

const CHARS_PER_TOKEN = 4;
/** Role and separators of one message in the chat template. */
const TOKENS_PER_MESSAGE = 4;
/** The reply's priming tokens. */
const TOKENS_PER_REQUEST = 3;
/** OpenAI's tiling of a 1024x1024 image at high detail; low detail is a flat 85. */
const TOKENS_PER_IMAGE = 765;
const TOKENS_PER_LOW_DETAIL_IMAGE = 85;

export function estimatePromptTokens(req: Pick<ChatRequest, "messages" | "tools">): number {
  let tokens = TOKENS_PER_REQUEST;
  let chars = 0;
  for (const m of req.messages as Array<Record<string, unknown>>) {
    tokens += TOKENS_PER_MESSAGE;
    const content = m.content;
    if (typeof content === "string") chars += content.length;
    else if (Array.isArray(content)) {
      for (const part of content as Array<Record<string, any>>) {
        if (part?.type === "text") chars += String(part.text ?? "").length;
        else if (part?.type === "image_url") tokens += part.image_url?.detail === "low" ? TOKENS_PER_LOW_DETAIL_IMAGE : TOKENS_PER_IMAGE;
        else if (part?.type === "refusal") chars += String(part.refusal ?? "").length;
      }
    }
    if (typeof m.name === "string") chars += m.name.length;
    if (Array.isArray(m.tool_calls)) {
      for (const tc of m.tool_calls as Array<{ function?: { name?: string; arguments?: string }; custom?: { name?: string; input?: string } }>) {
        chars += (tc.function?.name?.length ?? 0) + (tc.function?.arguments?.length ?? 0);
        // A custom tool's call carries free text instead of JSON arguments.
        chars += (tc.custom?.name?.length ?? 0) + (tc.custom?.input?.length ?? 0);
      }
    }
  }
  // Tool definitions are sent as part of the prompt; they are usually small, so serializing is cheap.
  if (req.tools?.length) chars += JSON.stringify(req.tools).length;
  return tokens + Math.ceil(chars / CHARS_PER_TOKEN);
}

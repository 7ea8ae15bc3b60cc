// A cheap estimate of a Messages request's tokens (prompt plus the output cap), for tenant token limits. No
// tokenizer: about four characters per token for text; images and documents at a flat cost, never by their
// base64 size.
import type { MessageBlock, MessagesRequest } from "./messages-types";

const CHARS_PER_TOKEN = 4;
const TOKENS_PER_MESSAGE = 4;
/** Anthropic's estimate for a ~1.15 megapixel image. */
const TOKENS_PER_IMAGE = 1600;

export function estimateMessageTokens(body: MessagesRequest): number {
  let chars = 0;
  let tokens = 0;
  const walk = (content: string | MessageBlock[] | undefined) => {
    if (typeof content === "string") {
      chars += content.length;
      return;
    }
    for (const b of content ?? []) {
      if (b.type === "image" || b.type === "document") tokens += TOKENS_PER_IMAGE;
      else {
        chars += (b.text?.length ?? 0) + (b.thinking?.length ?? 0);
        if (b.input) chars += JSON.stringify(b.input).length;
        walk(b.content);
      }
    }
  };
  walk(body.system);
  for (const m of body.messages) {
    tokens += TOKENS_PER_MESSAGE;
    walk(m.content);
  }
  for (const t of body.tools ?? []) chars += t.name.length + (t.description?.length ?? 0) + JSON.stringify(t.input_schema ?? {}).length;
  return tokens + Math.ceil(chars / CHARS_PER_TOKEN) + body.max_tokens;
}

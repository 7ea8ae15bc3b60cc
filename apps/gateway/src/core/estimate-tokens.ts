// The gateway's token estimates, all in one place: no tokenizer on the hot path, about four characters
// per token for text, a fixed overhead per message and a flat cost per image. Used to rule out context
// windows that cannot fit a request, to reserve tokens under a tenant's token limit, and to account a
// request whose provider reported no usage (flagged as estimated). Never for billing a provider's report.
import type { Schema } from "@runestone/contract";

type ChatRequest = Schema<"CreateChatCompletionRequest">;
type MessagesRequest = Schema<"CreateMessageRequest">;
type MessageBlock = Schema<"MessageContentBlock">;
type EmbeddingInput = Schema<"CreateEmbeddingRequest">["input"];
type Usage = Schema<"Usage">;

/** About four characters of text per token, for prompts and answers alike. */
export const CHARS_PER_TOKEN = 4;
/** Role and separators of one message in the chat template. */
const TOKENS_PER_MESSAGE = 4;
/** The reply's priming tokens. */
const TOKENS_PER_REQUEST = 3;
/** OpenAI's tiling of a 1024x1024 image at high detail; low detail is a flat 85. */
const TOKENS_PER_IMAGE = 765;
const TOKENS_PER_LOW_DETAIL_IMAGE = 85;
/** Anthropic's estimate for a ~1.15 megapixel image (Messages requests: images and documents). */
const TOKENS_PER_MESSAGES_IMAGE = 1600;

/** Tokens for `chars` characters of text. */
export function tokensForChars(chars: number): number {
  return Math.ceil(chars / CHARS_PER_TOKEN);
}

/** A chat request's prompt tokens. */
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
  return tokens + tokensForChars(chars);
}

/** The most choices a request may ask for (the contract's maximum of `n`). */
const MAX_CHOICES = 128;

/**
 * The tokens a chat request reserves under its tenant's token limit (and, priced, under its budget): the
 * prompt estimate plus the output cap it asked for, or else the first candidate model's output limit, once per
 * choice: `n` choices may each write up to the cap, and the provider bills all of them.
 */
export function estimateChatTokens(
  p: { body: Pick<ChatRequest, "messages" | "tools" | "max_completion_tokens" | "max_tokens" | "n">; plan: { candidates: ReadonlyArray<{ model: { maxOutputTokens: number } }> } },
  promptTokens = estimatePromptTokens(p.body),
): number {
  const cap = (p.body.max_completion_tokens ?? p.body.max_tokens) as number | null | undefined;
  return promptTokens + (cap ?? p.plan.candidates[0]?.model.maxOutputTokens ?? 0) * choices(p.body.n);
}

/** `n` as a count of choices: 1 when absent, clamped to what the contract allows (it is validated before). */
function choices(n: unknown): number {
  return typeof n === "number" && Number.isFinite(n) ? Math.min(MAX_CHOICES, Math.max(1, Math.floor(n))) : 1;
}

/** A Messages request's tokens: its prompt (system, messages, tools) plus its output cap `max_tokens`. */
export function estimateMessageTokens(body: MessagesRequest): number {
  let chars = 0;
  let tokens = 0;
  const walk = (content: string | MessageBlock[] | undefined) => {
    if (typeof content === "string") {
      chars += content.length;
      return;
    }
    for (const b of content ?? []) {
      if (b.type === "image" || b.type === "document") tokens += TOKENS_PER_MESSAGES_IMAGE;
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
  return tokens + tokensForChars(chars) + body.max_tokens;
}

/** An embeddings request's input tokens: text at about four characters per token; token-id inputs count exactly. */
export function estimateEmbeddingInputTokens(input: EmbeddingInput): number {
  const items: unknown[] = Array.isArray(input) ? input : [input];
  let tokens = 0;
  for (const x of items) {
    if (typeof x === "string") tokens += tokensForChars(x.length);
    else if (typeof x === "number") tokens += 1;
    else if (Array.isArray(x)) tokens += x.length;
  }
  return tokens;
}

/** What a chunk's delta or a completion's message carries that the provider bills as output. */
export interface OutputPart {
  content?: string | null;
  reasoning_content?: string | null;
  tool_calls?: Array<{ function?: { arguments?: string }; custom?: { input?: string } }>;
}

export function outputChars(part: OutputPart | undefined): number {
  let chars = (part?.content?.length ?? 0) + (part?.reasoning_content?.length ?? 0);
  for (const t of part?.tool_calls ?? []) chars += (t.function?.arguments?.length ?? 0) + (t.custom?.input?.length ?? 0);
  return chars;
}

/** A whole answer's output characters. */
export function answerChars(completion: { choices?: Array<{ message?: OutputPart }> }): number {
  let chars = 0;
  for (const c of completion.choices ?? []) chars += outputChars(c.message);
  return chars;
}

/**
 * Usage for an answer whose provider reported none (a queued job's, where no response object carries
 * the tallies): the prompt estimate, and the answer's text at about four characters per token.
 */
export function estimatedAnswerUsage(promptTokens: number, completion: { choices?: Array<{ message?: OutputPart }> }): Usage {
  const completionTokens = tokensForChars(answerChars(completion));
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

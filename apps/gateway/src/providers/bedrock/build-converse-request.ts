// OpenAI chat request -> Bedrock Converse input (the same input serves ConverseStream).
import type { ContentBlock, ConverseCommandInput, ImageFormat, Message, OutputConfig, SystemContentBlock, Tool, ToolChoice, ToolConfiguration } from "@aws-sdk/client-bedrock-runtime";
import type { ChatCall } from "../../core/provider-contract";
import { RequestTranslationError } from "../../core/request-translation-error";
import { toolCallIdFor } from "../tool-call-ids";

type Part = { type?: string; text?: string; refusal?: string; image_url?: { url?: string } };
type OpenAIMessage = {
  role: string;
  content?: string | Part[] | null;
  tool_calls?: Array<{ id: string; type?: string; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
};
type OpenAITool = { type?: string; function?: { name: string; description?: string; parameters?: Record<string, unknown> } };

const DATA_URL = /^data:image\/([a-z]+);base64,(.*)$/is;
const FORMATS = new Set<string>(["png", "jpeg", "gif", "webp"]);
/** Bedrock's ToolUseId: [a-zA-Z0-9_.:-], 1 to 64 characters. */
const TOOL_USE_ID = { pattern: /^[a-zA-Z0-9_.:-]+$/, maxLength: 64 };
/** What an empty tool output is sent as: Bedrock refuses a blank text block, and a tool result needs content. */
const EMPTY_TOOL_RESULT = "(empty)";

export function buildConverseRequest(call: ChatCall): ConverseCommandInput {
  const body = call.body as Record<string, unknown>;
  refuseInexpressible(body);
  const system: SystemContentBlock[] = [];
  const messages: Message[] = [];
  /** The last user or assistant turn that was left empty (nothing but blank text), while it is the last one. */
  let emptyLast: { role: string; param: string } | undefined;
  (body.messages as OpenAIMessage[]).forEach((m, i) => {
    const param = `messages.${i}`;
    if (m.role === "system" || m.role === "developer") {
      for (const text of textsOf(m.content, `${param}.content`)) system.push({ text });
    } else if (m.role === "user") {
      const blocks = userBlocks(m.content, `${param}.content`);
      emptyLast = blocks.length ? undefined : { role: m.role, param: `${param}.content` };
      push(messages, "user", blocks);
    } else if (m.role === "assistant") {
      const blocks: ContentBlock[] = textsOf(m.content, `${param}.content`).map((text) => ({ text }));
      for (const [j, tc] of (m.tool_calls ?? []).entries()) {
        blocks.push({ toolUse: { toolUseId: bedrockToolUseId(tc.id), name: tc.function.name, input: parseArguments(tc.function.arguments, `${param}.tool_calls.${j}.function.arguments`) as never } });
      }
      emptyLast = blocks.length ? undefined : { role: m.role, param: `${param}.content` };
      push(messages, "assistant", blocks);
    } else if (m.role === "tool") {
      emptyLast = undefined;
      const text = textsOf(m.content, `${param}.content`, true).join("");
      // Bedrock wants every tool result in a user turn; consecutive results share one (push merges them).
      // It refuses a blank text block, so an empty tool output is said in words.
      push(messages, "user", [{ toolResult: { toolUseId: bedrockToolUseId(m.tool_call_id ?? ""), content: [{ text: isBlank(text) ? EMPTY_TOOL_RESULT : text }] } }]);
    } else {
      throw new RequestTranslationError(`role '${m.role}' is not supported by Bedrock models`, `${param}.role`);
    }
  });

  // A blank last user turn, dropped, would leave the assistant's turn last: Bedrock would continue that text
  // instead of answering. Refused, naming it, rather than answered as something else.
  if (emptyLast?.role === "user" && messages.at(-1)?.role !== "user") {
    throw new RequestTranslationError("Bedrock models refuse a blank message: the last user message has no content", emptyLast.param);
  }
  const input: ConverseCommandInput = { modelId: call.upstreamModel, messages };
  if (system.length) input.system = system;
  const inference: NonNullable<ConverseCommandInput["inferenceConfig"]> = {};
  const maxTokens = (body.max_completion_tokens ?? body.max_tokens ?? call.defaultMaxTokens) as number | undefined;
  if (typeof maxTokens === "number") inference.maxTokens = maxTokens;
  // OpenAI accepts temperature 0..2, Converse 0..1 (InferenceConfigurationTemperatureFloat). Clamped as for Anthropic:
  // the common values 0..1 keep what the client meant; anything hotter becomes Bedrock's hottest.
  if (typeof body.temperature === "number") inference.temperature = Math.min(1, Math.max(0, body.temperature));
  if (typeof body.top_p === "number") inference.topP = body.top_p;
  if (typeof body.stop === "string") inference.stopSequences = [body.stop];
  else if (Array.isArray(body.stop)) inference.stopSequences = body.stop as string[];
  if (Object.keys(inference).length) input.inferenceConfig = inference;

  const toolConfig = buildToolConfig(body, messages);
  if (toolConfig) input.toolConfig = toolConfig;
  const outputConfig = buildOutputConfig(body);
  if (outputConfig) input.outputConfig = outputConfig;
  return input;
}

/**
 * The request's tools, and its tool_choice where Converse can say it. Bedrock refuses toolUse and toolResult
 * blocks in the history without a toolConfig (ValidationException), so one is sent whenever the history holds
 * them: with tool_choice "none" the request's tools go without a toolChoice (Converse has no "none": the model
 * is then merely not forced, and may still call a tool); with no tools at all, minimal specs named after the
 * history's tool calls (any object input) let the history validate.
 */
function buildToolConfig(body: Record<string, unknown>, messages: Message[]): ToolConfiguration | undefined {
  const tools = (body.tools as OpenAITool[] | undefined) ?? [];
  const history = messages.some((msg) => msg.content!.some((b) => b.toolUse || b.toolResult));
  if (tools.length && (body.tool_choice !== "none" || history)) {
    const config: ToolConfiguration = {
      tools: tools.map((t, i): Tool => {
        if (t.type !== "function" || !t.function) throw new RequestTranslationError(`tool type '${String(t.type)}' is not supported by Bedrock models`, `tools.${i}.type`);
        return {
          toolSpec: {
            name: t.function.name,
            ...(t.function.description ? { description: t.function.description } : {}),
            inputSchema: { json: (t.function.parameters ?? { type: "object", properties: {} }) as never },
          },
        };
      }),
    };
    const choice = toolChoice(body.tool_choice);
    if (choice) config.toolChoice = choice;
    return config;
  }
  if (!history) return undefined;
  const names = new Set(messages.flatMap((msg) => msg.content!.flatMap((b) => (b.toolUse?.name ? [b.toolUse.name] : []))));
  // A history of tool results only names no tool: nothing to declare (Bedrock will refuse the orphan results).
  if (!names.size) return undefined;
  return { tools: [...names].map((name): Tool => ({ toolSpec: { name, inputSchema: { json: { type: "object" } as never } } })) };
}

function toolChoice(choice: unknown): ToolChoice | undefined {
  if (choice === "required") return { any: {} };
  if (choice === "auto") return { auto: {} };
  const name = (choice as { function?: { name?: string } } | undefined)?.function?.name;
  return name ? { tool: { name } } : undefined;
}

/**
 * Bedrock requires alternating roles: a turn with the same role as the last one is merged into it. It also refuses
 * blank text blocks, so a turn left with no content (blank text only) is dropped, and the turns around it merge.
 */
function push(messages: Message[], role: "user" | "assistant", blocks: ContentBlock[]): void {
  if (blocks.length === 0) return;
  const last = messages.at(-1);
  if (last?.role === role) last.content!.push(...blocks);
  else messages.push({ role, content: blocks });
}

/** The text parts of a message; blank ones (empty or whitespace only, which Bedrock refuses) left out unless kept. */
function textsOf(content: OpenAIMessage["content"], param: string, keepBlank = false): string[] {
  const keep = (text: string | undefined): string[] => (text !== undefined && (keepBlank || !isBlank(text)) ? [text] : []);
  if (content == null) return [];
  if (typeof content === "string") return keep(content);
  return content.flatMap((p, j) => {
    if (p.type === "text") return keep(p.text);
    if (p.type === "refusal") return keep(p.refusal);
    throw new RequestTranslationError(`content part type '${String(p.type)}' is not supported here`, `${param}.${j}.type`);
  });
}

function userBlocks(content: OpenAIMessage["content"], param: string): ContentBlock[] {
  if (content == null || typeof content === "string") return textsOf(content, param).map((text) => ({ text }));
  return content.flatMap((p, j): ContentBlock[] => {
    if (p.type === "text") return p.text && !isBlank(p.text) ? [{ text: p.text }] : [];
    if (p.type === "image_url") return [imageBlock(p.image_url?.url, `${param}.${j}.image_url.url`)];
    throw new RequestTranslationError(`content part type '${String(p.type)}' is not supported by Bedrock models`, `${param}.${j}.type`);
  });
}

/**
 * Bedrock's ToolUseId is [a-zA-Z0-9_.:-]{1,64}; ids from other providers after a fallback may not be (Gemini's carry
 * base64 with +/=, some are longer). A valid id is kept; any other becomes a prefix and a hash of it (tool-call-ids.ts).
 */
function bedrockToolUseId(id: string): string {
  return toolCallIdFor(id, TOOL_USE_ID);
}

function isBlank(text: string): boolean {
  return text.trim() === "";
}

/** Bedrock takes image bytes only, no URLs: a base64 data URL of png, jpeg, gif or webp. */
function imageBlock(url: string | undefined, param: string): ContentBlock {
  const m = url ? DATA_URL.exec(url) : null;
  const format = m?.[1]!.toLowerCase().replace("jpg", "jpeg");
  if (!m || !FORMATS.has(format!)) {
    throw new RequestTranslationError("Bedrock models take images only as base64 data URLs (png, jpeg, gif or webp)", param);
  }
  return { image: { format: format as ImageFormat, source: { bytes: Buffer.from(m[2]!, "base64") } } };
}

function parseArguments(text: string, param: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text || "{}") as unknown;
    if (typeof v === "object" && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new RequestTranslationError("tool call arguments must be a JSON object for Bedrock models", param);
}

/**
 * `response_format: json_schema` -> Converse structured output (`outputConfig.textFormat`), whose schema is JSON
 * text. It has no `strict`: the schema is always enforced. A model without structured output answers Bedrock's 400.
 */
function buildOutputConfig(body: Record<string, unknown>): OutputConfig | undefined {
  const format = body.response_format as { type?: unknown; json_schema?: { name?: string; description?: string; schema?: Record<string, unknown> } } | null | undefined;
  if (format?.type !== "json_schema") return undefined;
  const { name, description, schema } = format.json_schema ?? {};
  return {
    textFormat: {
      type: "json_schema",
      structure: { jsonSchema: { schema: JSON.stringify(schema ?? { type: "object" }), ...(name ? { name } : {}), ...(description ? { description } : {}) } },
    },
  };
}

/**
 * What Converse cannot express is refused with a 400 naming the field, never dropped: a client asking
 * for a JSON object, several choices or log probabilities must not get a plain answer it takes for one.
 */
function refuseInexpressible(body: Record<string, unknown>): void {
  const format = (body.response_format as { type?: unknown } | null | undefined)?.type;
  if (format !== undefined && format !== "text" && format !== "json_schema") throw new RequestTranslationError(`response_format type '${String(format)}' is not supported by Bedrock models`, "response_format.type");
  if (typeof body.n === "number" && body.n > 1) throw new RequestTranslationError("Bedrock models answer one choice: n must be 1", "n");
  if (body.logprobs === true) throw new RequestTranslationError("Bedrock models do not return log probabilities", "logprobs");
}

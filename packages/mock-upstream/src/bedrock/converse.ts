// AWS Bedrock Runtime Converse and ConverseStream (`POST /model/{modelId}/converse[-stream]`): a JSON answer,
// or the same answer as AWS event-stream frames (encoded by the SDK's own codec, so the gateway's SDK decodes it).
import type { ServerResponse } from "node:http";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { BehaviorError, resolveBehavior, type BehaviorRules, type MockBehavior } from "../behavior.js";
import type { Exchange } from "../exchange.js";
import { sendJson, sendRaw } from "../http.js";
import type { IdSource } from "../ids.js";
import { planReply, positiveInt, stopList, type ReplyPlan } from "../reply.js";
import { countWords } from "../text.js";

/** botocore's ToolUseId: pattern [a-zA-Z0-9_.:-]+, 1 to 64 characters. */
const TOOL_USE_ID = /^[a-zA-Z0-9_.:-]{1,64}$/;
const PATH = /^\/model\/([^/]+)\/(converse|converse-stream)$/;
const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** Bedrock's exception names by status, sent in `x-amzn-errortype` (the SDK reads the error's class from it). */
const EXCEPTIONS: Record<number, string> = {
  400: "ValidationException",
  403: "AccessDeniedException",
  404: "ResourceNotFoundException",
  408: "ModelTimeoutException",
  424: "ModelErrorException",
  429: "ThrottlingException",
  500: "InternalServerException",
  503: "ServiceUnavailableException",
};

export function isBedrockPath(path: string): boolean {
  return PATH.test(path);
}

type Block = Record<string, unknown>;

export async function bedrockConverse(
  ex: Exchange,
  path: string,
  body: unknown,
  rules: BehaviorRules,
  ids: IdSource,
): Promise<void> {
  const m = PATH.exec(path)!;
  const stream = m[2] === "converse-stream";
  if (ex.req.method !== "POST") return sendBedrockError(ex.res, 404, "UnknownOperationException", "not found");
  if (typeof body !== "object" || body === null || Array.isArray(body)) return sendBedrockError(ex.res, 400, "ValidationException", "The request body must be a JSON object.");
  const json = body as Record<string, unknown>;
  const invalid = validationProblem(json);
  if (invalid) return sendBedrockError(ex.res, 400, "ValidationException", invalid);
  let behavior: MockBehavior;
  try {
    ({ behavior } = resolveBehavior(ex.req.headers["x-mock-behavior"], decodeURIComponent(m[1]!), path, rules));
  } catch (err) {
    if (err instanceof BehaviorError) return sendBedrockError(ex.res, 400, "ValidationException", err.message);
    throw err;
  }
  if (behavior.latencyMs && !(await ex.wait(behavior.latencyMs))) return;
  if (behavior.stall === "before-headers") return;
  if (behavior.status !== undefined && behavior.status >= 400) {
    const name = behavior.errorType ?? EXCEPTIONS[behavior.status] ?? "InternalServerException";
    return sendBedrockError(ex.res, behavior.status, name, behavior.errorMessage ?? `mock ${name}`);
  }
  // Converse only: a ConverseStream answer is event-stream frames, which a raw text cannot stand for.
  if (behavior.rawBody !== undefined && !stream) return sendRaw(ex, behavior.rawBody, false);

  const messages = Array.isArray(json.messages) ? (json.messages as Array<{ role?: string; content?: Block[] }>) : [];
  const last = messages.at(-1);
  const lastContent = Array.isArray(last?.content) ? last.content : [];
  const lastUserText = lastContent.map((b) => (typeof b.text === "string" ? b.text : "")).join("");
  const tools = ((json.toolConfig as { tools?: Array<{ toolSpec?: { name?: string } }> } | undefined)?.tools ?? []);
  const answersTool = lastContent.some((b) => b.toolResult !== undefined);
  const inference = (json.inferenceConfig ?? {}) as Record<string, unknown>;
  const plan = planReply(
    {
      lastUserText,
      toolName: !answersTool ? tools[0]?.toolSpec?.name : undefined,
      json: (json.outputConfig as { textFormat?: { type?: unknown } } | undefined)?.textFormat?.type === "json_schema",
      maxTokens: positiveInt(inference.maxTokens),
      stop: stopList(inference.stopSequences),
    },
    behavior,
    () => ids.next("tooluse_"),
  );
  const allText = messages.flatMap((msg) => (Array.isArray(msg.content) ? msg.content : [])).map((b) => (typeof b.text === "string" ? b.text : "")).join(" ");
  const usage: Record<string, number> = {
    inputTokens: behavior.usage?.prompt_tokens ?? countWords(allText),
    outputTokens: behavior.usage?.completion_tokens ?? plan.outputWords,
  };
  if (behavior.usage?.cached_tokens !== undefined) usage.cacheReadInputTokens = behavior.usage.cached_tokens;
  usage.totalTokens = usage.inputTokens! + usage.outputTokens! + (usage.cacheReadInputTokens ?? 0);
  const stopReason = STOP[plan.stop];

  if (!stream) {
    const content: Block[] = [];
    if (plan.content !== null) content.push({ text: plan.content });
    for (const c of plan.toolCalls) content.push({ toolUse: { toolUseId: c.id, name: c.name, input: JSON.parse(c.arguments) } });
    return sendJson(ex.res, 200, { output: { message: { role: "assistant", content } }, stopReason, usage, metrics: { latencyMs: 1 } });
  }
  await sendStream(ex, plan, stopReason, usage, behavior);
}

const STOP: Record<ReplyPlan["stop"], string> = { stop: "end_turn", length: "max_tokens", tool_calls: "tool_use", stop_sequence: "stop_sequence" };

async function sendStream(ex: Exchange, plan: ReplyPlan, stopReason: string, usage: Record<string, number>, behavior: MockBehavior): Promise<void> {
  ex.res.writeHead(200, { "content-type": "application/vnd.amazon.eventstream", "x-amzn-requestid": "mock-request" });
  const events: Array<[string, unknown]> = [["messageStart", { role: "assistant" }]];
  let index = 0;
  if (plan.content !== null) {
    const words = plan.content.split(/(?<=\s)/);
    for (const w of words) events.push(["contentBlockDelta", { contentBlockIndex: index, delta: { text: w } }]);
    events.push(["contentBlockStop", { contentBlockIndex: index }]);
    index += 1;
  }
  for (const c of plan.toolCalls) {
    events.push(["contentBlockStart", { contentBlockIndex: index, start: { toolUse: { toolUseId: c.id, name: c.name } } }]);
    for (const piece of c.arguments.match(/.{1,12}/gs) ?? []) events.push(["contentBlockDelta", { contentBlockIndex: index, delta: { toolUse: { input: piece } } }]);
    events.push(["contentBlockStop", { contentBlockIndex: index }]);
    index += 1;
  }
  events.push(["messageStop", { stopReason }]);
  events.push(["metadata", { usage, metrics: { latencyMs: 1 } }]);
  let content = 0;
  for (const [type, payload] of events) {
    if (ex.closed) return;
    if (type === "contentBlockDelta") {
      if (behavior.midStreamError !== undefined && content === behavior.midStreamError) {
        ex.res.end(frame("exception", "throttlingException", { message: "mock mid-stream ThrottlingException" }));
        return;
      }
      if (behavior.cutAfter !== undefined && content === behavior.cutAfter) return ex.cut("");
      content += 1;
      if (behavior.chunkDelayMs && !(await ex.wait(behavior.chunkDelayMs))) return;
    }
    ex.res.write(frame("event", type, payload));
  }
  ex.res.end();
}

function frame(messageType: "event" | "exception", type: string, payload: unknown): Uint8Array {
  const typeHeader = messageType === "event" ? ":event-type" : ":exception-type";
  return codec.encode({
    headers: {
      ":message-type": { type: "string", value: messageType },
      [typeHeader]: { type: "string", value: type },
      ":content-type": { type: "string", value: "application/json" },
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

/** What Bedrock itself refuses before any model runs, with its words (as reported in public issue threads). */
function validationProblem(json: Record<string, unknown>): string | undefined {
  const messages = Array.isArray(json.messages) ? (json.messages as Array<{ content?: unknown }>) : [];
  const blocks = messages.flatMap((msg) => (Array.isArray(msg.content) ? (msg.content as Block[]) : []));
  if (json.toolConfig === undefined && blocks.some((b) => b.toolUse !== undefined || b.toolResult !== undefined)) {
    return "The toolConfig field must be defined when using toolUse and toolResult content blocks.";
  }
  for (const [i, msg] of messages.entries()) {
    for (const [j, b] of (Array.isArray(msg.content) ? (msg.content as Block[]) : []).entries()) {
      for (const kind of ["toolUse", "toolResult"] as const) {
        const id = (b[kind] as { toolUseId?: unknown } | undefined)?.toolUseId;
        if (id !== undefined && !(typeof id === "string" && TOOL_USE_ID.test(id))) {
          return `1 validation error detected: Value '${String(id)}' at 'messages.${i + 1}.member.content.${j + 1}.member.${kind}.toolUseId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.:-]+ and have length less than or equal to 64`;
        }
      }
      if (isBlankText(b.text)) return `The text field in the ContentBlock object at messages.${i}.content.${j} is blank. Add text to the text field, and try again.`;
      const results = (b.toolResult as { content?: unknown } | undefined)?.content;
      // The wording for a tool result's own blocks is assumed to follow the message blocks'.
      for (const [k, r] of (Array.isArray(results) ? (results as Block[]) : []).entries()) {
        if (isBlankText(r.text)) return `The text field in the ToolResultContentBlock object at messages.${i}.content.${j}.toolResult.content.${k} is blank. Add text to the text field, and try again.`;
      }
    }
  }
  const temperature = (json.inferenceConfig as { temperature?: unknown } | undefined)?.temperature;
  if (typeof temperature === "number" && (temperature < 0 || temperature > 1)) {
    return `1 validation error detected: Value '${temperature}' at 'inferenceConfig.temperature' failed to satisfy constraint: Member must have value ${temperature < 0 ? "greater than or equal to 0" : "less than or equal to 1"}`;
  }
  return undefined;
}

/** Bedrock refuses empty and whitespace-only text. */
function isBlankText(text: unknown): boolean {
  return typeof text === "string" && text.trim() === "";
}

function sendBedrockError(res: ServerResponse, status: number, name: string, message: string): void {
  sendJson(res, status, { message }, { "x-amzn-errortype": `${name}:http://internal.amazon.com/coral/com.amazon.bedrock/` });
}


/** What the mock should do for a request: faults, delays and reply overrides. Everything is optional. */
export interface MockBehavior {
  /** Answer this HTTP status with a provider-shaped error body (OpenAI shape on OpenAI routes, Anthropic shape on /v1/messages). */
  status?: number;
  errorType?: string;
  errorMessage?: string;
  /** Seconds, sent as `Retry-After`. */
  retryAfter?: number;
  /** Milliseconds, sent as `retry-after-ms`. */
  retryAfterMs?: number;
  /** Delay before the headers. */
  latencyMs?: number;
  /** Delay between stream events. */
  chunkDelayMs?: number;
  /** Number of text content chunks to stream (default: one per word of the reply). */
  chunks?: number;
  /** Stream: destroy the socket after k content chunks, without the final events. */
  cutAfter?: number;
  /** Stream: the k-th event (1-based, counting every event) carries invalid JSON. */
  malformedAt?: number;
  /** Never answer, or stop sending after the first content chunk, until the client goes away. */
  stall?: "before-headers" | "mid-stream";
  /** Stream: after k content chunks, send a provider error event and end. */
  midStreamError?: number;
  /** End the stream cleanly but without `data: [DONE]` (Anthropic: without message_stop). */
  omitDone?: boolean;
  /** OpenAI chat: answer without `usage` (JSON) and without the usage chunk (streams), as some compatible servers do. */
  omitUsage?: boolean;
  /**
   * Azure chat streams: Azure's Asynchronous Filter, whose completion chunks carry no annotations and whose
   * annotation-only chunks (no delta, empty id) follow the content, one of them after the finish chunk.
   */
  asyncFilter?: boolean;
  reply?: {
    content?: string;
    toolCalls?: Array<{ name: string; arguments: string }>;
    thinking?: { text: string; signature: string };
  };
  usage?: {
    prompt_tokens?: number;
    completion_tokens?: number;
    cached_tokens?: number;
    cache_creation_tokens?: number;
  };
  /** Pad the reply content to about this many bytes. */
  hugeResponseBytes?: number;
  /**
   * Raw JSON text sent verbatim as every `usage` value of the answer (OpenAI JSON and usage chunk, Anthropic
   * message / message_start / message_delta, embeddings, Responses JSON and the stream's terminal event): a hostile upstream's `"12"`, `-5`, `1e400`, `{}`, `null`.
   */
  usageJson?: string;
  /** Answer 200 with exactly this body (`text/event-stream` for a streaming request, else JSON), whatever it is. */
  rawBody?: string;
  /** Stream: after the first content event, one `data:` line of this many bytes that never ends with a newline. */
  hugeLineBytes?: number;
}

export interface BehaveOptions {
  times?: number;
  model?: string;
  path?: string;
}

/** A bad `x-mock-behavior` header or model directive: answered with a 400 so typos do not pass silently. */
export class BehaviorError extends Error {}

const NUMBER_KEYS = new Set([
  "status",
  "retryAfter",
  "retryAfterMs",
  "latencyMs",
  "chunkDelayMs",
  "chunks",
  "cutAfter",
  "malformedAt",
  "midStreamError",
  "hugeResponseBytes",
  "hugeLineBytes",
]);
const STRING_KEYS = new Set(["errorType", "errorMessage"]);

/**
 * Splits `gpt-4o-mini::status=429,retryAfter=2` into the model and its directives.
 * Directives are not part of the model name, so the base model is what gets echoed and matched.
 */
export function splitModel(model: string): { model: string; directives?: MockBehavior } {
  const at = model.indexOf("::");
  if (at < 0) return { model };
  const directives: Record<string, unknown> = {};
  for (const part of model.slice(at + 2).split(",")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    const value = eq < 0 ? "1" : part.slice(eq + 1).trim();
    if (NUMBER_KEYS.has(key)) {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new BehaviorError(`mock directive ${key} needs a number, got "${value}"`);
      directives[key] = n;
    } else if (key === "omitDone" || key === "omitUsage" || key === "asyncFilter") {
      directives[key] = value === "1" || value === "true";
    } else if (key === "stall") {
      if (value !== "before-headers" && value !== "mid-stream") {
        throw new BehaviorError(`mock directive stall must be before-headers or mid-stream, got "${value}"`);
      }
      directives[key] = value;
    } else if (STRING_KEYS.has(key)) {
      directives[key] = value;
    } else if (key === "content") {
      directives.reply = { content: value };
    } else {
      throw new BehaviorError(`unknown mock directive "${key}"`);
    }
  }
  return { model: model.slice(0, at), directives: directives as MockBehavior };
}

export function parseBehaviorHeader(header: string | string[] | undefined): MockBehavior | undefined {
  if (header === undefined) return undefined;
  const text = Array.isArray(header) ? header[header.length - 1] ?? "" : header;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BehaviorError("x-mock-behavior header is not valid JSON");
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new BehaviorError("x-mock-behavior header must be a JSON object");
  }
  return parsed as MockBehavior;
}

interface Rule {
  behavior: MockBehavior;
  remaining: number;
  model?: string;
  path?: string;
}

/** Behaviours queued with `behave()`: consulted in order, each used up after `times` matching requests. */
export class BehaviorRules {
  private rules: Rule[] = [];

  add(behavior: MockBehavior, opts: BehaveOptions = {}): void {
    const times = opts.times ?? Infinity;
    if (!(times > 0)) return;
    this.rules.push({ behavior, remaining: times, model: opts.model, path: opts.path });
  }

  take(model: string | undefined, path: string): MockBehavior | undefined {
    if (this.rules.length === 0) return undefined;
    const i = this.rules.findIndex(
      (r) => (r.model === undefined || r.model === model) && (r.path === undefined || r.path === path),
    );
    const rule = this.rules[i];
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.rules.splice(i, 1);
    return rule.behavior;
  }

  clear(): void {
    this.rules = [];
  }
}

const NONE: MockBehavior = Object.freeze({});

/**
 * Chooses the behaviour for one request. A per-request choice (header, then model directives on top)
 * wins over the rules, and a request that brings its own does not use up a rule.
 */
export function resolveBehavior(
  header: string | string[] | undefined,
  rawModel: unknown,
  path: string,
  rules: BehaviorRules,
): { model: string | undefined; behavior: MockBehavior } {
  const split = typeof rawModel === "string" ? splitModel(rawModel) : undefined;
  const fromHeader = parseBehaviorHeader(header);
  if (fromHeader || split?.directives) {
    return { model: split?.model, behavior: { ...fromHeader, ...split?.directives } };
  }
  return { model: split?.model, behavior: rules.take(split?.model, path) ?? NONE };
}

import { sendJson } from "./http.js";
import { withRawUsage } from "./raw-json.js";
import { openaiInvalid } from "./openai/errors.js";
import type { Route } from "./route.js";
import { countWords } from "./text.js";

const DEFAULT_DIMENSIONS = 8;

/** FNV-1a over the UTF-16 code units: cheap, stable, good enough to seed a vector. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A unit vector derived from the input (mulberry32 seeded by its hash). Values are rounded to float32
 * so the JSON numbers and the base64 form decode to the same vector.
 */
export function embeddingFor(text: string, dimensions: number): number[] {
  let seed = hash(text);
  const v: number[] = [];
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const x = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
    v.push(x);
    norm += x * x;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  return v.map((x) => Math.fround(x * scale));
}

function toBase64(vector: number[]): string {
  const buf = Buffer.allocUnsafe(vector.length * 4);
  vector.forEach((x, i) => buf.writeFloatLE(x, i * 4));
  return buf.toString("base64");
}

/** Inputs as a list: a string, strings, a token array, or token arrays. */
function inputsOf(input: unknown): Array<string | number[]> | undefined {
  if (typeof input === "string") return [input];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  if (input.every((x) => typeof x === "number")) return [input as number[]];
  if (input.every((x) => typeof x === "string" || (Array.isArray(x) && x.every((t) => typeof t === "number")))) {
    return input as Array<string | number[]>;
  }
  return undefined;
}

/** `POST /v1/embeddings`. */
export const embeddings: Route = {
  flavor: "openai",
  handle(ctx) {
    const { body, ex } = ctx;
    const inputs = inputsOf(body.input);
    if (!inputs) {
      return sendJson(ex.res, 400, openaiInvalid("'input' must be a non-empty string or array.", "input", null));
    }
    const dims = body.dimensions ?? DEFAULT_DIMENSIONS;
    if (typeof dims !== "number" || !Number.isInteger(dims) || dims < 1) {
      return sendJson(ex.res, 400, openaiInvalid("'dimensions' must be a positive integer.", "dimensions", null));
    }
    const base64 = body.encoding_format === "base64";
    let tokens = 0;
    const data = inputs.map((item, index) => {
      tokens += typeof item === "string" ? countWords(item) : item.length;
      const vector = embeddingFor(typeof item === "string" ? item : item.join(","), dims);
      return { object: "embedding", index, embedding: base64 ? toBase64(vector) : vector };
    });
    const prompt = ctx.behavior.usage?.prompt_tokens ?? tokens;
    sendJson(
      ex.res,
      200,
      withRawUsage({ object: "list", data, model: ctx.model ?? "", usage: { prompt_tokens: prompt, total_tokens: prompt } }, ctx.behavior),
    );
  },
};

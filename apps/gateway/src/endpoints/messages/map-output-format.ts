// Anthropic's structured outputs (`output_config.format`) -> OpenAI's `response_format`, for a Messages request
// served by translation to a chat completion.
import { RequestTranslationError } from "../../core/request-translation-error";
import type { MessagesRequest } from "./messages-types";

export interface JsonSchemaResponseFormat {
  type: "json_schema";
  json_schema: { name: string; schema: Record<string, unknown>; strict: true };
}

/**
 * `{type: "json_schema", schema}` becomes a strict json_schema response format (Anthropic's structured outputs
 * are always enforced; `strict` is OpenAI's way to say the same). A format this translation cannot express is
 * the client's 400 naming the field, never a silently free-form answer that `messages.parse` then fails on.
 */
export function mapOutputFormat(config: MessagesRequest["output_config"]): JsonSchemaResponseFormat | undefined {
  const format = config?.format;
  if (!format) return undefined;
  if (format.type !== "json_schema") {
    throw new RequestTranslationError(`output_config.format type '${format.type}' cannot be served by this model; only 'json_schema' is translated`, "output_config.format.type");
  }
  if (!format.schema || typeof format.schema !== "object") {
    throw new RequestTranslationError("output_config.format needs a 'schema' object for type 'json_schema'", "output_config.format.schema");
  }
  // OpenAI requires a name; Anthropic's format has none, and the name only labels the schema.
  return { type: "json_schema", json_schema: { name: "output", schema: format.schema, strict: true } };
}

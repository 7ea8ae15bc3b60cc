import { RequestTranslationError } from "../../core/request-translation-error";
import type { OpenAIRequestView } from "../anthropic/openai-input-types";
import type { GeminiRequest } from "./gemini-types";
import { toGeminiSchema } from "./to-gemini-schema";

/**
 * OpenAI `tools` (and legacy `functions`) -> one Gemini tool of `functionDeclarations`, parameters reduced
 * to the schema subset Gemini accepts (to-gemini-schema.ts); `tool_choice` -> `toolConfig`:
 * auto -> AUTO, none -> NONE, required -> ANY, a named function -> ANY limited to that name.
 * A function without parameters gets none (Gemini refuses an empty object schema with no properties in some models).
 */
export function prepareGeminiTools(body: OpenAIRequestView): Pick<GeminiRequest, "tools" | "toolConfig"> {
  const defs = [...(body.tools ?? []).map((t, i) => ({ t, at: `tools[${i}]` }))];
  const declarations = defs.map(({ t, at }) => {
    if (t.type !== undefined && t.type !== "function") throw new RequestTranslationError(`tool type '${String(t.type)}' is not supported by Gemini models`, `${at}.type`);
    return declaration(t.function ?? {});
  });
  for (const f of body.functions ?? []) declarations.push(declaration(f));
  if (declarations.length === 0) return {};

  const out: Pick<GeminiRequest, "tools" | "toolConfig"> = { tools: [{ functionDeclarations: declarations }] };
  const choice = body.tool_choice ?? body.function_call;
  if (choice === "auto") out.toolConfig = { functionCallingConfig: { mode: "AUTO" } };
  else if (choice === "none") out.toolConfig = { functionCallingConfig: { mode: "NONE" } };
  else if (choice === "required") out.toolConfig = { functionCallingConfig: { mode: "ANY" } };
  else if (typeof choice === "object" && choice !== null) {
    const name = "function" in choice && choice.function?.name ? choice.function.name : "name" in choice ? (choice as { name?: string }).name : undefined;
    if (name) out.toolConfig = { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [name] } };
  }
  return out;
}

function declaration(f: { name?: string; description?: string; parameters?: Record<string, unknown> }) {
  const parameters = f.parameters ? toGeminiSchema(f.parameters) : undefined;
  const hasProps = parameters !== undefined && typeof parameters.properties === "object" && Object.keys(parameters.properties as object).length > 0;
  return {
    name: f.name ?? "",
    ...(f.description ? { description: f.description } : {}),
    ...(hasProps ? { parameters } : {}),
  };
}

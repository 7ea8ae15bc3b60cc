// The capabilities a request implies by its own content, with the parameter that implies each one
// (so a routing error can name it).
import type { ChatRequest } from "../core/provider-contract";

export interface ImpliedNeed {
  capability: string;
  param: string;
}

export function impliedNeeds(req: ChatRequest & Record<string, unknown>, stream: boolean): ImpliedNeed[] {
  // Every chat request needs a chat model: an embeddings-only model is never a candidate.
  const needs: ImpliedNeed[] = [{ capability: "chat", param: "messages" }];
  if (req.tools?.length) needs.push({ capability: "function_calling", param: "tools" });
  if (hasImage(req.messages)) needs.push({ capability: "vision", param: "messages" });
  if (stream) needs.push({ capability: "streaming", param: "stream" });
  const rf = (req.response_format as { type?: string } | null | undefined)?.type;
  if (rf === "json_object" || rf === "json_schema") needs.push({ capability: "json_mode", param: "response_format" });
  return needs;
}

function hasImage(messages: ChatRequest["messages"]): boolean {
  for (const m of messages as Array<{ content?: unknown }>) {
    if (!Array.isArray(m.content)) continue;
    for (const part of m.content as Array<{ type?: string }>) if (part?.type === "image_url") return true;
  }
  return false;
}

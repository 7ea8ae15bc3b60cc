// The input an OpenAI deployment gets when a conversation the gateway translated continues there (passthrough):
// reasoning items carrying a translated provider's thinking (the gateway's encrypted_content) are dropped, since
// OpenAI refuses reasoning it did not produce, and the gateway's own item ids (on the items of its answers that
// the client sends back) are removed, since OpenAI would look them up and refuse them. The items themselves
// (messages, function calls) stay. Input without any of them is returned as it came.
import { isGatewayEncryptedContent } from "./reasoning-encrypted-content";
import { isGatewayItemId } from "./response-ids";
import type { ResponsesBody } from "./responses-types";

export function stripGatewayItems(input: ResponsesBody["input"]): ResponsesBody["input"] {
  if (!Array.isArray(input) || !input.some(isGatewayMade)) return input;
  const out: typeof input = [];
  for (const item of input) {
    if (!isGatewayMade(item)) out.push(item);
    else if (item.type !== "reasoning") {
      const { id: _, ...rest } = item;
      out.push(rest);
    }
  }
  return out;
}

function isGatewayMade(item: unknown): item is Record<string, unknown> & { type?: string } {
  if (typeof item !== "object" || item === null) return false;
  const o = item as Record<string, unknown>;
  return isGatewayItemId(o.id) || (o.type === "reasoning" && isGatewayEncryptedContent(o.encrypted_content));
}

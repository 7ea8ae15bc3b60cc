// A translated provider's thinking blocks (Anthropic's, with their signatures) carried in a reasoning item's
// `encrypted_content`, as OpenAI carries its own reasoning: opaque to clients, who send the item back as it
// came. Anthropic refuses a tool-use continuation with thinking on unless the turn's thinking blocks come
// back first, signatures byte for byte; this is how they survive a trip through the Responses API.
//
// The text is a marker and the blocks as base64url JSON. The marker tells the gateway's content from
// OpenAI's (which only OpenAI can read): OpenAI's is never decoded here, and ours is never sent to OpenAI.

import type { Schema } from "@runestone/contract";

/** A thinking block as the chat path carries it in `thinking_blocks` (parse-anthropic-response.ts). */
export type ThinkingBlock = Schema<"ThinkingBlock">;

const MARKER = "rsgw1.";

export function encodeThinkingBlocks(blocks: ThinkingBlock[]): string {
  return MARKER + Buffer.from(JSON.stringify(blocks), "utf8").toString("base64url");
}

/** True when `value` is encrypted_content the gateway made (whatever it holds). */
export function isGatewayEncryptedContent(value: unknown): boolean {
  return typeof value === "string" && value.startsWith(MARKER);
}

/** The thinking blocks of the gateway's encrypted_content; undefined for OpenAI's, or for anything unreadable. */
export function decodeThinkingBlocks(value: unknown): ThinkingBlock[] | undefined {
  if (!isGatewayEncryptedContent(value)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from((value as string).slice(MARKER.length), "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  const blocks = parsed.filter(isThinkingBlock);
  return blocks.length === parsed.length && blocks.length > 0 ? blocks : undefined;
}

function isThinkingBlock(b: unknown): b is ThinkingBlock {
  if (typeof b !== "object" || b === null) return false;
  const o = b as Record<string, unknown>;
  if (o.type === "thinking") return typeof o.thinking === "string" && typeof o.signature === "string";
  return o.type === "redacted_thinking" && typeof o.data === "string";
}

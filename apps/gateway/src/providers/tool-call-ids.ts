// Tool call ids another provider would refuse, made acceptable. A conversation that falls back from one provider to
// another carries the first one's ids in its history: Gemini's are `<id>__thought__<base64>` (with `+/=`), some are
// longer than a provider takes. Bedrock's ToolUseId is [a-zA-Z0-9_.:-]{1,64}, Anthropic's tool_use id ^[a-zA-Z0-9_-]+$.
import { createHash } from "node:crypto";

export interface ToolCallIdRule {
  /** The ids the provider accepts, anchored (`^...$`); it is tested without the length limit. */
  pattern: RegExp;
  /** The longest id the provider accepts, when it has a limit. */
  maxLength?: number;
}

/**
 * `id` when `rule` accepts it; otherwise `rs_` plus the first 40 hex digits of its SHA-256 (43 characters of
 * [a-z0-9_]), so a call and its result map to the same id, in this request and the next, and distinct ids stay
 * distinct.
 */
export function toolCallIdFor(id: string, rule: ToolCallIdRule): string {
  if (rule.pattern.test(id) && (rule.maxLength === undefined || id.length <= rule.maxLength)) return id;
  return `rs_${createHash("sha256").update(id).digest("hex").slice(0, 40)}`;
}

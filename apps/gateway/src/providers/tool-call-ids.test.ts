import { describe, expect, it } from "vitest";
import { toolCallIdFor } from "./tool-call-ids";

describe("toolCallIdFor", () => {
  const anthropic = { pattern: /^[a-zA-Z0-9_-]+$/ };
  const bedrock = { pattern: /^[a-zA-Z0-9_.:-]+$/, maxLength: 64 };

  it("keeps an id the rule accepts", () => {
    expect(toolCallIdFor("toolu_01A-b", anthropic)).toBe("toolu_01A-b");
    expect(toolCallIdFor("call_a.b:c-d_1", bedrock)).toBe("call_a.b:c-d_1");
    expect(toolCallIdFor("x".repeat(64), bedrock)).toBe("x".repeat(64));
  });

  it("maps any other id to rs_ plus 40 hex of its SHA-256, the same each time and different per id", () => {
    const gemini = "call_1__thought__ab+c/d==";
    const mapped = toolCallIdFor(gemini, anthropic);
    // The first 40 hex digits of sha256("call_1__thought__ab+c/d=="), as Bedrock's mapping gave before it was shared.
    expect(mapped).toBe("rs_e7149f91a0d83c3a3bc3fb09fdfe12d25849fb09");
    expect(toolCallIdFor(gemini, anthropic)).toBe(mapped);
    expect(toolCallIdFor(gemini, bedrock)).toBe(mapped);
    expect(toolCallIdFor(`${gemini}X`, anthropic)).not.toBe(mapped);
    expect(toolCallIdFor("call_a.b", anthropic)).toMatch(/^rs_[0-9a-f]{40}$/);
    expect(toolCallIdFor("x".repeat(65), bedrock)).toMatch(/^rs_[0-9a-f]{40}$/);
    expect(toolCallIdFor("", bedrock)).toMatch(/^rs_[0-9a-f]{40}$/);
  });
});

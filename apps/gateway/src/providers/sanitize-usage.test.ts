import { describe, expect, it } from "vitest";
import { readAnthropicUsage } from "./anthropic/map-anthropic-usage";
import { isCleanUsage, sanitizeOpenAIUsage, sameUsage, tokenCount } from "./sanitize-usage";

describe("tokenCount", () => {
  it("takes only non-negative integers", () => {
    expect(tokenCount(12)).toBe(12);
    expect(tokenCount(0)).toBe(0);
    for (const bad of ["12", -5, Infinity, JSON.parse("1e400"), NaN, 1.5, {}, null, undefined, true, [3], 1e12]) expect(tokenCount(bad)).toBeUndefined();
  });
});

describe("sanitizeOpenAIUsage", () => {
  it("passes a well-formed report unchanged, so a stream chunk's raw text can pass on", () => {
    const raw = { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15, prompt_tokens_details: { cached_tokens: 2, audio_tokens: 0 }, cost: 0.001 };
    const clean = sanitizeOpenAIUsage(raw);
    expect(clean).toEqual(raw);
    expect(sameUsage(raw, clean)).toBe(true);
  });

  it.each([
    ["a string", { prompt_tokens: "12", completion_tokens: 3 }],
    ["a negative count", { prompt_tokens: -5, completion_tokens: 3 }],
    ["Infinity (1e400)", JSON.parse('{"prompt_tokens":1e400,"completion_tokens":3}')],
    ["an object", { prompt_tokens: {}, completion_tokens: 3 }],
    ["a missing count", { prompt_tokens: 4 }],
    ["null", null],
    ["a number", 7],
  ])("treats a report with %s as absent", (_name, raw) => {
    expect(sanitizeOpenAIUsage(raw)).toBeUndefined();
  });

  it("recomputes a broken total and drops broken or oversized detail counts", () => {
    const clean = sanitizeOpenAIUsage({ prompt_tokens: 10, completion_tokens: 5, total_tokens: "x", prompt_tokens_details: { cached_tokens: 99, audio_tokens: "1" }, completion_tokens_details: null });
    expect(clean).toEqual({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, prompt_tokens_details: { cached_tokens: 10 } });
  });
});

describe("readAnthropicUsage", () => {
  it("maps a good report, counts null cache fields as 0, and a missing report as zero usage", () => {
    expect(readAnthropicUsage(undefined)).toMatchObject({ prompt_tokens: 0, completion_tokens: 0 });
    expect(readAnthropicUsage({ input_tokens: 10, output_tokens: 4, cache_read_input_tokens: null, cache_creation_input_tokens: 2 })).toMatchObject({ prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 });
  });

  it("treats a report whose counts are not counts as absent", () => {
    for (const bad of [{ input_tokens: "12", output_tokens: 1 }, { input_tokens: 1, output_tokens: -5 }, JSON.parse('{"input_tokens":1e400}'), { output_tokens: {} }, null, "x"]) {
      expect(readAnthropicUsage(bad)).toBeUndefined();
    }
  });
});

describe("isCleanUsage", () => {
  const good = { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 };
  it.each([
    ["a plain report", good],
    ["details and fields we do not read", { ...good, prompt_tokens_details: { cached_tokens: 2, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 3 }, cost: 0.001 }],
    ["no total", { prompt_tokens: 12, completion_tokens: 3 }],
    ["a total that is a string", { ...good, total_tokens: "15" }],
    ["a string count", { ...good, prompt_tokens: "12" }],
    ["a huge count", { ...good, completion_tokens: 1e12 }],
    ["details that are null", { ...good, prompt_tokens_details: null }],
    ["details that are empty", { ...good, completion_tokens_details: {} }],
    ["details past their total", { ...good, prompt_tokens_details: { cached_tokens: 13 } }],
    ["details with a non-count", { ...good, prompt_tokens_details: { cached_tokens: 2, audio_tokens: null } }],
    ["details that are a list", { ...good, completion_tokens_details: [1] }],
    ["-0 and a total that does not add up", { prompt_tokens: -0, completion_tokens: 3, total_tokens: 99 }],
    ["null", null],
    ["a list", [good]],
  ])("says the same as sanitizing and comparing: %s", (_name, raw) => {
    expect(isCleanUsage(raw)).toBe(sameUsage(raw, sanitizeOpenAIUsage(raw)));
  });

  it("is true only for reports that pass unchanged", () => {
    expect(isCleanUsage(good)).toBe(true);
    expect(isCleanUsage({ ...good, prompt_tokens_details: { cached_tokens: 13 } })).toBe(false);
  });
});

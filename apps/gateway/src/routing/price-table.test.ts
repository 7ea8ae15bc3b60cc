import { describe, expect, it } from "vitest";
import { builtInPriceTable, undated } from "./price-table";

describe("the dated price table", () => {
  it("strips date and -latest suffixes the way providers date their ids", () => {
    expect(undated("gpt-4o-2024-08-06")).toBe("gpt-4o");
    expect(undated("claude-3-5-sonnet-20241022")).toBe("claude-3-5-sonnet");
    expect(undated("claude-3-7-sonnet-latest")).toBe("claude-3-7-sonnet");
    expect(undated("o3-mini")).toBe("o3-mini");
  });

  it("prices the common legacy models of the built-in provider types, each with a source", () => {
    const t = builtInPriceTable();
    expect(t.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const m of ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "o3-mini", "o4-mini", "text-embedding-3-small", "text-embedding-3-large"]) {
      const e = t.lookup("openai", m);
      expect(e, m).toBeDefined();
      expect(e!.source.length).toBeGreaterThan(10);
    }
    for (const m of ["claude-3-5-sonnet-20241022", "claude-3-5-haiku-latest", "claude-3-7-sonnet-20250219"]) {
      expect(t.lookup("anthropic", m)?.verified, m).toBe(true);
    }
    expect(t.lookup("anthropic", "claude-3-5-sonnet")!.pricing).toEqual({ input_per_1m: 3, cached_input_per_1m: 0.3, output_per_1m: 15 });
  });

  it("applies a type's entries only to providers of that type", () => {
    expect(builtInPriceTable().lookup("openai-compatible", "gpt-4o")).toBeUndefined();
    expect(builtInPriceTable().lookup("anthropic", "gpt-4o")).toBeUndefined();
  });
});

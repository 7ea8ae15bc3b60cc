import { describe, expect, it } from "vitest";
import { checkGlob, GlobSyntaxError, matchesAny, matchesGlob, patternsOverlap } from "./model-patterns";

describe("matchesGlob", () => {
  it("matches the default config's patterns as a user would expect", () => {
    expect(matchesGlob("gpt-*", "gpt-4o-mini")).toBe(true);
    expect(matchesGlob("gpt-*", "gpt")).toBe(false);
    expect(matchesGlob("o[0-9]*", "o3-mini")).toBe(true);
    expect(matchesGlob("o[0-9]*", "omni")).toBe(false);
    expect(matchesGlob("claude-*", "claude-3-5-sonnet-20241022")).toBe(true);
    expect(matchesGlob("text-embedding-*", "text-embedding-3-large")).toBe(true);
    expect(matchesGlob("claude-*", "Claude-3")).toBe(false);
  });

  it("treats ?, sets, negated sets and regex characters as glob syntax or literals", () => {
    expect(matchesGlob("gpt-4.?", "gpt-4.1")).toBe(true);
    expect(matchesGlob("gpt-4.?", "gpt-4x1")).toBe(false);
    expect(matchesGlob("[!a-c]x", "dx")).toBe(true);
    expect(matchesGlob("[!a-c]x", "bx")).toBe(false);
    expect(matchesGlob("a+b(c)", "a+b(c)")).toBe(true);
    expect(matchesGlob("openai/*", "openai/gpt-4o")).toBe(true);
    expect(matchesGlob("anthropic/claude-haiku-*", "anthropic/claude-sonnet-4")).toBe(false);
    expect(matchesGlob("*-mini", "o4-mini")).toBe(true);
    expect(matchesGlob("*a*b*", "xxaxxbxx")).toBe(true);
    expect(matchesGlob("*a*b", "xxaxxbxxc")).toBe(false);
    expect(matchesAny(["x", "gpt-*"], "gpt-5")).toBe(true);
  });

  it("rejects an unclosed set or a reversed range", () => {
    expect(() => checkGlob("gpt-[4")).toThrow(GlobSyntaxError);
    expect(() => checkGlob("[z-a]")).toThrow(/reversed/);
  });
});

describe("patternsOverlap", () => {
  it("finds no common name between the default providers' patterns", () => {
    const openai = ["gpt-*", "o[0-9]*", "chatgpt-*", "text-embedding-*"];
    for (const a of openai) expect(patternsOverlap(a, "claude-*")).toBeUndefined();
  });

  it("gives a name both globs match when they overlap", () => {
    for (const [a, b] of [
      ["gpt-*", "g*"],
      ["gpt-*", "*-mini"],
      ["o[0-9]*", "o3-?ini"],
      ["[a-m]x", "[f-z]?"],
      ["*", "llama-3"],
    ] as const) {
      const name = patternsOverlap(a, b);
      expect(name, `${a} vs ${b}`).toBeDefined();
      expect(matchesGlob(a, name!)).toBe(true);
      expect(matchesGlob(b, name!)).toBe(true);
    }
  });

  it("says disjoint globs do not overlap", () => {
    expect(patternsOverlap("o[0-9]*", "o[a-z]*")).toBeUndefined();
    expect(patternsOverlap("gpt-?", "gpt-??")).toBeUndefined();
    expect(patternsOverlap("[!x]", "x")).toBeUndefined();
    expect(patternsOverlap("a*b", "*c")).toBeUndefined();
  });
});

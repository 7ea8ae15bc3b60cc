import { describe, expect, it } from "vitest";
import { loadConfig } from "./config/load";
import { startupLines } from "./startup-summary";

describe("the startup log", () => {
  it("says where the docs are and which providers of the default config lack a key, and what to set", () => {
    const { config } = loadConfig({ OPENAI_API_KEY: "sk-from-env" });
    expect(startupLines("http://127.0.0.1:4001", config)).toEqual([
      "docs: http://127.0.0.1:4001/docs (the contract: http://127.0.0.1:4001/openapi.json)",
      "providers: mock: built in, no key needed; openai: configured; anthropic: not configured (set ANTHROPIC_API_KEY); azure: not configured (set AZURE_OPENAI_API_KEY); gemini: not configured (set GEMINI_API_KEY)",
    ]);
  });
});

import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findChromium } from "./find-chromium";

function dirWith(...names: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "runestone-find-chromium-"));
  for (const n of names) {
    writeFileSync(join(dir, n), "#!/bin/sh\n");
    chmodSync(join(dir, n), 0o755);
  }
  return dir;
}

describe("finding the browser for the docs test", () => {
  it("takes CHROMIUM_PATH first, then chromium, chromium-browser or google-chrome from PATH, in PATH order", () => {
    const chrome = dirWith("google-chrome");
    const both = dirWith("chromium-browser", "chromium");
    expect(findChromium({ CHROMIUM_PATH: join(chrome, "google-chrome"), PATH: both })).toBe(join(chrome, "google-chrome"));
    expect(findChromium({ PATH: `${dirWith()}:${both}:${chrome}` })).toBe(join(both, "chromium"));
    expect(findChromium({ PATH: `${dirWith("chromium-browser")}` })).toMatch(/chromium-browser$/);
    expect(findChromium({ PATH: chrome })).toBe(join(chrome, "google-chrome"));
  });

  it("says what to install or set when there is none", () => {
    expect(() => findChromium({ PATH: dirWith() })).toThrow(/no Chromium found .*apt-get install -y chromium, or set CHROMIUM_PATH/);
    expect(() => findChromium({ CHROMIUM_PATH: "/nonexistent/chrome", PATH: "" })).toThrow(/CHROMIUM_PATH=\/nonexistent\/chrome is not an executable/);
  });
});

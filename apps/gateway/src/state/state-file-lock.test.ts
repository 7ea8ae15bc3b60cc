// The state file's lock is named by the file's real path, so a second gateway reaching the same file
// through a symlink (to the file or to its folder) meets the same lock instead of a lock of its own.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { canonical } from "./state-file-lock";

const dir = mkdtempSync(join(tmpdir(), "runestone-lock-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the state file lock's name", () => {
  it("is the same for the file and a symlink to it", () => {
    const real = join(dir, "state.db");
    writeFileSync(real, "");
    symlinkSync(real, join(dir, "alias.db"));
    expect(canonical(join(dir, "alias.db"))).toBe(canonical(real));
  });

  it("is the same through a symlinked folder, also before the file exists", () => {
    mkdirSync(join(dir, "data"));
    symlinkSync(join(dir, "data"), join(dir, "data-link"));
    expect(canonical(join(dir, "data-link", "new.db"))).toBe(canonical(join(dir, "data", "new.db")));
    expect(canonical(join(dir, "data-link", "new.db"))).toBe(join(canonical(join(dir, "data")), "new.db"));
  });
});

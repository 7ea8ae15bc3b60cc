// The results table cannot drift from the code: a file whose setup fails still counts its scenarios
// (as failed), every run records its commit and machine, runs never touch tracked files, and the
// READMEs' figures are generated from the committed results.json.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { BLOCK_BEGIN, BLOCK_END, currentBlock, readmeBlock, type Results } from "./report.mjs";
import { SECTIONS } from "./results";

const here = fileURLToPath(new URL(".", import.meta.url));
const repoRoot = join(here, "../../../..");
const vitestBin = join(repoRoot, "node_modules/.bin/vitest");
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VITEST") && k !== "TEST" && k !== "NODE_ENV"));

let latest: string;
let nested: { status: number | null; output: string };

beforeAll(() => {
  latest = mkdtempSync(join(tmpdir(), "runestone-rel-latest-"));
  const r = spawnSync(vitestBin, ["run", "--config", join(here, "__fixtures__/vitest.config.mjs")], {
    cwd: repoRoot,
    env: { ...cleanEnv, RUNESTONE_RELIABILITY_RESULTS: latest },
    encoding: "utf8",
    timeout: 120_000,
  });
  nested = { status: r.status, output: `${r.stdout}${r.stderr}` };
}, 150_000);

const snapshot = (...args: string[]) => spawnSync(process.execPath, [join(here, "snapshot.mjs"), ...args], { cwd: repoRoot, encoding: "utf8" });

describe("the reliability results", () => {
  it("count every test of a file whose setup failed as a failed scenario, and record the commit and machine", () => {
    expect(nested.status, nested.output).not.toBe(0);
    const results = JSON.parse(readFileSync(join(latest, "results.json"), "utf8")) as Results;
    const durability = results.sections.find((s) => s.id === "durability")!;
    expect(durability.scenarios.map((s) => [s.scenario, s.passed, s.observed])).toEqual([
      ["a scenario that passes", true, "it passed"],
      ["fails before recording its scenario", false, "failed before recording: the gateway did not start"],
      ["Redis mode > loses no job and runs none twice in Redis mode", false, "could not start: cannot start redis-server: it is not on PATH"],
    ]);
    expect(results.summary).toMatchObject({ scenarios: 3, passed: 1, failed: 2, sectionsMissing: Object.keys(SECTIONS).length - 1 });
    expect(results.run!.commit).toBe(execFileSync("git", ["rev-parse", "HEAD"], { cwd: repoRoot, encoding: "utf8" }).trim());
    expect(typeof results.run!.dirty).toBe("boolean");
    expect(results.run!.machine).toMatchObject({ cores: cpus().length, node: process.version });
    expect(readFileSync(join(latest, "results.md"), "utf8")).toMatch(/\*\*1 of 3 scenarios passed \(2 failed; \d+ sections reported nothing\)\*\*/);
  });

  it("are snapshotted only on purpose: a partial run is refused, and a snapshot regenerates the README block from the table", () => {
    const to = mkdtempSync(join(tmpdir(), "runestone-rel-snapshot-"));
    const readme = join(to, "README.md");
    writeFileSync(readme, `# Title\n\nProse kept.\n\n${BLOCK_BEGIN}\nold figures: restart about 1.3 s\n${BLOCK_END}\n\nMore prose.\n`);
    const refused = snapshot("--from", latest, "--to", to, "--readme", `${readme}=results/results.md`);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/refused: .*reported nothing in the last run; run the whole suite/);
    expect(readFileSync(readme, "utf8")).toContain("old figures");

    const taken = snapshot("--partial", "--from", latest, "--to", to, "--readme", `${readme}=results/results.md`);
    expect(taken.status, taken.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(to, "results.json"), "utf8")) as Results;
    const text = readFileSync(readme, "utf8");
    expect(text).toMatch(/^# Title\n\nProse kept\.\n\n/);
    expect(text).toMatch(/\nMore prose\.\n$/);
    expect(text).not.toContain("old figures");
    expect(currentBlock(text)).toBe(readmeBlock(results, { link: "results/results.md" }));
    expect(currentBlock(text)).toContain(`commit ${results.run!.commit.slice(0, 12)}`);
    expect(currentBlock(text)).toMatch(/\| 3\. Durability \(kill -9\) \| 1 of 3 \|/);
    expect(readFileSync(join(to, "results.md"), "utf8")).toContain(`Produced by commit ${results.run!.commit.slice(0, 12)}`);
  });

  it("shown in the READMEs are exactly those of the committed results.json", () => {
    const committed = JSON.parse(readFileSync(join(here, "results/results.json"), "utf8")) as Results;
    const suiteReadme = readFileSync(join(here, "README.md"), "utf8");
    const rootReadme = readFileSync(join(repoRoot, "README.md"), "utf8");
    expect(currentBlock(suiteReadme)).toBe(readmeBlock(committed, { link: "results/results.md" }));
    expect(currentBlock(rootReadme)).toBe(readmeBlock(committed, { link: "apps/gateway/test/reliability/results/results.md", maxFigure: 40 }));
  });
});


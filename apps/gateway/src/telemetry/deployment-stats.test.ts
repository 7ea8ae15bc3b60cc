import { describe, expect, it } from "vitest";
import { DeploymentStats, MAX_DEPLOYMENTS } from "./deployment-stats";

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

describe("DeploymentStats when more deployments are seen than it keeps", () => {
  it("counts a real deployment that arrives after random model names filled it, forgetting the least recently used", () => {
    const stats = new DeploymentStats(() => T0);
    stats.attempt("openai", "gpt-4o", true);
    for (let i = 0; i < MAX_DEPLOYMENTS - 1; i++) stats.attempt("openai", `random-${i}`, false);
    // Used again: now the most recent, so the flood below evicts random names, not it.
    stats.attempt("openai", "gpt-4o", true);
    for (let i = MAX_DEPLOYMENTS; i < MAX_DEPLOYMENTS + 100; i++) stats.attempt("openai", `random-${i}`, false);
    stats.attempt("backup", "gpt-4o", false);
    stats.retry("backup", "gpt-4o");

    const recent = stats.recent();
    expect(recent.length).toBe(MAX_DEPLOYMENTS);
    expect(recent.find((d) => d.provider === "openai" && d.model === "gpt-4o")).toMatchObject({ attempts: 2, failures: 0 });
    expect(recent.find((d) => d.provider === "backup" && d.model === "gpt-4o")).toMatchObject({ attempts: 1, failures: 1, retries: 1 });
    // The oldest random names went first.
    expect(recent.some((d) => d.model === "random-0")).toBe(false);
    expect(recent.some((d) => d.model === `random-${MAX_DEPLOYMENTS + 99}`)).toBe(true);
  });
});

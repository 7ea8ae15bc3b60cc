import { expect } from "vitest";
import type { RunestoneClient } from "../src/index";

/** Makes the mock upstream's next answer for `model` take `ms`: it holds the busy tenant's only slot meanwhile. */
export async function slowNextAnswer(mockUrl: string, model: string, ms: number): Promise<void> {
  const res = await fetch(`${mockUrl}/_mock/behave`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ behavior: { latencyMs: ms }, times: 1, model }),
  });
  expect(res.ok).toBe(true);
}

let holds = 0;

/**
 * Occupies the busy tenant's only slot (`max_concurrent: 1`, `overflow: queue`) with a slow request sent by `busy`,
 * and resolves (bounded wait) once that request reached the mock upstream. Returns the slow request's promise.
 */
export async function holdSlot(mockUrl: string, busy: RunestoneClient, ms = 2_500): Promise<{ done: Promise<unknown> }> {
  const marker = `hold-${process.pid}-${++holds}`;
  await slowNextAnswer(mockUrl, "gpt-4o-mini", ms);
  const holder = busy.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: marker }] });
  const deadline = Date.now() + 5_000;
  for (;;) {
    const seen = (await (await fetch(`${mockUrl}/_mock/requests`)).json()) as { requests: { body?: unknown }[] };
    if (seen.requests.some((r) => JSON.stringify(r.body ?? "").includes(marker))) return { done: holder };
    if (Date.now() > deadline) throw new Error("the slot holder never reached the upstream");
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Google's thinking budget ranges (generationConfig.thinkingConfig.thinkingBudget), by model family as the mock
// reads it from the model name: a Pro model ("-pro" in the name: 2.5 Pro, 3 Pro) always thinks, so it refuses
// budget 0 ("Budget 0 is invalid. This model only works in thinking mode.") and budgets below 128; Flash-Lite
// ("flash-lite") takes 0 (off) or 512 and up. -1 (dynamic) is taken by all. Other models take any budget.

const RANGES: Array<{ test: RegExp; min: number; max: number; off: boolean }> = [
  { test: /flash-lite/, min: 512, max: 24576, off: true },
  { test: /-pro(\b|-|$)/, min: 128, max: 32768, off: false },
];

/** Google's 400 message for a thinkingBudget the model does not accept, or undefined. */
export function checkThinkingBudget(model: string, body: Record<string, unknown>): string | undefined {
  const config = body.generationConfig as { thinkingConfig?: { thinkingBudget?: unknown } } | undefined;
  const budget = config?.thinkingConfig?.thinkingBudget;
  if (typeof budget !== "number" || budget === -1) return undefined;
  const range = RANGES.find((r) => r.test.test(model));
  if (range === undefined) return undefined;
  if (budget === 0) return range.off ? undefined : "Budget 0 is invalid. This model only works in thinking mode.";
  if (budget < range.min || budget > range.max) return `The thinking budget ${budget} is invalid. Please choose a value between ${range.min} and ${range.max}.`;
  return undefined;
}

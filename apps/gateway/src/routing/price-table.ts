// The dated price table (config/prices.yaml): prices, limits and capabilities of well-known models of the
// built-in provider types, for models reached outside the catalog (`provider/model` or model_patterns).
// Read once at startup; lookups are map reads.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

const entrySchema = z
  .object({
    pricing: z.object({ input_per_1m: z.number().nonnegative(), output_per_1m: z.number().nonnegative(), cached_input_per_1m: z.number().nonnegative().optional() }).strict(),
    context_window: z.number().int().positive().optional(),
    max_output_tokens: z.number().int().positive().optional(),
    capabilities: z.array(z.string()).optional(),
    source: z.string().min(1),
    verified: z.boolean(),
  })
  .strict();

const tableSchema = z.object({ as_of: z.string(), providers: z.record(z.string(), z.record(z.string(), entrySchema)) }).passthrough();

export type PriceEntry = z.infer<typeof entrySchema>;

/** apps/gateway/config/prices.yaml, from src/routing/ (tests) or from the bundled dist/ (npm start). */
const builtInPath = [new URL("../../config/prices.yaml", import.meta.url), new URL("../config/prices.yaml", import.meta.url)]
  .map((u) => fileURLToPath(u))
  .find((p) => existsSync(p));

export class PriceTable {
  constructor(
    readonly asOf: string,
    private readonly byType: Record<string, Record<string, PriceEntry>>,
  ) {}

  static empty(): PriceTable {
    return new PriceTable("", {});
  }

  static parse(text: string): PriceTable {
    const t = tableSchema.parse(parseYaml(text));
    return new PriceTable(t.as_of, t.providers);
  }

  /** The entry for a model of a provider type: by its name, else without a date or `-latest` suffix. */
  lookup(providerType: string, model: string): PriceEntry | undefined {
    const table = this.byType[providerType];
    if (!table) return undefined;
    return table[model] ?? table[undated(model)];
  }
}

/** `gpt-4o-2024-08-06` -> `gpt-4o`, `claude-3-5-sonnet-20241022` -> `claude-3-5-sonnet`, `x-latest` -> `x`. */
export function undated(model: string): string {
  return model.replace(/-(\d{4}-\d{2}-\d{2}|\d{8}|latest)$/, "");
}

let builtIn: PriceTable | undefined;

/** The shipped table, read once (startup only; never on the request path). */
export function builtInPriceTable(): PriceTable {
  if (!builtIn) builtIn = builtInPath ? PriceTable.parse(readFileSync(builtInPath, "utf8")) : PriceTable.empty();
  return builtIn;
}

// Loads the YAML config (RUNESTONE_CONFIG or the embedded defaults), interpolates ${ENV},
// applies the documented environment shortcuts, and validates it. Every error names the key.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { configSchema, type RunestoneConfig } from "./schema";
import { interpolate, InterpolationError } from "./interpolate";
import { checkGlob, GlobSyntaxError, patternsOverlap } from "./model-patterns";

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** apps/gateway/config/default.yaml, from src/config/ (tests) or from the bundled dist/ (npm start). */
export const defaultConfigPath = [new URL("../../config/default.yaml", import.meta.url), new URL("../config/default.yaml", import.meta.url)]
  .map((u) => fileURLToPath(u))
  .find((p) => existsSync(p)) ?? fileURLToPath(new URL("../config/default.yaml", import.meta.url));

export interface LoadedConfig {
  config: RunestoneConfig;
  source: string;
  warnings: string[];
}

/** Reads the config file at startup (the only synchronous file read, never on the request path). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const source = env.RUNESTONE_CONFIG || defaultConfigPath;
  let text: string;
  try {
    text = readFileSync(source, "utf8");
  } catch (err) {
    throw new ConfigError(`cannot read config file ${source}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return { ...parseConfig(text, env), source };
}

export function parseConfig(text: string, env: NodeJS.ProcessEnv = process.env): Omit<LoadedConfig, "source"> {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`config is not valid YAML: ${(err as Error).message}`);
  }
  if (!raw || typeof raw !== "object") throw new ConfigError("config must be a YAML mapping");
  try {
    raw = interpolate(raw, env);
  } catch (err) {
    if (err instanceof InterpolationError) throw new ConfigError(err.message);
    throw err;
  }
  applyEnvShortcuts(raw as Record<string, any>, env);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const key = i.path.join(".") || "(root)";
      const extra = i.code === "unrecognized_keys" ? ` (${i.keys.join(", ")})` : "";
      return `  ${key}: ${i.message}${extra}`;
    });
    throw new ConfigError(`invalid config:\n${lines.join("\n")}`);
  }
  const config = parsed.data;
  crossCheck(config);
  return { config, warnings: collectWarnings(config) };
}

function applyEnvShortcuts(raw: Record<string, any>, env: NodeJS.ProcessEnv): void {
  const server = (raw.server ??= {});
  if (env.PORT) server.port = toInt("PORT", env.PORT);
  if (env.HOST) server.host = env.HOST;
  if (env.MAX_CONCURRENT_PER_TENANT) {
    (raw.limits ??= {}).max_concurrent_per_tenant = toInt("MAX_CONCURRENT_PER_TENANT", env.MAX_CONCURRENT_PER_TENANT);
  }
  if (env.RUNESTONE_ROUTER_POLICY) (raw.routing ??= {}).default_policy = env.RUNESTONE_ROUTER_POLICY;
  if (env.LOG_LEVEL) (raw.logging ??= {}).level = env.LOG_LEVEL;
  if (env.RUNESTONE_REDIS_URL) (raw.state ??= {}).redis_url = env.RUNESTONE_REDIS_URL;
  if (env.RUNESTONE_ADMIN_KEY) (raw.admin ??= {}).key = env.RUNESTONE_ADMIN_KEY;
  if (env.RUNESTONE_DATA_FILE) (raw.state ??= {}).sqlite_path = env.RUNESTONE_DATA_FILE;
  if (env.RUNESTONE_WORKERS) (raw.queue ??= {}).workers = toInt("RUNESTONE_WORKERS", env.RUNESTONE_WORKERS);
}

function toInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new ConfigError(`environment variable ${name} must be an integer, got "${value}"`);
  return n;
}

function crossCheck(config: RunestoneConfig): void {
  if (config.queue.workers > 1 && !config.state.redis_url) {
    // Worker processes share limits, slots and the queue only through Redis; SQLite is one process's.
    throw new ConfigError(
      `config queue.workers: ${config.queue.workers} worker processes (RUNESTONE_WORKERS) need Redis mode: set RUNESTONE_REDIS_URL (or state.redis_url), or run 1 worker`,
    );
  }
  for (const [id, model] of Object.entries(config.models)) {
    model.deployments.forEach((d, i) => {
      if (!config.providers[d.provider]) {
        throw new ConfigError(`config models.${id}.deployments.${i}.provider: unknown provider "${d.provider}"`);
      }
    });
  }
  for (const [id, p] of Object.entries(config.providers)) {
    // Bedrock's endpoint follows from its region (the AWS SDK resolves it); base_url only overrides it.
    if (p.type !== "mock" && p.type !== "bedrock" && !p.base_url) throw new ConfigError(`config providers.${id}.base_url: required for type ${p.type}`);
  }
  checkModelPatterns(config);
  const seen = new Set<string>();
  config.tenants.forEach((t, i) => {
    if (seen.has(t.id)) throw new ConfigError(`config tenants.${i}.id: duplicate tenant id "${t.id}"`);
    seen.add(t.id);
    t.allowed_models?.forEach((glob, j) => {
      try {
        checkGlob(glob);
      } catch (err) {
        if (err instanceof GlobSyntaxError) throw new ConfigError(`config tenants.${i}.allowed_models.${j}: ${err.message}`);
        throw err;
      }
    });
  });
}

/** Each glob must parse, and no name may be matched by two providers' patterns (routing would hang on order). */
function checkModelPatterns(config: RunestoneConfig): void {
  const globs = Object.entries(config.providers).flatMap(([id, p]) =>
    p.model_patterns.map((glob, i) => {
      try {
        checkGlob(glob);
      } catch (err) {
        if (err instanceof GlobSyntaxError) throw new ConfigError(`config providers.${id}.model_patterns.${i}: ${err.message}`);
        throw err;
      }
      return { id, glob, i };
    }),
  );
  for (const [n, a] of globs.entries()) {
    for (const b of globs.slice(n + 1)) {
      if (a.id === b.id) continue;
      const name = patternsOverlap(a.glob, b.glob);
      if (name !== undefined) {
        throw new ConfigError(
          `config providers.${b.id}.model_patterns.${b.i}: '${b.glob}' and providers.${a.id}.model_patterns.${a.i} '${a.glob}' both match a name such as '${name}': ` +
            `a bare model name must route to one provider; narrow one of the patterns, or add the models you want on both to the catalog (models:)`,
        );
      }
    }
  }
}

function collectWarnings(config: RunestoneConfig): string[] {
  const warnings: string[] = [];
  for (const t of config.tenants) {
    if (t.development) {
      warnings.push(
        `tenant "${t.id}" is a development tenant with a publicly known key: do not expose this gateway beyond localhost`,
      );
    }
  }
  if (config.server.host !== "127.0.0.1" && config.server.host !== "localhost" && config.tenants.some((t) => t.development)) {
    warnings.push(`listening on ${config.server.host} with a development tenant enabled`);
  }
  return warnings;
}

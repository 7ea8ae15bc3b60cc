// `${VAR}` and `${VAR:-fallback}` in config strings, resolved from the environment.
// A `${VAR}` without fallback whose variable is unset is an error naming the key that used it.

const pattern = /\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}/g;

export class InterpolationError extends Error {}

export function interpolate(value: unknown, env: NodeJS.ProcessEnv, path: string[] = []): unknown {
  if (typeof value === "string") {
    return value.replace(pattern, (_m, name: string, hasFallback: string | undefined, fallback: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== "") return v;
      if (hasFallback !== undefined) return fallback ?? "";
      throw new InterpolationError(`config ${path.join(".") || "(root)"}: environment variable ${name} is not set`);
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, [...path, String(i)]));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolate(v, env, [...path, k]);
    return out;
  }
  return value;
}

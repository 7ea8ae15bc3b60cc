// A tenant's `allowed_models`: catalog ids, `<provider>/<model>` names and globs of either (`openai/*`,
// `anthropic/claude-haiku-*`, `gpt-4o*`). A name the list matches allows every deployment of the model;
// otherwise only the deployments whose `<provider>/<upstream model>` it matches are allowed.
import type { CatalogModel, Deployment } from "../core/catalog-model";
import { compileGlob } from "../config/model-patterns";

const compiled = new Map<string, (name: string) => boolean>();

function matcher(glob: string): (name: string) => boolean {
  let m = compiled.get(glob);
  if (!m) {
    m = compileGlob(glob);
    // Tenant lists are config or admin-set: a bounded set of globs in practice; the cap keeps it so.
    if (compiled.size < 10_000) compiled.set(glob, m);
  }
  return m;
}

function allows(allowed: readonly string[], name: string): boolean {
  return allowed.some((g) => matcher(g)(name));
}

/** The deployments of `model` (reached by the name `name`) that a tenant with this list may use. */
export function allowedDeployments(allowed: readonly string[] | undefined, name: string, model: CatalogModel): Deployment[] {
  if (!allowed || allows(allowed, name)) return model.deployments;
  return model.deployments.filter((d) => allows(allowed, `${d.provider.id}/${d.model}`));
}

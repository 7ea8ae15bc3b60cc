// GET /docs (the self-contained Redoc page built by apps/docs) and GET /openapi.json.
import { readFile } from "node:fs/promises";
import { Router as ExpressRouter } from "express";

export interface DocsDeps {
  openapiDocument: Record<string, unknown>;
  /** Path of the built docs page; read once, on first request, and cached. */
  docsHtmlPath?: string;
}

export function docsRoutes(deps: DocsDeps): ExpressRouter {
  const r = ExpressRouter();
  const specJson = JSON.stringify(deps.openapiDocument);
  let html: Promise<string | undefined> | undefined;
  r.get("/openapi.json", (_req, res) => {
    res.type("application/json").send(specJson);
  });
  r.get(["/docs", "/docs/"], async (_req, res) => {
    html ??= deps.docsHtmlPath ? readFile(deps.docsHtmlPath, "utf8").catch(() => undefined) : Promise.resolve(undefined);
    const page = await html;
    if (!page) {
      res.status(404).json({ error: { message: "the docs page is not built: run `pnpm build`", type: "not_found_error", code: "docs_not_built", param: null } });
      return;
    }
    res.type("html").send(page);
  });
  return r;
}

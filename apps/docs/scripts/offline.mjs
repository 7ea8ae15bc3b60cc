// Redoc's sidebar badge loads its logo from cdn.redoc.ly even with --inlineBundle: offline, that is a failed request
// and a console error. The logo is inlined instead, so the page fetches nothing beyond itself.
import { readFileSync, writeFileSync } from "node:fs";

const CDN_LOGOS = ["https://cdn.redoc.ly/redoc/logo-mini-full.svg", "https://cdn.redoc.ly/redoc/logo-mini.svg"];
const LOGO =
  "data:image/svg+xml," +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" width="56" height="14"><text x="0" y="11" font-family="sans-serif" font-size="11" fill="#6b7280">Redocly</text></svg>',
  );

export function offline(htmlPath) {
  let html = readFileSync(htmlPath, "utf8");
  for (const url of CDN_LOGOS) html = html.split(url).join(LOGO);
  const left = html.match(/https:\/\/cdn\.redoc\.ly\/[^"'`\s)]*/g);
  if (left) throw new Error(`the docs page still loads from the CDN: ${[...new Set(left)].join(", ")}`);
  writeFileSync(htmlPath, html);
}

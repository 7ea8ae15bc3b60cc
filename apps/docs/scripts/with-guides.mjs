// The guides become Redoc "trait tags": tags that carry only a description and appear in the navigation as
// pages. x-tagGroups puts them under "Guides" and every tag of the contract under "Reference".
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** guides/*.md in file-name order; each file's first `# Title` line is its name, the rest its body. */
export function readGuides(dir) {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((file) => {
      const text = readFileSync(join(dir, file), "utf8");
      const match = /^#\s+(.+)\r?\n/.exec(text);
      if (!match) throw new Error(`${file}: a guide must start with a "# Title" line`);
      return { name: match[1].trim(), body: inlineImages(dir, text.slice(match[0].length).trim()) };
    });
}

/** `![alt](file.png)` next to the guides becomes a data: URL, so the docs page stays one offline file. */
function inlineImages(dir, body) {
  return body.replace(/!\[([^\]]*)\]\(([\w.-]+\.png)\)/g, (_m, alt, file) => `![${alt}](data:image/png;base64,${readFileSync(join(dir, file)).toString("base64")})`);
}

/** A copy of `spec` with the guides added before its own tags. */
export function withGuides(spec, guides) {
  const doc = structuredClone(spec);
  const declared = (doc.tags ?? []).map((t) => t.name);
  // A tag used by an operation but not declared at the root would vanish under x-tagGroups: keep it listed.
  const used = [];
  for (const item of Object.values(doc.paths ?? {})) {
    for (const method of METHODS) for (const tag of item?.[method]?.tags ?? []) if (!used.includes(tag)) used.push(tag);
  }
  const reference = [...declared, ...used.filter((t) => !declared.includes(t))];
  const clash = guides.find((g) => reference.includes(g.name));
  if (clash) throw new Error(`the guide "${clash.name}" has the name of a tag of the contract`);
  doc.tags = [...guides.map((g) => ({ name: g.name, description: g.body, "x-traitTag": true })), ...(doc.tags ?? [])];
  doc["x-tagGroups"] = [
    { name: "Guides", tags: guides.map((g) => g.name) },
    { name: "Reference", tags: reference },
  ];
  return doc;
}

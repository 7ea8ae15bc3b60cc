// Tiles and tables, built with DOM calls (textContent: a tenant or model name is never parsed as HTML).
import type { Summary } from "./api";

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el as T;
}

export function tiles(id: string, items: [label: string, value: string, note?: string][]): void {
  const box = byId(id);
  box.replaceChildren(
    ...items.map(([label, value, note]) => {
      const t = document.createElement("div");
      t.className = "tile";
      const small = document.createElement("small");
      small.textContent = label;
      const b = document.createElement("b");
      b.textContent = value;
      t.append(small, b);
      if (note) {
        const n = document.createElement("small");
        n.textContent = note;
        t.append(n);
      }
      return t;
    }),
  );
}

export type Cell = string | { text: string; className?: string; badge?: string };

export function table(id: string, head: string[], rows: Cell[][], empty: string): void {
  const t = byId<HTMLTableElement>(id);
  const thead = document.createElement("thead");
  const hr = document.createElement("tr");
  for (const h of head) {
    const th = document.createElement("th");
    th.textContent = h;
    hr.append(th);
  }
  thead.append(hr);
  const tbody = document.createElement("tbody");
  if (!rows.length) {
    const tr = document.createElement("tr");
    const td = document.createElement("td");
    td.colSpan = head.length;
    td.className = "none";
    td.textContent = empty;
    tr.append(td);
    tbody.append(tr);
  }
  for (const row of rows) {
    const tr = document.createElement("tr");
    for (const cell of row) {
      const td = document.createElement("td");
      if (typeof cell === "string") td.textContent = cell;
      else if (cell.badge) {
        const span = document.createElement("span");
        span.className = `badge ${cell.badge}`;
        span.textContent = cell.text;
        td.append(span);
      } else {
        td.textContent = cell.text;
        if (cell.className) td.className = cell.className;
      }
      tr.append(td);
    }
    tbody.append(tr);
  }
  t.replaceChildren(thead, tbody);
}

export const total = (r: Summary["recent"]["requests"]): number => r["2xx"] + r["3xx"] + r["4xx"] + r["5xx"];

import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs build helper without declarations
import { readGuides } from "../scripts/with-guides.mjs";
import { findChromium } from "./find-chromium";
import { startGateway, type GatewayProcess } from "./gateway-process";

const here = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);
const spec = JSON.parse(readFileSync(require.resolve("@runestone/contract/openapi.json"), "utf8"));
const guides: { name: string; body: string }[] = readGuides(join(here, "guides"));
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** Every operation of the bundled contract, as the docs page must list it. */
const operations: { operationId: string; summary: string; tag: string; label: string }[] = Object.entries(
  spec.paths as Record<string, Record<string, { operationId: string; summary: string; tags?: string[] }>>,
).flatMap(([path, item]) =>
  METHODS.filter((m) => item[m]).map((m) => ({
    operationId: item[m]!.operationId,
    summary: item[m]!.summary,
    tag: item[m]!.tags?.[0] ?? "",
    label: `${m.toUpperCase()} ${path}`,
  })),
);

let gateway: GatewayProcess;
let profile: string;
let context: BrowserContext;
let page: Page;
const consoleErrors: string[] = [];
const offsiteRequests: string[] = [];

beforeAll(async () => {
  const executablePath = findChromium(); // first: without a browser, one clear error and nothing started
  gateway = await startGateway({ RUNESTONE_DOCS_HTML: join(here, "dist", "index.html") });
  profile = mkdtempSync(join(tmpdir(), "runestone-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (msg) => {
    if (msg.type() === "error") consoleErrors.push(msg.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(`uncaught: ${error.message}`));
  // The page must work offline: anything it fetches beyond the gateway is refused and reported.
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(gateway.url) || url.startsWith("data:") || url.startsWith("blob:")) return route.continue();
    offsiteRequests.push(url);
    return route.abort();
  });
  const response = await page.goto(`${gateway.url}/docs`, { waitUntil: "load", timeout: 30_000 });
  expect(response?.status()).toBe(200);
  await page.waitForSelector('[data-testid="menu-item-label"]', { state: "attached", timeout: 30_000 });
});

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await gateway?.stop();
});

/** The text of every link in the page's navigation, with its target. */
async function navigation(): Promise<{ href: string; text: string }[]> {
  return page.$$eval("a[href]", (links) =>
    links.map((a) => ({ href: a.getAttribute("href") ?? "", text: (a.textContent ?? "").replace(/\s+/g, " ").trim() })),
  );
}

/** Opens the navigation entry whose label is exactly `name` (a tag or a guide). */
async function open(name: string): Promise<void> {
  await page.locator(`[data-testid="menu-item-label"] [data-text="${name}"]`).first().click();
}

describe("the docs site served at /docs", () => {
  it("lists every operation of the contract under its tag, by summary", async () => {
    expect(operations.length).toBeGreaterThan(0);
    const tags = [...new Set(operations.map((op) => op.tag))];
    const links: { href: string; text: string }[] = [];
    // Opening a tag may close another, so each tag's entries are read while it is open.
    for (const tag of tags) {
      await open(tag);
      // Every entry of the tag, not just the first: on a loaded machine the rest can render a moment later.
      for (const op of operations.filter((o) => o.tag === tag)) {
        await page.waitForSelector(`a[href$="/${op.operationId.toLowerCase()}"]`, { state: "attached", timeout: 10_000 }).catch(() => undefined);
      }
      links.push(...(await navigation()));
    }
    const missing = operations.filter(
      (op) => !links.some((l) => l.href.endsWith(`/${op.operationId.toLowerCase()}`) && l.text.includes(op.summary)),
    );
    expect(missing.map((op) => `${op.label} (${op.operationId}: ${op.summary})`)).toEqual([]);
  });

  it("opens an operation's page with its summary as the title", async () => {
    const op = operations[0]!;
    await page.locator(`a[href$="/${op.operationId.toLowerCase()}"]`).first().click();
    await expect.poll(() => page.locator("h1, h2").filter({ hasText: op.summary }).count(), { timeout: 10_000 }).toBeGreaterThan(0);
  });

  it("shows the guides before the reference, each rendering its text", async () => {
    const labels = (await navigation()).map((l) => l.text);
    const firstGuide = labels.indexOf(guides[0]!.name);
    expect(firstGuide).toBeGreaterThanOrEqual(0);
    expect(firstGuide).toBeLessThan(labels.indexOf(operations[0]!.tag));
    for (const guide of guides) {
      await open(guide.name);
      const firstLine = guide.body.split("\n")[0]!.replace(/[`*]/g, "").split(/[.:(]/)[0]!.trim();
      await expect
        .poll(() => page.evaluate(() => document.body.innerText.replace(/\s+/g, " ")), { timeout: 10_000 })
        .toContain(firstLine);
    }
    // The screenshot shows the first guide with the navigation open.
    await open(guides[0]!.name);
    await page.waitForTimeout(500);
    mkdirSync(join(here, "test-results"), { recursive: true });
    await page.screenshot({ path: join(here, "test-results", "docs.png") });
  });

  it("logs no console errors and fetches nothing from outside the gateway", () => {
    expect(consoleErrors).toEqual([]);
    expect(offsiteRequests).toEqual([]);
  });
});

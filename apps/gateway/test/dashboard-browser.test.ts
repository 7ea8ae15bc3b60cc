// The dashboard in a real headless Chromium (found and launched as the docs site's browser test does),
// after traffic through the gateway: it shows the tenants, models and deployments that were called, draws
// its uPlot charts, logs no console errors and fetches nothing from elsewhere. With metrics.access: admin
// it asks for the key and keeps it in session storage, never in a URL. Leaves a screenshot for the guide.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { findChromium } from "../../docs/test/find-chromium";
import { ADMIN_KEY, dashboardConfigYaml, sendTraffic, type Traffic } from "./dashboard-harness";
import { startHarness, type Harness } from "./harness";

const results = fileURLToPath(new URL("../test-results/", import.meta.url));
const CHARTS = 6;

let context: BrowserContext;
let profile: string;

beforeAll(async () => {
  const executablePath = findChromium(); // first: without a browser, one clear error and nothing started
  profile = mkdtempSync(join(tmpdir(), "runestone-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** A fresh tab that records console errors, every URL it asks for, and refuses anything beyond the gateway. */
async function openTab(gatewayUrl: string): Promise<{ page: Page; errors: string[]; urls: string[]; offsite: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  const urls: string[] = [];
  const offsite: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(msg.text());
  });
  page.on("pageerror", (error) => errors.push(`uncaught: ${error.message}`));
  page.on("request", (req) => urls.push(req.url()));
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(gatewayUrl) || url.startsWith("data:") || url.startsWith("blob:")) return route.continue();
    offsite.push(url);
    return route.abort();
  });
  return { page, errors, urls, offsite };
}

// Code run in the page is passed as strings: the gateway's TypeScript settings have no DOM types.
const REFRESHES = "Number(document.body.dataset.refreshes || 0)";
const refreshes = (page: Page) => page.evaluate<number>(REFRESHES);

describe("the dashboard page after traffic", () => {
  let h: Harness;
  let traffic: Traffic;
  let tab: Awaited<ReturnType<typeof openTab>>;

  beforeAll(async () => {
    h = await startHarness({ configYaml: (u) => dashboardConfigYaml(u) });
    traffic = await sendTraffic(h.url, h.upstream);
    tab = await openTab(h.url);
    const res = await tab.page.goto(`${h.url}/dashboard`, { waitUntil: "load", timeout: 30_000 });
    expect(res?.status()).toBe(200);
    // Polled with evaluate, not waitForFunction: Playwright builds that predicate with `new Function` inside the
    // page, which the dashboard's CSP (no 'unsafe-eval') refuses on some Chromium builds.
    await vi.waitFor(async () => expect(await refreshes(tab.page)).toBeGreaterThan(0), { timeout: 20_000, interval: 100 });
  });
  afterAll(async () => {
    await tab?.page.close();
    traffic?.release();
    await h?.close();
  });

  it("shows the tenants and models that were called, the failing deployment and the queued tenant", async () => {
    const text = (id: string) => tab.page.locator(`#${id}`).innerText();
    const tenants = await text("by-tenant");
    expect(tenants).toContain("acme");
    expect(tenants).toContain("globex");
    const models = await text("by-model");
    for (const m of ["gpt-4o-mini", "mock-echo", "flaky"]) expect(models).toContain(m);
    const health = await text("deployments");
    expect(health).toMatch(/openai\s+broken-model::status=500\s+open/);
    expect(health).toMatch(/backup\s+gpt-4o-mini\s+closed/);
    expect(await text("queue-tenants")).toMatch(/initech\s+1/);
    // acme has spent a fraction of a cent of its $5 a day, and has nothing in flight.
    expect(await text("budgets")).toMatch(/acme\s+\(tenant\)\s+\$5\.00 \/ day\s+\$0\.0\d+\s+\$0\s+\$[45]\.\d\d\s+\d{4}-\d\d-\d\d 00:00/);
    expect(await text("traffic-tiles")).toMatch(/requests \/ min/);
  });

  it("draws every chart with uPlot on canvases of a real size", async () => {
    const drawn = await tab.page.evaluate<{ charts: number; roots: number; canvases: { w: number; h: number; cssW: number }[] }>(`({
      charts: Number(document.body.dataset.charts),
      roots: document.querySelectorAll(".uplot").length,
      canvases: [...document.querySelectorAll(".uplot canvas")].map((c) => ({ w: c.width, h: c.height, cssW: c.getBoundingClientRect().width })),
    })`);
    expect(drawn.charts).toBe(CHARTS);
    expect(drawn.roots).toBe(CHARTS);
    expect(drawn.canvases).toHaveLength(CHARTS);
    for (const c of drawn.canvases) {
      expect(c.w).toBeGreaterThan(100);
      expect(c.h).toBeGreaterThan(100);
      expect(c.cssW).toBeGreaterThan(100);
    }
  });

  it("refreshes by itself, and leaves a screenshot for the docs guide", async () => {
    const seen = await refreshes(tab.page);
    await expect.poll(() => refreshes(tab.page), { timeout: 20_000 }).toBeGreaterThan(seen);
    mkdirSync(results, { recursive: true });
    await tab.page.screenshot({ path: join(results, "dashboard.png"), fullPage: true });
  });

  it("logs no console errors and fetches nothing from outside the gateway", () => {
    expect(tab.errors).toEqual([]);
    expect(tab.offsite).toEqual([]);
  });
});

describe("the dashboard page with metrics.access: admin", () => {
  let h: Harness;
  let tab: Awaited<ReturnType<typeof openTab>>;

  beforeAll(async () => {
    h = await startHarness({ configYaml: (u) => dashboardConfigYaml(u, "metrics: { access: admin }") });
    tab = await openTab(h.url);
  });
  afterAll(async () => {
    await tab?.page.close();
    await h?.close();
  });

  it("asks for the admin key, keeps it in session storage and never puts it in a URL", async () => {
    const { page } = tab;
    await page.goto(`${h.url}/dashboard`, { waitUntil: "load", timeout: 30_000 });
    await page.locator("#key-form").waitFor({ state: "visible", timeout: 10_000 });
    expect(await page.locator("#board").isVisible()).toBe(false);
    // Nothing was asked for before the key was given.
    expect(tab.urls.filter((u) => u.includes("/dashboard/"))).toEqual([]);

    await page.fill("#key-input", "sk-not-the-admin-key-000000");
    await page.click("#key-form button");
    await expect.poll(() => page.locator("#key-error").innerText(), { timeout: 10_000 }).toMatch(/refused/);
    expect(await page.evaluate<number>("sessionStorage.length")).toBe(0);

    await page.fill("#key-input", ADMIN_KEY);
    await page.click("#key-form button");
    await expect.poll(() => refreshes(page), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await page.locator("#board").isVisible()).toBe(true);
    expect(await page.evaluate<string[]>("Object.values(sessionStorage)")).toEqual([ADMIN_KEY]);

    // A reload keeps the tab's key: no second prompt.
    await page.reload({ waitUntil: "load" });
    await expect.poll(() => refreshes(page), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await page.locator("#key-form").isVisible()).toBe(false);

    expect(page.url()).not.toContain(ADMIN_KEY);
    expect(tab.urls.length).toBeGreaterThan(2);
    expect(tab.urls.filter((u) => u.includes(ADMIN_KEY) || u.includes("not-the-admin"))).toEqual([]);
    expect(tab.offsite).toEqual([]);
    // The only console errors are the browser's own notes on the refused key's 401s.
    expect(tab.errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
  });
});

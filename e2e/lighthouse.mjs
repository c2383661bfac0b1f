// Lighthouse figures for the closing note (not a CI gate): performance and accessibility, mobile
// profile (Lighthouse's default: Moto G-class screen, simulated slow 4G and 4× CPU slowdown), on
// the invoice list and the editor, in Debian Chromium signed in as a user. Lighthouse's Node API
// attaches to that browser through its remote-debugging port and keeps its storage (the token).
// Usage: node e2e/lighthouse.mjs BASE_URL EMAIL PASSWORD   (build the app with app/build --release)
// Installs npm lighthouse into e2e/.lighthouse on first use (no browser download).
import { chromium } from "playwright-core";
import { signIn, newInvoice } from "./app.mjs";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const lhDir = join(here, ".lighthouse");
if (!existsSync(join(lhDir, "node_modules", "lighthouse"))) {
  mkdirSync(lhDir, { recursive: true });
  execFileSync("npm", ["install", "--silent", "--no-audit", "--no-fund", "--prefix", lhDir, "lighthouse@13.5.0"], { stdio: "inherit" });
}
const require = createRequire(join(lhDir, "package.json"));
const lighthouse = (await import(require.resolve("lighthouse"))).default;

const [base, email, password] = process.argv.slice(2);
const port = 9333;
const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "hoadon-lh-")), {
  executablePath: "/usr/bin/chromium",
  args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", `--remote-debugging-port=${port}`],
});
const page = await context.newPage();
await signIn(page, base, email, password);
await newInvoice(page);
const editor = page.url();

const artifacts = join(here, "artifacts");
mkdirSync(artifacts, { recursive: true });
for (const [name, url] of [["invoice list", base + "/invoices"], ["editor", editor]]) {
  const result = await lighthouse(url, {
    port, output: "html", logLevel: "error", disableStorageReset: true,
    onlyCategories: ["performance", "accessibility"],
  });
  const c = result.lhr.categories;
  const a = result.lhr.audits;
  writeFileSync(join(artifacts, `lighthouse-${name.replace(" ", "-")}.html`), result.report);
  console.log(`${name}: performance ${Math.round(c.performance.score * 100)}, accessibility ${Math.round(c.accessibility.score * 100)}` +
    ` (FCP ${a["first-contentful-paint"].displayValue}, LCP ${a["largest-contentful-paint"].displayValue},` +
    ` TBT ${a["total-blocking-time"].displayValue}, CLS ${a["cumulative-layout-shift"].displayValue})`);
  for (const [id, audit] of Object.entries(a)) {
    if (audit.score !== null && audit.score < 1 && c.accessibility.auditRefs.some((r) => r.id === id && r.weight > 0))
      console.log(`  accessibility: ${id}: ${audit.title}`);
  }
}
await context.close();

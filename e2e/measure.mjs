// Measurements for the closing note (not a test): time from a keystroke in a line's quantity
// to the updated total on a 50-line invoice, in headless Chromium against the local server.
// Usage: node e2e/measure.mjs BASE_URL EMAIL PASSWORD
import { chromium } from "playwright-core";
import { signIn, newInvoice } from "./app.mjs";

const [base, email, password] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
const page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
await signIn(page, base, email, password);
await newInvoice(page);
for (let i = 0; i < 50; i++) {
  if (i > 0) await page.getByRole("button", { name: "Thêm dòng" }).click();
  await page.locator(`[id="lines[${i}].name"]`).fill(`Hàng ${i + 1}`);
  await page.locator(`[id="lines[${i}].unit"]`).fill("Cái");
  await page.locator(`[id="lines[${i}].quantity"]`).fill("1");
  await page.locator(`[id="lines[${i}].unit_price"]`).fill(String(10000 + i * 137));
  await page.locator(`[id="lines[${i}].tax_rate"]`).selectOption(i % 2 ? "8%" : "10%");
}
// In the page: type one digit into line 25's quantity; time until #total's text changes
// (the DOM updated; painting follows at the next frame).
const samples = await page.evaluate(async () => {
  const input = document.getElementById("lines[25].quantity");
  const total = document.getElementById("total");
  const out = [];
  for (let k = 0; k < 40; k++) {
    const before = total.textContent;
    const t0 = performance.now();
    input.value = String(2 + (k % 7));
    input.dispatchEvent(new Event("input", { bubbles: true }));
    while (total.textContent === before) await new Promise((r) => setTimeout(r, 0));
    out.push(performance.now() - t0);
  }
  return out;
});
samples.sort((a, b) => a - b);
const pct = (p) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))].toFixed(1);
console.log(`keystroke → total on 50 lines: median ${pct(0.5)} ms, p90 ${pct(0.9)} ms, max ${pct(1)} ms (n=${samples.length})`);
await browser.close();

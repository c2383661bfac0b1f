// hoadon's browser tests. Starts the local server (target/debug/hoadon-server, app/dist) on a
// free port with a fresh data directory, drives Debian Chromium headless through playwright-core,
// and ends with one line "N passed, N failed". Screenshots go to e2e/artifacts/.
import { chromium } from "playwright-core";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import net from "node:net";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const artifacts = join(root, "e2e", "artifacts");
mkdirSync(artifacts, { recursive: true });

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

async function startServer() {
  const data = mkdtempSync(join(tmpdir(), "hoadon-e2e-"));
  const port = await freePort();
  const child = spawn(join(root, "target/debug/hoadon-server"),
    ["--data", data, "--port", String(port), "--app", join(root, "app/dist")],
    { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  const password = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("server did not start: " + out)), 30000);
    child.stdout.on("data", (b) => {
      out += b;
      const m = out.match(/with password (\S+)/);
      if (m && out.includes("listening")) { clearTimeout(timer); resolve(m[1]); }
    });
  });
  return { child, data, port, password, base: `http://127.0.0.1:${port}` };
}

const results = [];
async function test(name, fn) {
  try { await fn(); results.push([name, true]); console.log(`ok   ${name}`); }
  catch (e) { results.push([name, false]); console.log(`FAIL ${name}\n     ${e.stack || e}`); }
}
function assert(cond, msg) { if (!cond) throw new Error(msg); }

const server = await startServer();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

async function signIn(page) {
  await page.goto(server.base + "/");
  await page.getByLabel("Thư điện tử").fill("admin@demo.local");
  await page.getByLabel("Mật khẩu").fill(server.password);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.getByRole("heading", { name: "Hóa đơn mới" }).waitFor();
}

async function fillSellerAndBuyer(page, buyerTaxId) {
  await page.locator("#seller\\.name").fill("Công ty TNHH Thiết bị Văn phòng An Phát");
  await page.locator("#seller\\.tax_id").fill("0109998883");
  await page.locator("#seller\\.address").fill("12 Phố Huế, Hà Nội");
  await page.locator("#buyer\\.name").fill("Công ty Cổ phần Giải pháp Số Bình Minh");
  await page.locator("#buyer\\.tax_id").fill(buyerTaxId);
  await page.locator("#buyer\\.address").fill("45 Nguyễn Huệ, TP. Hồ Chí Minh");
}

async function line(page, i, { name, unit, quantity, price, rate }) {
  await page.locator(`[id="lines[${i}].name"]`).fill(name);
  if (unit !== undefined) await page.locator(`[id="lines[${i}].unit"]`).fill(unit);
  await page.locator(`[id="lines[${i}].quantity"]`).fill(quantity);
  await page.locator(`[id="lines[${i}].unit_price"]`).fill(price);
  await page.locator(`[id="lines[${i}].tax_rate"]`).selectOption(rate);
}

for (const [label, viewport] of [["phone", { width: 390, height: 844 }], ["desktop", { width: 1366, height: 900 }]]) {
  await test(`${label}: sign in, two tax rates, totals on screen = signed XML, issue, XML verifies with xmlsec1`, async () => {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    await signIn(page);
    await fillSellerAndBuyer(page, "0312345673");
    await line(page, 0, { name: "Máy tính xách tay", unit: "Chiếc", quantity: "2", price: "18500000", rate: "10%" });
    await page.getByRole("button", { name: "Thêm dòng" }).click();
    await line(page, 1, { name: "Giấy in A4", unit: "Ram", quantity: "10", price: "72000", rate: "8%" });
    // 37,000,000 + 10 % and 720,000 + 8 %: 37,720,000 net, 3,757,600 VAT, 41,477,600 in all.
    await page.locator("#total").filter({ hasText: "41.477.600" }).waitFor();
    const words = await page.locator("#words").textContent();
    assert(words.startsWith("Bốn mươi mốt triệu"), "words: " + words);
    await page.screenshot({ path: join(artifacts, `editor-${label}.png`), fullPage: true });
    await page.getByRole("button", { name: "Phát hành" }).click();
    await page.locator("#download").waitFor({ timeout: 20000 });
    const status = await page.locator(".status").textContent();
    assert(/số \d+/.test(status), "status: " + status);
    const href = await page.locator("#download").getAttribute("href");
    const xml = decodeURIComponent(href.slice(href.indexOf(",") + 1));
    const total = xml.match(/<TgTTTBSo>([^<]+)<\/TgTTTBSo>/)[1];
    const xmlWords = xml.match(/<TgTTTBChu>([^<]+)<\/TgTTTBChu>/)[1];
    assert(total === "41477600", "XML total " + total);
    assert(xmlWords === words, `XML words ${xmlWords} vs screen ${words}`);
    const file = join(artifacts, `issued-${label}.xml`);
    writeFileSync(file, xml);
    // xmlsec1 trusts exactly the tenant's certificate (the local system keeps it in data/keys).
    execFileSync("xmlsec1", ["--verify", "--id-attr:Id", "DLHDon", "--pubkey-cert-pem",
      join(server.data, "keys", "demo", "cert.pem"), "--enabled-key-data", "key-name", file], { stdio: "pipe" });
    await page.screenshot({ path: join(artifacts, `issued-${label}.png`), fullPage: true });
    await context.close();
  });
}

await test("validation: an invalid tax id and a missing unit show their messages at their fields", async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await signIn(page);
  await fillSellerAndBuyer(page, "0312345670"); // wrong check digit
  await line(page, 0, { name: "Dịch vụ bảo trì", quantity: "1", price: "500000", rate: "10%" });
  const taxMsg = page.locator("#buyer\\.tax_id-msg");
  await taxMsg.filter({ hasText: /\S/ }).waitFor();
  const unitMsg = page.locator('[id="lines[0].unit"] ~ .msg');
  await unitMsg.filter({ hasText: /\S/ }).waitFor();
  assert((await page.locator("#buyer\\.tax_id").getAttribute("aria-invalid")) === "true", "aria-invalid");
  await page.getByRole("button", { name: "English" }).click();
  const en = await taxMsg.textContent();
  assert(/tax/i.test(en), "English message: " + en);
  await page.screenshot({ path: join(artifacts, "validation-phone.png"), fullPage: true });
  await context.close();
});

await browser.close();
server.child.kill();
rmSync(server.data, { recursive: true, force: true });
const passed = results.filter(([, ok]) => ok).length;
console.log(`${passed} passed, ${results.length - passed} failed`);
process.exit(results.length === passed ? 0 : 1);

// hoadon's browser tests. Starts the local server (target/debug/hoadon-server, app/dist) on a
// free port with a fresh data directory, drives Debian Chromium headless through playwright-core,
// and ends with one line "N passed, N failed". Screenshots go to e2e/artifacts/.
import { chromium } from "playwright-core";
import { signIn as appSignIn, newInvoice } from "./app.mjs";
import { authorityEnabled, authorityScenario } from "./authority.mjs";
import { tokenScenario } from "./token.mjs";
import { certificatesScenario } from "./certificates.mjs";
import { replaceOnPhone, adjustOnDesktop } from "./corrections.mjs";
import { deliveryScenario } from "./delivery.mjs";
import { booksScenario } from "./books.mjs";
import { ordersScenario } from "./orders.mjs";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, cpSync } from "node:fs";
import { createHash } from "node:crypto";
import http from "node:http";
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

const serverBin = join(root, "target/debug/hoadon-server");

// A second user of the demo tenant, made before the server starts (the API has no way to add
// one): `hoadon-server add-user EMAIL --role ROLE --data DIR` prints `password: <pw>`.
function addUser(data, email, role) {
  try {
    const out = execFileSync(serverBin, ["add-user", email, "--role", role, "--data", data], { cwd: root, encoding: "utf8", stdio: "pipe" });
    return out.match(/password: (\S+)/)?.[1] ?? null;
  } catch (e) {
    console.log(`     add-user ${email} failed: ${e.stderr || e.message}`);
    return null;
  }
}

/// A real SMTP server on loopback (aiosmtpd, `functions/mail/tests/support/smtp_sink.py`) keeping
/// each e-mail the server sends as a file in `dir` — when `functions/dev test` installed it.
async function startMailbox() {
  const python = process.env.HOADON_SMTP_PYTHON;
  if (!python) return null;
  const dir = mkdtempSync(join(tmpdir(), "hoadon-e2e-mail-"));
  const port = await freePort();
  const child = spawn(python, [join(root, "functions/mail/tests/support/smtp_sink.py"), String(port), dir],
    { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the SMTP sink did not start")), 30000);
    child.stdout.on("data", (b) => { if (String(b).includes("ready")) { clearTimeout(timer); resolve(); } });
  });
  return { child, dir, port };
}

async function startServer(app = join(root, "app/dist"), users = [], mailbox = null) {
  const data = mkdtempSync(join(tmpdir(), "hoadon-e2e-"));
  const passwords = Object.fromEntries(users.map(([email, role]) => [email, addUser(data, email, role)]));
  const port = await freePort();
  const child = spawn(serverBin,
    ["--data", data, "--port", String(port), "--app", app,
      ...(mailbox ? ["--smtp", `127.0.0.1:${mailbox.port}`] : [])],
    // Warnings and errors only: one log line per request would bury the scenarios' lines.
    { cwd: root, stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, HOADON_LOG: process.env.HOADON_LOG ?? "warn" } });
  let out = "";
  const password = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("server did not start: " + out)), 30000);
    child.stdout.on("data", (b) => {
      out += b;
      const m = out.match(/with password (\S+)/);
      if (m && out.includes("listening")) { clearTimeout(timer); resolve(m[1]); }
    });
  });
  return { child, data, port, password, passwords, mailbox, base: `http://127.0.0.1:${port}` };
}

const results = [];
// HOADON_E2E_ONLY=text runs only the scenarios whose name contains it (while working on one).
const only = process.env.HOADON_E2E_ONLY;
async function test(name, fn) {
  if (only && !name.includes(only)) return;
  try { await fn(); results.push([name, true]); console.log(`ok   ${name}`); }
  catch (e) {
    results.push([name, false]);
    console.log(`FAIL ${name}\n     ${e.stack || e}`);
    // What the page showed when it failed.
    for (const [i, page] of browser.contexts().flatMap((c) => c.pages()).entries()) {
      await page.screenshot({ path: join(artifacts, `failed-${results.length}-${i}.png`), fullPage: true }).catch(() => {});
      console.log(`     page ${i}: ${page.url()}: ${(await page.locator("main").innerText().catch(() => "")).slice(0, 600).replace(/\n+/g, " | ")}`);
    }
  }
  for (const c of browser.contexts()) await c.close().catch(() => {});
}
function assert(cond, msg) { if (!cond) throw new Error(msg); }
async function eventually(check, msg, ms = 20000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out: " + msg);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const userB = "userb@demo.local";
const mailbox = await startMailbox();
const server = await startServer(undefined, [[userB, "sales"]], mailbox);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

const yy = String(new Date().getFullYear() % 100).padStart(2, "0");

const signIn = (page) => appSignIn(page, server.base, "admin@demo.local", server.password);

/// The API as another device would use it.
async function api(method, path, { body, headers = {} } = {}) {
  if (!api.token) {
    const r = await fetch(server.base + "/api/login", { method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "admin@demo.local", password: server.password }) });
    api.token = (await r.json()).token;
  }
  const r = await fetch(server.base + path, { method, body: body && JSON.stringify(body),
    headers: { authorization: `Bearer ${api.token}`, "content-type": "application/json", ...headers } });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

// The tenant's company profile: the seller of every invoice (the local key's certificate is
// for this tax id).
const seller = { name: "Công ty TNHH Thiết bị Văn phòng An Phát", tax_id: "0109998883", address: "12 Phố Huế, Hà Nội" };

/** The admin fills the company profile (once per server): a wrong tax id is refused at its field while typing. */
async function fillProfile(page) {
  await page.getByRole("navigation", { name: "Menu chính" }).getByRole("link", { name: "Hồ sơ công ty" }).click();
  await page.getByRole("heading", { name: "Hồ sơ công ty" }).waitFor();
  // Filled already (by the first scenario): the form shows the server's copy.
  if ((await api("GET", "/api/profile")).body.complete) {
    await page.waitForFunction((name) => document.querySelector("#profile-name")?.value === name, seller.name);
    return;
  }
  assert((await page.locator("#profile-tax_id-msg").textContent()) === "", "no message on an untouched field");
  await page.locator("#profile-tax_id").fill("0109998887"); // wrong check digit
  await page.locator("#profile-tax_id-msg").filter({ hasText: /\S/ }).waitFor();
  for (const [k, v] of Object.entries(seller)) await page.locator(`#profile-${k}`).fill(v);
  assert((await page.locator("#profile-tax_id-msg").textContent()) === "", "the message goes with the mistake");
  await page.getByRole("button", { name: "Lưu", exact: true }).click();
  await page.locator("#profile-status", { hasText: "Đã lưu hồ sơ công ty" }).waitFor();
  const { body } = await api("GET", "/api/profile");
  assert(body.complete && body.profile.tax_id === seller.tax_id && body.version >= 1, "profile saved: " + JSON.stringify(body));
}

/** The seller block is the profile's, read-only: no input can change it. */
async function sellerIsTheProfile(page) {
  await page.locator("#seller-name", { hasText: seller.name }).waitFor();
  assert((await page.locator("#seller-tax_id").textContent()) === seller.tax_id, "seller tax id from the profile");
  assert((await page.locator("#seller input, [id^='seller.']").count()) === 0, "no seller input");
  assert((await page.locator("#profile-incomplete").count()) === 0, "the profile is complete");
}

/** A draft as a client may send it: the server-owned parts of a composed document removed. */
function draftOf(doc) {
  const { seller: _s, number: _n, data_id: _d, provider_tax_id: _p, qr_data: _q, authority_code: _a, unknown: _u, ...draft } = doc;
  return draft;
}

async function fillBuyer(page, buyerTaxId) {
  await page.locator("#buyer\\.name").fill("Công ty Cổ phần Giải pháp Số Bình Minh");
  await page.locator("#buyer\\.tax_id").fill(buyerTaxId);
  await page.locator("#buyer\\.address").fill("45 Nguyễn Huệ, TP. Hồ Chí Minh");
}

async function line(page, i, { name, unit, quantity, price, rate }) {
  await page.locator(`[id="lines[${i}].name"]`).fill(name);
  if (unit !== undefined) await page.locator(`[id="lines[${i}].unit"]`).fill(unit);
  if (quantity !== undefined) await page.locator(`[id="lines[${i}].quantity"]`).fill(quantity);
  if (price !== undefined) await page.locator(`[id="lines[${i}].unit_price"]`).fill(price);
  if (rate !== undefined) await page.locator(`[id="lines[${i}].tax_rate"]`).selectOption(rate);
}

async function catalogEntry(page, tab, fields) {
  await page.getByRole("navigation", { name: "Menu chính" }).getByRole("link", { name: "Danh mục" }).click();
  await page.locator(".tabs").getByRole("link", { name: tab }).click();
  await page.getByRole("heading", { name: tab }).waitFor();
  await page.getByRole("button", { name: "Thêm mới" }).click();
  for (const [k, v] of Object.entries(fields)) await page.locator(`#entry-${k}`).fill(v);
  await page.getByRole("button", { name: "Lưu", exact: true }).click();
  await page.locator("table.list td", { hasText: fields.code }).first().waitFor();
}

// The tax authority (#14), once the server has it: first, because issuing coded invoices needs
// the registration it sends (the scenarios below issue C series too).
const withAuthority = await authorityEnabled(api);
if (withAuthority) {
  await test("authority: registration accepted; a coded invoice shows its MCCQT and the TEST marker; the outbox lists it as done", async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    await signIn(page);
    await authorityScenario({ page, api, yy, newInvoice, fillProfile, assert, artifacts });
    await context.close();
  });
  // Whatever happened above, the other scenarios are about other things: let them issue.
  const reg = (await api("GET", "/api/authority/registration")).body;
  if (reg?.state !== "accepted") await api("PUT", "/api/authority/settings", { body: { registered_elsewhere: true } });
} else {
  console.log("skip authority scenario (the server has no /api/authority yet; HOADON_E2E_AUTHORITY=1 forces it)");
}
// Once signed, a C invoice goes on to the authority: sent, then coded.
const issuedStates = withAuthority ? ["Đã ký số", "Đã gửi CQT, chờ cấp mã", "Đã cấp mã"] : ["Đã ký số"];

for (const [label, viewport] of [["phone", { width: 390, height: 844 }], ["desktop", { width: 1366, height: 900 }]]) {
  await test(`${label}: customer, product and series made in the app; invoice from them with two tax rates; screen = signed XML; xmlsec1 verifies`, async () => {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    await signIn(page);
    await fillProfile(page);
    const tag = label.toUpperCase();
    const taxId = label === "phone" ? "0312345673" : "0100109106";
    await catalogEntry(page, "Khách hàng", { code: `KH-${tag}`, name: `Công ty Cổ phần Giải pháp Số Bình Minh ${tag}`,
      tax_id: taxId, address: "45 Nguyễn Huệ, TP. Hồ Chí Minh", email: "ketoan@binhminh.vn" });
    await catalogEntry(page, "Hàng hóa, dịch vụ", { code: `MT-${tag}`, name: `Máy tính xách tay ${tag}`,
      unit: "Chiếc", unit_price: "18500000", tax_rate: "10%" });
    const symbol = label === "phone" ? `C${yy}TPP` : `C${yy}TDD`;
    await page.getByRole("link", { name: "Ký hiệu hóa đơn" }).click();
    await page.locator("#series-symbol").fill(symbol);
    await page.getByRole("button", { name: "Tạo ký hiệu" }).click();
    await page.locator("table.list td", { hasText: symbol }).waitFor();
    await page.screenshot({ path: join(artifacts, `series-${label}.png`), fullPage: true });

    await newInvoice(page);
    // The series is picked from the tenant's registered ones, never typed.
    assert((await page.locator("#symbol").evaluate((e) => e.tagName)) === "SELECT", "the series is a select");
    await page.locator("#symbol").selectOption("1" + symbol);
    await sellerIsTheProfile(page);
    // Type-ahead: diacritics and case do not matter; Enter picks the highlighted customer.
    await page.locator("#buyer\\.name").fill(`giai phap so binh minh ${label}`);
    await page.locator("#buyer\\.name-options [role=option]").first().waitFor();
    await page.locator("#buyer\\.name").press("Enter");
    await page.locator("#buyer\\.tax_id").and(page.locator(`[value="${taxId}"]`)).waitFor();
    const picked = await page.locator("#buyer\\.name").inputValue();
    assert(picked === `Công ty Cổ phần Giải pháp Số Bình Minh ${tag}`, "the picked customer's name is shown: " + picked);
    await page.locator('[id="lines[0].name"]').fill(`may tinh xach tay ${label}`);
    await page.locator('[id="lines[0].name-options"] [role=option]').first().click();
    await page.locator('[id="lines[0].unit_price"][value="18500000"]').waitFor();
    assert((await page.locator('[id="lines[0].name"]').inputValue()) === `Máy tính xách tay ${tag}`, "the picked product's name is shown");
    await page.locator('[id="lines[0].quantity"]').fill("2");
    await page.getByRole("button", { name: "Thêm dòng" }).click();
    await line(page, 1, { name: "Giấy in A4", unit: "Ram", quantity: "10", price: "72000", rate: "8%" });
    // 37,000,000 + 10 % and 720,000 + 8 %: 37,720,000 net, 3,757,600 VAT, 41,477,600 in all.
    await page.locator("#total").filter({ hasText: "41.477.600" }).waitFor();
    const words = await page.locator("#words").textContent();
    assert(words.startsWith("Bốn mươi mốt triệu"), "words: " + words);
    await page.locator('#sync[data-sync="synced"]').waitFor();
    await page.screenshot({ path: join(artifacts, `editor-${label}.png`), fullPage: true });
    await page.getByRole("button", { name: "Phát hành" }).click();
    await page.locator("#download").waitFor({ timeout: 20000 });
    await page.locator("#signature.ok").waitFor();
    const status = await page.locator("#invoice-status").textContent();
    assert(issuedStates.includes(status), "status: " + status);
    await page.locator("#audit-chain.status").waitFor();
    const href = await page.locator("#download").getAttribute("href");
    const xml = decodeURIComponent(href.slice(href.indexOf(",") + 1));
    const total = xml.match(/<TgTTTBSo>([^<]+)<\/TgTTTBSo>/)[1];
    const xmlWords = xml.match(/<TgTTTBChu>([^<]+)<\/TgTTTBChu>/)[1];
    assert(total === "41477600", "XML total " + total);
    assert(xmlWords === words, `XML words ${xmlWords} vs screen ${words}`);
    assert(xml.includes(`<KHHDon>${symbol}</KHHDon>`) && xml.includes("<SHDon>1</SHDon>"), "series and number 1");
    assert(xml.includes(`<MST>${taxId}</MST>`) && xml.includes(`<MHHDVu>MT-${tag}</MHHDVu>`), "buyer and product from the catalogs");
    const file = join(artifacts, `issued-${label}.xml`);
    writeFileSync(file, xml);
    // xmlsec1 trusts exactly the tenant's certificate (the local system keeps it in data/keys).
    execFileSync("xmlsec1", ["--verify", "--id-attr:Id", "DLHDon", "--pubkey-cert-pem",
      join(server.data, "keys", "demo", "cert.pem"), "--enabled-key-data", "key-name", file], { stdio: "pipe" });
    await page.screenshot({ path: join(artifacts, `issued-${label}.png`), fullPage: true });
    await page.getByRole("link", { name: "Hóa đơn", exact: true }).click();
    await page.locator("table.invoices td", { hasText: symbol }).waitFor();
    await page.screenshot({ path: join(artifacts, `invoices-${label}.png`), fullPage: true });
    await page.getByRole("link", { name: "Trang chủ" }).click();
    await page.locator(withAuthority ? "#count-signed, #count-sent, #count-coded" : "#count-signed").filter({ hasText: /[1-9]/ }).first().waitFor();
    await page.screenshot({ path: join(artifacts, `home-${label}.png`), fullPage: true });
    await context.close();
  });
}

await test("certificates: one with the seller's MST registered on the screen and listed with its subject; another MST refused with its code (vi, en); revoked after the confirmation; the cloud key's CSR downloaded, openssl req -verify", async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  await signIn(page);
  await certificatesScenario({ page, api, fillProfile, assert, artifacts, seller });
  await context.close();
});

await test("token mode: a series set to token mode; an invoice issued there awaits the token; bundle export, signing outside, import: signed, xmlsec1 verifies with the token's certificate; withdraw", async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  await signIn(page);
  await tokenScenario({ page, api, yy, newInvoice, fillBuyer, line, fillProfile, assert, artifacts, seller, issuedStates });
  await context.close();
});

// Corrections (#16): replaced on a phone, adjusted (with the buyer's confirmation) on a desktop.
for (const [label, viewport, scenario, what] of [
  ["phone", { width: 390, height: 844 }, replaceOnPhone, "an issued invoice replaced through the app (Corrections → Replace → editor → Issue): the original replaced, the chain both ways, the 04/SS prefilled and sent, the list filter; xmlsec1 verifies"],
  ["desktop", { width: 1366, height: 900 }, adjustOnDesktop, "a business buyer's invoice adjusted down (a negative line): refused until the buyer confirms on the public page without signing in; the original adjusted with its cumulative figures; xmlsec1 verifies"],
]) {
  await test(`corrections (${label}): ${what}`, async () => {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    await signIn(page);
    await fillProfile(page);
    await scenario({ page, browser, api, assert, eventually, artifacts, server, yy, line, coded: withAuthority });
    await context.close();
  });
}

await test("catalog CSV import: every bad row reported with its line, nothing imported", async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  await signIn(page);
  await page.getByRole("navigation", { name: "Menu chính" }).getByRole("link", { name: "Danh mục" }).click();
  await page.getByRole("heading", { name: "Khách hàng" }).waitFor();
  const csv = "code,name,tax_id\nCSV-1,Công ty Một,0100109106\nCSV-2,,0100109106\nCSV-3,Công ty Ba,0109998887\n";
  await page.locator("#import-file").setInputFiles({ name: "khach-hang.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.locator("table.report").waitFor();
  const rows = await page.locator("table.report tbody tr").allTextContents();
  assert(rows.length === 2 && rows[0].startsWith("3name") && rows[1].startsWith("4tax_id"), "report: " + JSON.stringify(rows));
  const { body } = await api("GET", "/api/catalogs/customers?q=CSV-");
  assert(body.items.length === 0, "nothing imported");
  await page.screenshot({ path: join(artifacts, "import-report-desktop.png"), fullPage: true });
  const good = "code,name,tax_id\nCSV-1,Công ty Một,0100109106\nCSV-2,Công ty Hai,\n";
  await page.locator("#import-file").setInputFiles({ name: "ok.csv", mimeType: "text/csv", buffer: Buffer.from(good) });
  await page.locator(".import .status", { hasText: "Đã nhập: 2" }).waitFor();
  await context.close();
});

async function serviceWorkerReady(page) {
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  if (!(await page.evaluate(() => !!navigator.serviceWorker.controller))) await page.reload();
  await page.waitForFunction(() => !!navigator.serviceWorker.controller);
}

/** Signed in as the admin, the app working offline, the editor on a new draft. */
async function newDraftPage(viewport) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await signIn(page);
  await serviceWorkerReady(page);
  await newInvoice(page);
  return { context, page, id: page.url().split("/").pop() };
}

/** Offline, a buyer and one line typed into the open draft, kept on the device. */
async function offlineDraft(context, page, item) {
  await context.setOffline(true);
  await page.locator('#connection[data-online="false"]').waitFor();
  await fillBuyer(page, "0312345673");
  await line(page, 0, item);
  await page.locator('#sync[data-sync="offline"]').waitFor();
}

await test("offline: a draft made offline survives a reload and syncs exactly once when online", async () => {
  const before = (await api("GET", "/api/invoices?limit=200")).body.items.length;
  const { context, page, id } = await newDraftPage({ width: 390, height: 844 });
  await offlineDraft(context, page, { name: "Dịch vụ lắp đặt", unit: "Lần", quantity: "1", price: "1500000", rate: "8%" });
  assert(await page.getByRole("button", { name: "Phát hành" }).isDisabled(), "issue is disabled offline");
  await page.locator("#issue-offline").waitFor();
  await page.reload();
  await page.locator('[id="lines[0].name"][value="Dịch vụ lắp đặt"]').waitFor();
  assert((await page.locator("#buyer\\.tax_id").inputValue()) === "0312345673", "buyer kept");
  await page.locator("#total").filter({ hasText: "1.620.000" }).waitFor();
  await page.locator('#connection[data-waiting="1"]').waitFor();
  await page.screenshot({ path: join(artifacts, "offline-phone.png"), fullPage: true });
  assert((await api("GET", `/api/invoices/${id}`)).status === 404, "the server has nothing yet");
  await context.setOffline(false);
  await page.locator('#sync[data-sync="synced"]').waitFor({ timeout: 20000 });
  await page.locator('#connection[data-waiting="0"]').waitFor();
  // Going off and on again, and a reload, send nothing twice.
  await context.setOffline(true);
  await context.setOffline(false);
  await page.reload();
  await page.locator('#sync[data-sync="synced"]').waitFor();
  const after = (await api("GET", "/api/invoices?limit=200")).body.items;
  assert(after.length === before + 1, `one new record (${before} → ${after.length})`);
  const rec = (await api("GET", `/api/invoices/${id}`)).body;
  assert(rec.version === 1 && rec.document.lines[0].name === "Dịch vụ lắp đặt", JSON.stringify(rec).slice(0, 300));
  await context.close();
});

await test("conflict: a draft edited on the server and offline asks the user, then keeps the chosen version", async () => {
  const { context, page, id } = await newDraftPage({ width: 1366, height: 900 });
  await fillBuyer(page, "0312345673");
  await line(page, 0, { name: "Bảo trì máy in", unit: "Lần", quantity: "1", price: "500000", rate: "10%" });
  await page.locator('#sync[data-sync="synced"]').waitFor({ timeout: 20000 });
  const server = (await api("GET", `/api/invoices/${id}`)).body;
  await context.setOffline(true);
  await page.locator('[id="lines[0].quantity"]').fill("3");
  await page.locator('#sync[data-sync="offline"]').waitFor();
  // Meanwhile, on another device: the buyer's name changes.
  const elsewhere = { ...draftOf(server.document), buyer: { ...server.document.buyer, name: "Tên sửa ở máy khác" } };
  const put = await api("PUT", `/api/invoices/${id}`, { body: elsewhere, headers: { "if-match": String(server.version) } });
  assert(put.status === 200, "edit elsewhere: " + put.status);
  await context.setOffline(false);
  await page.locator("#conflict").waitFor({ timeout: 20000 });
  await page.locator('#sync[data-sync="conflict"]').waitFor();
  const text = await page.locator("#conflict").textContent();
  assert(text.includes("Tên sửa ở máy khác") && text.includes("1.650.000"), "both versions shown: " + text);
  assert((await api("GET", `/api/invoices/${id}`)).body.document.lines[0].quantity === "1", "nothing overwritten silently");
  await page.screenshot({ path: join(artifacts, "conflict-desktop.png"), fullPage: true });
  await page.getByRole("button", { name: "Giữ bản của tôi" }).click();
  await page.locator('#sync[data-sync="synced"]').waitFor({ timeout: 20000 });
  const kept = (await api("GET", `/api/invoices/${id}`)).body;
  assert(kept.document.lines[0].quantity === "3" && kept.version === put.body.version + 1, JSON.stringify(kept).slice(0, 300));
  await context.close();
});

await test("validation: nothing on an untouched form; a touched field's message at once; the rest after Issue", async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await signIn(page);
  await newInvoice(page);
  await page.locator('[id="lines[0].name"]').waitFor();
  const shown = async () => (await page.locator(".editor .msg").allTextContents()).filter((t) => t.trim());
  assert((await shown()).length === 0, "an untouched new form shows no message: " + JSON.stringify(await shown()));
  await page.locator("#buyer\\.tax_id").fill("0312345670"); // wrong check digit
  const taxMsg = page.locator("#buyer\\.tax_id-msg");
  await taxMsg.filter({ hasText: /\S/ }).waitFor();
  await line(page, 0, { name: "Dịch vụ bảo trì", quantity: "1", price: "500000", rate: "10%" });
  await page.locator("#total").filter({ hasText: "550.000" }).waitFor(); // totals are live regardless
  const unitMsg = page.locator('[id="lines[0].unit-msg"]');
  assert((await unitMsg.textContent()) === "", "the unit was not touched yet");
  assert((await page.locator("#buyer\\.name-msg").textContent()) === "", "the buyer's name was not touched yet");
  await page.getByRole("button", { name: "Phát hành" }).click();
  await unitMsg.filter({ hasText: /\S/ }).waitFor();
  await page.locator("#buyer\\.name-msg").filter({ hasText: /\S/ }).waitFor();
  assert((await page.locator("#buyer\\.tax_id").getAttribute("aria-invalid")) === "true", "aria-invalid");
  await page.getByRole("button", { name: "English" }).click();
  const en = await taxMsg.textContent();
  assert(/tax/i.test(en), "English message: " + en);
  await page.screenshot({ path: join(artifacts, "validation-phone.png"), fullPage: true });
  await context.close();
});

await test("shared device: A's unsynced draft is kept for A at sign-out (with a warning), B never sees or syncs it, A finds and syncs it", async () => {
  const passwordB = server.passwords[userB];
  assert(passwordB, "user B exists (hoadon-server add-user)");
  const { context, page, id } = await newDraftPage({ width: 390, height: 844 });
  await offlineDraft(context, page, { name: "Bản nháp của A", unit: "Lần", quantity: "1", price: "100000", rate: "10%" });
  await page.locator('#connection[data-waiting="1"]').waitFor();
  // Signing out asks first; declining keeps A signed in.
  let question = "";
  page.once("dialog", (d) => { question = d.message(); d.dismiss(); });
  await page.getByRole("button", { name: "Đăng xuất" }).click();
  await page.getByRole("heading", { name: "Hóa đơn nháp" }).waitFor();
  assert(question.startsWith("1 ") && question.includes("admin@demo.local"), "the warning names the count and the user: " + question);
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Đăng xuất" }).click();
  await page.getByLabel("Mật khẩu").waitFor();
  await context.setOffline(false);
  // B on the same browser: none of A's drafts, nothing of A's sent.
  let unexpected = "";
  page.on("dialog", (d) => { unexpected = d.message(); d.dismiss(); });
  await appSignIn(page, server.base, userB, passwordB);
  await page.locator('#connection[data-waiting="0"]').waitFor();
  assert((await page.locator("#waiting-drafts").count()) === 0, "B sees none of A's drafts");
  await page.goto(`${server.base}/drafts/${id}`);
  await page.locator('[id="lines[0].name"]').waitFor();
  assert((await page.locator('[id="lines[0].name"]').inputValue()) === "", "A's draft does not open for B");
  await page.waitForTimeout(2500); // longer than a sync pass
  assert((await api("GET", `/api/invoices/${id}`)).status === 404, "B did not sync A's draft");
  await page.getByRole("button", { name: "Đăng xuất" }).click();
  await page.getByLabel("Mật khẩu").waitFor();
  assert(unexpected === "", "B has nothing unsynced, so no warning: " + unexpected);
  page.removeAllListeners("dialog");
  // A again: the draft is there and reaches the server, as A's.
  await signIn(page);
  await eventually(async () => (await api("GET", `/api/invoices/${id}`)).status === 200, "A's draft reaches the server");
  await page.locator('#connection[data-waiting="0"]').waitFor();
  const rec = await api("GET", `/api/invoices/${id}`);
  assert(rec.status === 200 && rec.body.document.lines[0].name === "Bản nháp của A" && rec.body.created_by === "admin@demo.local",
    "A's draft synced as A's: " + JSON.stringify(rec.body).slice(0, 300));
  await context.close();
});

// Delivery (#17): print and PDF on the invoice screen, the public lookup page on a phone.
await test("delivery: a K invoice issued in the app shows Print/Download; its PDF (pdftotext) names the buyer and the number; the public lookup page on a phone finds it by code, verified in the browser, no horizontal scroll", async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  await signIn(page);
  await fillProfile(page);
  await deliveryScenario({ page, browser, api, assert, eventually, artifacts, server, yy, newInvoice, line, coded: withAuthority });
  await context.close();
});

// The books (#18): an invoice of another platform imported, its customer created in place,
// recorded once, exported; the statistics; a phone.
await test("books: an imported invoice whose buyer the catalog lacks → the proposal warns → the customer created in place → recorded (revenue recorded, a voucher number, in the CSV export); a replay and a stale tab record nothing; statistics; phone", async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  await signIn(page);
  await fillProfile(page);
  await booksScenario({ page, browser, api, assert, eventually, artifacts, server, root });
  await context.close();
});

// Orders (#19): settings, an order made in the app refused for an unmapped code, mapped,
// invoiced through the editor once; an ERP's order listed; a phone.
await test("orders: settings saved (a stale copy refused, the server's shown); an order made in the app with an unknown customer code → Create invoice refused naming it (vi, en) → mapped on the settings screen → Create invoice opens the prefilled draft → Issue → the order shows its number, signed; again: the same invoice, no second number; an ERP's order sent with fetch is listed and filtered; phone without horizontal scroll", async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  await signIn(page);
  await fillProfile(page);
  await ordersScenario({ page, browser, api, assert, eventually, artifacts, server, yy });
  await context.close();
});

await test("AWS sign-in: the Cognito hosted UI with PKCE (S256, state checked) signs the app in", async () => {
  // The app as infra/deploy publishes it (with /config.json), on a second local server; a
  // stand-in for the hosted UI on loopback that checks what Cognito checks.
  const appDir = mkdtempSync(join(tmpdir(), "hoadon-app-"));
  cpSync(join(root, "app/dist"), appDir, { recursive: true });
  const cognitoPort = await freePort();
  const other = await startServer(appDir);
  const redirect = other.base + "/";
  writeFileSync(join(appDir, "config.json"), JSON.stringify({ domain: `http://127.0.0.1:${cognitoPort}`, client_id: "client-1", redirect_uri: redirect }));
  const codes = new Map();
  const seen = [];
  const stand = http.createServer(async (req, res) => {
    const url = new URL(req.url, "http://stand-in");
    if (url.pathname === "/oauth2/authorize") {
      const p = url.searchParams;
      seen.push(Object.fromEntries(p));
      if (p.get("client_id") !== "client-1" || p.get("redirect_uri") !== redirect || p.get("response_type") !== "code"
        || p.get("code_challenge_method") !== "S256" || !p.get("state")) { res.writeHead(400); return res.end("bad authorize"); }
      const code = `code-${seen.length}`;
      codes.set(code, p.get("code_challenge"));
      res.writeHead(302, { location: `${redirect}?code=${code}&state=${encodeURIComponent(p.get("state"))}` });
      return res.end();
    }
    if (url.pathname === "/oauth2/token" && req.method === "POST") {
      let body = "";
      for await (const chunk of req) body += chunk;
      const f = new URLSearchParams(body);
      const headers = { "access-control-allow-origin": "*", "content-type": "application/json" };
      const challenge = codes.get(f.get("code"));
      codes.delete(f.get("code"));
      const computed = createHash("sha256").update(f.get("code_verifier") || "").digest("base64url");
      if (!challenge || challenge !== computed || f.get("grant_type") !== "authorization_code"
        || f.get("client_id") !== "client-1" || f.get("redirect_uri") !== redirect) {
        res.writeHead(400, headers); return res.end('{"error":"invalid_grant"}');
      }
      // The stand-in's id token is one the local system issues: its API verifies only its own.
      const login = await fetch(other.base + "/api/login", { method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "admin@demo.local", password: other.password }) });
      const { token } = await login.json();
      res.writeHead(200, headers);
      return res.end(JSON.stringify({ id_token: token, access_token: "unused", token_type: "Bearer", expires_in: 3600 }));
    }
    res.writeHead(404); res.end();
  });
  await new Promise((r) => stand.listen(cognitoPort, "127.0.0.1", r));
  try {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    // An answer this browser never asked for is refused, and its code leaves the address.
    await page.goto(other.base + "/?code=forged&state=forged");
    await page.locator(".signin .error").filter({ hasText: /no sign-in in progress/ }).waitFor();
    assert(!page.url().includes("code="), "address cleaned: " + page.url());
    await page.screenshot({ path: join(artifacts, "signin-hosted-phone.png"), fullPage: true });
    await page.getByRole("button", { name: "Đăng nhập" }).click();
    await page.getByRole("heading", { name: "Trang chủ" }).waitFor();
    assert(page.url() === redirect, "the code is not left in the address: " + page.url());
    assert(seen.length === 1 && seen[0].code_challenge.length === 43 && seen[0].state.length >= 22, JSON.stringify(seen));
    assert(codes.size === 0, "the code was exchanged, once");
    await page.locator("#count-draft").filter({ hasText: /\d/ }).waitFor(); // the API took the token
    await context.close();
  } finally {
    stand.close();
    other.child.kill();
    rmSync(appDir, { recursive: true, force: true });
    rmSync(other.data, { recursive: true, force: true });
  }
});

await browser.close();
server.child.kill();
mailbox?.child.kill();
rmSync(server.data, { recursive: true, force: true });
const passed = results.filter(([, ok]) => ok).length;
console.log(`${passed} passed, ${results.length - passed} failed`);
process.exit(results.length === passed ? 0 : 1);

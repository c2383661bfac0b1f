// The books (#18) in the browser. An invoice issued on another platform — rendered unsigned by
// `hoadon render` from a document whose buyer is not in the tenant's catalog, dated today — is
// uploaded through the inbox's import control; the period (this month) → Get data lists it as
// an original whose revenue is not recorded, without a signature; its entry's warnings are
// listed; "Create sales voucher with invoice" loads the proposal, which warns at the customer
// code; the customer is created in place from the invoice's buyer (the catalog's own form, filled
// from the invoice) and fills the code; Record → the entry shows "revenue recorded" and its
// voucher number, which the vouchers screen lists and its CSV export contains. Then nothing
// records twice: the request replayed answers 409 books.already_recorded, a second tab whose
// proposal was opened before the recording says "already recorded", and the vouchers are as
// many as before. Two more files in one pick: in bulk, the one whose customer is now in the
// catalog is recorded, the other left for review. The statistics chart the period; on a phone the inbox is cards without a
// horizontal scroll, and the entry's status reads in English after the switch.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeCertificate } from "./certificates.mjs";

/** Today in Vietnam (the server's calendar for issue dates), and this month's first and last day. */
function thisMonth() {
  const today = new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);
  const [y, m] = today.split("-").map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const mm = String(m).padStart(2, "0");
  return { today, from: `${y}-${mm}-01`, to: `${y}-${mm}-${String(last).padStart(2, "0")}` };
}

/** A tax id no other scenario uses (10 digits, the last the check digit): the proposal maps a
 * buyer to the catalog by tax id too. */
function freshTaxId() {
  const weights = [31, 29, 23, 19, 17, 13, 7, 5, 3];
  for (;;) {
    const nine = Array.from({ length: 9 }, (_, i) => (i === 0 ? 1 : 0) + Math.floor(Math.random() * (i === 0 ? 9 : 10)));
    const check = 10 - (nine.reduce((a, d, i) => a + d * weights[i], 0) % 11);
    if (check < 10) return nine.join("") + check;
  }
}

/** The page has no horizontal scroll. */
const noOverflow = (page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

/**
 * An invoice of the tenant's (seller = the company profile's tax id) issued elsewhere, as its
 * unsigned XML file: the example document with today's date, a number and series of its own, a
 * buyer the catalog lacks and one line of a product the catalog has.
 */
function invoiceFile(root, { tag, number, date, sellerTaxId, product, buyer, signer }) {
  const doc = JSON.parse(readFileSync(join(root, "shared/examples/invoice.json"), "utf8"));
  const yy = date.slice(2, 4);
  Object.assign(doc, { symbol: `C${yy}TBK`, number, issue_date: date, data_id: `DLHDon-${tag}` });
  doc.seller.tax_id = sellerTaxId;
  doc.buyer = buyer ?? { name: `Công ty TNHH Kế Toán Việt ${tag}`, tax_id: freshTaxId(), code: `KH-${tag}`,
    address: "8 Lý Thái Tổ, Hà Nội", email: `ketoan-${tag.toLowerCase()}@ktviet.example` };
  doc.lines = [{ code: product.code, name: product.name, unit: product.unit, quantity: "2",
    unit_price: product.unit_price, tax_rate: product.tax_rate }];
  const dir = mkdtempSync(join(tmpdir(), "hoadon-e2e-books-"));
  const json = join(dir, "invoice.json");
  writeFileSync(json, JSON.stringify(doc));
  const hoadon = (...args) => execFileSync("cargo", ["run", "-q", "-p", "hoadon-cli", "--", ...args], { cwd: root, encoding: "utf8" });
  const file = join(dir, `hd-${number}.xml`);
  writeFileSync(file, hoadon("render", json));
  // Signed by the seller (`hoadon sign`, a certificate of its tax id), when asked.
  if (signer) writeFileSync(file, hoadon("sign", "--key", signer.key, "--cert", signer.cert, file));
  return { file, name: `hd-${number}.xml`, buyer: doc.buyer };
}

/** Opens the books from the menu and asks for `period`. */
async function inbox(page, period) {
  await page.getByRole("navigation", { name: "Menu chính" }).getByRole("link", { name: "Sổ sách", exact: true }).click();
  await page.getByRole("heading", { name: "Sổ sách", exact: true }).waitFor({ timeout: 30000 });
  await page.locator("#period-from").fill(period.from);
  await page.locator("#period-to").fill(period.to);
  await page.locator("#period-get").click();
}

export async function booksScenario(h) {
  const { page, browser, api, assert, eventually, artifacts, server, root } = h;
  const tag = Date.now().toString(36).toUpperCase().slice(-6);
  const number = 100000 + Math.floor(Math.random() * 800000);
  const period = thisMonth();
  const sellerTaxId = (await api("GET", "/api/profile")).body.profile.tax_id;
  // A product in the catalog (the invoice's line names it), a customer that is not.
  const product = { code: `DVKT-${tag}`, name: `Dịch vụ kế toán ${tag}`, unit: "Gói", unit_price: "5000000", tax_rate: "8%" };
  const made = await api("POST", "/api/catalogs/products", { body: product });
  assert(made.status === 201 || made.status === 200, "product: " + JSON.stringify(made.body));
  const inv = invoiceFile(root, { tag, number, date: period.today, sellerTaxId, product });
  const customers = (await api("GET", `/api/catalogs/customers?q=${encodeURIComponent(inv.buyer.code)}`)).body.items;
  assert(customers.length === 0, "the buyer is not in the catalog: " + JSON.stringify(customers));

  // The file uploaded through the inbox's import control, and its report.
  await inbox(page, period);
  await page.locator("#books-import-file").setInputFiles(inv.file);
  const report = page.locator(`.import-report[data-file="${inv.name}"]`);
  await report.locator('[data-count="imported"]').waitFor({ timeout: 20000 });
  assert(await report.locator('tr[data-outcome="imported"]').count() === 1, "one invoice imported");

  // The period's entries: the invoice, an original whose revenue is not recorded, unsigned.
  await page.locator("#period-get").click();
  const row = page.locator(`#books-list tr[data-number="${number}"]`);
  await row.waitFor({ timeout: 20000 });
  assert(await row.getAttribute("data-workflow") === "revenue_not_recorded", "not recorded yet");
  const text = await row.innerText();
  for (const s of ["Gốc", "Chưa ghi doanh thu", "Không có chữ ký", inv.buyer.name]) assert(text.includes(s), `the row says ${s}: ${text}`);
  // The filter by workflow status.
  await page.locator("#books-filter").selectOption("revenue_recorded");
  await row.waitFor({ state: "detached" });
  await page.locator("#books-filter").selectOption("revenue_not_recorded");
  await row.waitFor();
  await page.screenshot({ path: join(artifacts, "books-inbox.png"), fullPage: true });

  // Its entry: the warnings, then the proposal of "Create sales voucher with invoice".
  await row.locator(".open-entry").click();
  await page.locator("#entry-title").waitFor();
  await page.locator('#entry-warnings li[data-code="import.signature.missing"]').waitFor();
  await page.locator("#action-sales_voucher").click();
  await page.locator("#proposal").waitFor({ timeout: 20000 });
  const code = page.locator('[id="vouchers[0].customer.code"]');
  const codeMsg = page.locator('[id="vouchers[0].customer.code-msg"]');
  await codeMsg.filter({ hasText: /\S/ }).waitFor();
  await page.screenshot({ path: join(artifacts, "books-proposal.png"), fullPage: true });

  // The customer created in place from the invoice's buyer: the catalog's form, filled.
  await page.locator('[id="vouchers[0].customer.code-create"]').click();
  await page.locator("#entry-name").waitFor();
  assert(await page.locator("#entry-name").inputValue() === inv.buyer.name, "the buyer's name");
  assert(await page.locator("#entry-tax_id").inputValue() === inv.buyer.tax_id, "the buyer's tax id");
  assert(await page.locator("#entry-code").inputValue() === inv.buyer.code, "the buyer's code");
  await page.locator("#proposal").getByRole("button", { name: "Lưu", exact: true }).click();
  await eventually(async () => (await code.inputValue()) === inv.buyer.code, "the new code fills the field");
  assert((await codeMsg.textContent()) === "", "no warning once the code is set");
  const created = (await api("GET", `/api/catalogs/customers?q=${encodeURIComponent(inv.buyer.code)}`)).body.items;
  assert(created.length === 1 && created[0].name === inv.buyer.name, "the customer is in the catalog: " + JSON.stringify(created));

  // A second tab opens the same proposal now (nothing to map any more) and waits.
  const other = await page.context().newPage();
  await other.goto(server.base + "/books");
  await other.locator("#period-from").fill(period.from);
  await other.locator("#period-to").fill(period.to);
  await other.locator("#period-get").click();
  await other.locator(`#books-list tr[data-number="${number}"] .open-entry`).click();
  await other.locator("#action-sales_voucher").click();
  await other.locator("#record").waitFor();

  // Recorded: the entry's new status and its voucher number.
  const before = (await api("GET", `/api/vouchers?from=${period.from}&to=${period.to}&limit=200`)).body.items.length;
  const sent = page.waitForRequest((r) => r.method() === "POST" && /\/api\/books\/[^/]+\/record$/.test(new URL(r.url()).pathname));
  await page.locator("#record").click();
  const request = await sent;
  await page.locator("#entry-said", { hasText: "Đã ghi sổ" }).waitFor({ timeout: 20000 });
  await page.locator('#entry-workflow [data-workflow="revenue_recorded"]', { hasText: "Đã ghi doanh thu" }).waitFor();
  assert(await page.locator("#record").count() === 0 && await page.locator("#entry-actions button").count() === 0,
    "the proposal is closed and no action is left once recorded");
  const voucher = (await page.locator("#entry-vouchers").textContent()).trim();
  assert(/^[A-Z]{1,6}\d{4}\/\d+/.test(voucher), "a voucher number: " + voucher);
  await page.screenshot({ path: join(artifacts, "books-recorded.png"), fullPage: true });
  const after = (await api("GET", `/api/vouchers?from=${period.from}&to=${period.to}&limit=200`)).body.items;
  assert(after.length === before + 1 && after.some((v) => v.number === voucher), `one voucher more (${before} → ${after.length})`);

  // Nothing records twice: the request replayed, and the tab opened before.
  const replay = await api("POST", new URL(request.url()).pathname, { body: JSON.parse(request.postData()) });
  assert(replay.status === 409 && replay.body.code === "books.already_recorded", "replayed: " + JSON.stringify(replay));
  await other.locator("#record").click();
  await other.locator("#record-said", { hasText: "đã được ghi sổ từ trước" }).waitFor({ timeout: 20000 });
  assert((await other.locator("#record-error").textContent()) === "", "not shown as an error");
  await other.locator('#entry-workflow [data-workflow="revenue_recorded"]').waitFor({ timeout: 20000 });
  await other.close();
  const again = (await api("GET", `/api/vouchers?from=${period.from}&to=${period.to}&limit=200`)).body.items.length;
  assert(again === before + 1, `still one voucher more: ${again}`);

  // The back button shows the list (still filtered on "not recorded": the entry left it), where
  // the row now says so.
  await page.locator("#entry-back").click();
  await page.locator("#books-list").waitFor();
  assert(await page.locator(`#books-list tr[data-number="${number}"]`).count() === 0, "not among the unrecorded any more");
  await page.locator("#books-filter").selectOption("revenue_recorded");
  await page.locator(`#books-list tr[data-number="${number}"][data-workflow="revenue_recorded"]`).waitFor({ timeout: 20000 });

  // The vouchers screen lists it; its CSV export contains it.
  await page.getByRole("navigation", { name: "Menu chính" }).getByRole("link", { name: "Chứng từ", exact: true }).click();
  await page.locator(`#vouchers-list tr[data-number="${voucher}"]`).waitFor({ timeout: 30000 });
  await page.locator("#set-voucher_prefix").waitFor();
  await page.screenshot({ path: join(artifacts, "books-vouchers.png"), fullPage: true });
  const download = page.waitForEvent("download");
  await page.locator("#vouchers-export-csv").click();
  const csv = readFileSync(await (await download).path(), "utf8");
  assert(csv.includes(voucher), "the CSV has the voucher: " + csv.slice(0, 400));
  assert(csv.includes(inv.buyer.code), "the CSV names the customer code");

  // Two more files in one pick (a request each), signed: one to the customer now in the catalog,
  // one to a buyer it lacks. Both picked, "Create sales voucher with invoice" in bulk: the first is
  // recorded, the second left for review.
  // Signed by the seller this time: bulk leaves an unsigned invoice to a person.
  const signer = makeCertificate(mkdtempSync(join(tmpdir(), "hoadon-e2e-books-")), "seller", `/C=VN/CN=Seller/UID=MST:${sellerTaxId}`);
  const known = invoiceFile(root, { tag, number: number + 1, date: period.today, sellerTaxId, product, buyer: inv.buyer, signer });
  const unknown = invoiceFile(root, { tag, number: number + 2, date: period.today, sellerTaxId, product, signer,
    buyer: { name: `Hộ kinh doanh Lạ ${tag}`, tax_id: freshTaxId(), code: `KH-LA-${tag}`, address: "1 Lê Lợi, Huế" } });
  await inbox(page, period);
  await page.locator("#books-import-file").setInputFiles([known.file, unknown.file]);
  for (const f of [known, unknown]) {
    await page.locator(`.import-report[data-file="${f.name}"] [data-count="imported"]`).waitFor({ timeout: 20000 });
  }
  await page.locator("#books-filter").selectOption("revenue_not_recorded");
  const rowOf = (n) => page.locator(`#books-list tr[data-number="${n}"]`);
  for (const n of [number + 1, number + 2]) await rowOf(n).locator("input[type=checkbox]").check();
  await page.locator("#bulk-sales-voucher").click();
  await page.locator("#bulk-summary", { hasText: "Đã ghi sổ: 1" }).waitFor({ timeout: 20000 });
  assert((await page.locator("#bulk-summary").textContent()).includes("Cần xem lại: 1"), "one left for review");
  await page.locator("#books-filter").selectOption("");
  await rowOf(number + 1).locator(".bulk-recorded").waitFor();
  assert(await rowOf(number + 1).getAttribute("data-workflow") === "revenue_recorded", "recorded in bulk");
  await rowOf(number + 2).locator(".bulk-needs_review").waitFor();
  assert(await rowOf(number + 2).getAttribute("data-workflow") === "revenue_not_recorded", "left for review");
  await page.screenshot({ path: join(artifacts, "books-bulk.png"), fullPage: true });

  // The statistics of the period, charted.
  await page.getByRole("navigation", { name: "Menu chính" }).getByRole("link", { name: "Thống kê", exact: true }).click();
  await page.locator("#stats-total").waitFor({ timeout: 30000 });
  await page.locator("#chart-status rect").first().waitFor();
  await page.screenshot({ path: join(artifacts, "books-reports.png"), fullPage: true });

  // On a phone: cards, no horizontal scroll; English after the switch.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const small = await phone.newPage();
  await small.goto(server.base + "/");
  await small.evaluate((t) => localStorage.setItem("hoadon.token", t), await page.evaluate(() => localStorage.getItem("hoadon.token")));
  await small.goto(server.base + "/books");
  await small.locator("#period-from").fill(period.from);
  await small.locator("#period-to").fill(period.to);
  await small.locator("#period-get").click();
  const card = small.locator(`#books-list tr[data-number="${number}"]`);
  await card.waitFor({ timeout: 30000 });
  await eventually(() => noOverflow(small), "no horizontal scroll on a phone");
  // The switch mounts the screen again in English, with the tab's period.
  await small.getByRole("button", { name: "English" }).click();
  await card.filter({ hasText: "Revenue recorded" }).waitFor({ timeout: 30000 });
  await card.locator(".open-entry").click();
  await small.locator("#entry-workflow", { hasText: "Revenue recorded" }).waitFor();
  assert(await noOverflow(small), "no horizontal scroll on the entry");
  await small.screenshot({ path: join(artifacts, "books-entry-phone.png"), fullPage: true });
  await phone.close();
}

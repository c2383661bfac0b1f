// The tax authority (#14) in the browser: registration, a coded invoice, the outbox. Run by
// run.mjs when the server has the authority's endpoints (see `authorityEnabled`); written against
// the API contract of #14 and the app's stable ids.
import { join } from "node:path";

/**
 * Whether to run the authority scenario: HOADON_E2E_AUTHORITY=1 forces it, =0 skips it; by
 * default it runs when the server answers GET /api/authority/registration.
 */
export async function authorityEnabled(api) {
  const mode = process.env.HOADON_E2E_AUTHORITY ?? "auto";
  if (mode === "1" || mode === "0") return mode === "1";
  try {
    return (await api("GET", "/api/authority/registration")).status === 200;
  } catch {
    return false; // not JSON: no such endpoint yet
  }
}

/** Until `check` holds, clicking `refresh` between tries (a screen that is asked again). */
async function until(page, check, refresh, msg, ms) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out: " + msg);
    if (refresh) await page.locator(refresh).click().catch(() => {});
    await page.waitForTimeout(500);
  }
}

/**
 * The admin sends the registration and sees it accepted; issues a coded invoice (C series) and
 * sees it coded with its MCCQT and the TEST marker (the local simulator answers); the outbox lists
 * the message as done.
 */
export async function authorityScenario({ page, api, yy, newInvoice, fillProfile, assert, artifacts }) {
  const menu = page.getByRole("navigation", { name: "Menu chính" });
  await fillProfile(page);
  // A coded series of its own.
  const symbol = `C${yy}TCQ`;
  await menu.getByRole("link", { name: "Ký hiệu hóa đơn" }).click();
  await page.locator("#series-symbol").fill(symbol);
  await page.getByRole("button", { name: "Tạo ký hiệu" }).click();
  await page.locator("table.list td", { hasText: symbol }).waitFor();

  // Registration: the form, Send, then 102 and 103 arrive (the screen asks again on its own).
  await menu.getByRole("link", { name: "Đăng ký HĐĐT" }).click();
  await page.locator("#registration-state").waitFor({ timeout: 20000 });
  if ((await page.locator("#registration-state").getAttribute("data-state")) !== "accepted") {
    if (!(await page.locator("#registration-coded").isChecked())) await page.locator("#registration-coded").check();
    await page.locator("#registration-contact_name").fill("Nguyễn Thị Kế Toán");
    await page.locator("#registration-contact_email").fill("not-an-email");
    await page.locator("#registration-send").click();
    await page.locator("#registration-contact_email-msg").filter({ hasText: /\S/ }).waitFor();
    await page.locator("#registration-contact_email").fill("ketoan@anphat.vn");
    await page.locator("#registration-contact_phone").fill("024 3826 1234");
    await page.locator("#registration-send").click();
    await page.locator('#registration-state[data-state="accepted"]').waitFor({ timeout: 90000 });
  }
  assert((await page.locator("#registration-accepted").textContent()).includes("C có"), "coded invoices accepted");
  await page.screenshot({ path: join(artifacts, "registration-desktop.png"), fullPage: true });

  // A coded invoice: issued, then coded by the (simulated) authority.
  await newInvoice(page);
  await page.locator("#symbol").selectOption("1" + symbol);
  await page.locator("#buyer\\.name").fill("Công ty Cổ phần Giải pháp Số Bình Minh");
  await page.locator("#buyer\\.tax_id").fill("0312345673");
  await page.locator("#buyer\\.address").fill("45 Nguyễn Huệ, TP. Hồ Chí Minh");
  await page.locator('[id="lines[0].name"]').fill("Dịch vụ tư vấn thuế");
  await page.locator('[id="lines[0].unit"]').fill("Gói");
  await page.locator('[id="lines[0].quantity"]').fill("1");
  await page.locator('[id="lines[0].unit_price"]').fill("2000000");
  await page.locator('#sync[data-sync="synced"]').waitFor({ timeout: 20000 });
  await page.getByRole("button", { name: "Phát hành" }).click();
  await page.locator("#invoice-status").waitFor({ timeout: 20000 });
  const id = page.url().split("/").pop();
  // The detail screen asks again while the authority owes an answer.
  await page.locator("#invoice-status", { hasText: "Đã cấp mã" }).waitFor({ timeout: 90000 });
  const code = (await page.locator("#authority-code").textContent()).trim();
  assert(code.length > 0, "the MCCQT is shown");
  const test = await page.locator("#authority-test").textContent();
  assert(test.includes("THỬ NGHIỆM"), "the TEST marker: " + test);
  await page.locator('#deliverable[data-deliverable="true"]').waitFor();
  const rec = (await api("GET", `/api/invoices/${id}`)).body;
  assert(rec.status === "coded" && rec.authority?.code === code && rec.authority?.test === true,
    "the server's record: " + JSON.stringify(rec.authority));
  await page.screenshot({ path: join(artifacts, "coded-desktop.png"), fullPage: true });

  // The outbox: the invoice's message (200, invoice for a code), done, test data.
  await menu.getByRole("link", { name: "Thông điệp gửi CQT" }).click();
  await page.locator("#outbox").waitFor({ timeout: 20000 });
  const row = page.locator(`#outbox tr[data-kind="200"]`).filter({ has: page.locator(`a[href="/invoices/${id}"]`) });
  await until(page, async () => (await row.getAttribute("data-state").catch(() => null)) === "done",
    "#outbox-refresh", "the invoice's message is done", 60000);
  assert((await row.locator(".test-mark").count()) === 1, "marked as test data");
  await page.screenshot({ path: join(artifacts, "outbox-desktop.png"), fullPage: true });
  // The state filter is a route of its own: only done messages.
  await page.locator("#outbox-state").selectOption("done");
  await page.waitForURL(/\/outbox\/done$/);
  await row.waitFor();
}

// Orders (#19) in the browser. An admin picks, on the orders' settings screen, a series made by
// the test for invoices from orders and saves the settings; enters an order in the app (its id
// prefilled) whose customer code the catalogs lack and whose product is picked by type-ahead;
// "Create invoice" is refused naming the code (in Vietnamese, then in English after the switch),
// the list shows the failure's badge; the order's "Map this code" opens the mapping table with
// the code filled in, where the catalog's customer is picked and the row added; "Create
// invoice" then opens the prefilled draft in the editor (the order's customer from the catalog,
// the series of the settings), Issue (the seed's "Validate") signs it; the order shows the
// invoice's number, signed, its PDF and XML available, and the list shows the number. A second
// "Create invoice" opens the same invoice: no second invoice, no second number. An ERP-style
// order sent by the test with fetch (PUT /api/orders/{id}) is listed (search, status filter).
// On a phone the list and the order are cards without a horizontal scroll.
import { join } from "node:path";

/** The page has no horizontal scroll. */
const noOverflow = (page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

/** Opens the orders from the menu. */
async function ordersMenu(page) {
  await page.getByRole("navigation", { name: "Menu chính" }).getByRole("link", { name: "Đơn hàng", exact: true }).click();
  await page.locator("#orders-list").waitFor({ timeout: 30000 });
}

/** The list's row of an order, found by searching its id. */
async function listed(page, id) {
  await page.locator("#orders-status").selectOption("");
  await page.locator("#orders-q").fill(id);
  await page.locator("#orders-search").click();
  const row = page.locator(`#orders-list tr[data-id="${id}"]`);
  await row.waitFor({ timeout: 20000 });
  return row;
}

/** With the tax authority (the local simulator), uncoded (K) invoices need a registration that
 * covers them: without it their data is refused once signed. Sent here when missing. */
async function registeredForUncoded({ api, assert, eventually }) {
  const reg = await api("GET", "/api/authority/registration");
  if (reg.status !== 200 || reg.body.accepted_uncoded) return;
  const sent = await api("POST", "/api/authority/registration", { body: { change: reg.body.state === "accepted", coded: true,
    uncoded: true, contact_name: "Nguyễn Thị Kế Toán", contact_email: "ketoan@anphat.vn", contact_phone: "024 3826 1234" } });
  assert(sent.status === 200, "registration: " + JSON.stringify(sent.body));
  await eventually(async () => (await api("GET", "/api/authority/registration")).body.accepted_uncoded, "K invoices registered", 60000);
}

/** The states of a valid uncoded invoice: signed, and on the authority's data path. */
const VALID_K = ["signed", "data_sent", "data_accepted"];

export async function ordersScenario(h) {
  const { page, browser, api, assert, eventually, artifacts, server, yy } = h;
  const tag = Date.now().toString(36).toUpperCase().slice(-6);
  await registeredForUncoded(h);
  // The series invoices from orders go to (made here), a product and the customer the ERP's
  // code will be mapped to.
  const symbol = `K${yy}TSO`;
  const made = await api("POST", "/api/series", { body: { form: "1", symbol } });
  assert([200, 201].includes(made.status) || made.body?.code === "already_exists", "series: " + JSON.stringify(made.body));
  const series = "1" + symbol;
  const product = { code: `SPDH-${tag}`, name: `Giấy in đơn hàng ${tag}`, unit: "Ram", unit_price: "68500", tax_rate: "10%" };
  const customer = { code: `KHDH-${tag}`, name: `Công ty TNHH Đơn Hàng ${tag}`, tax_id: "0312345673", address: "5 Lê Lợi, Quận 1, TP Hồ Chí Minh" };
  for (const [kind, body] of [["products", product], ["customers", customer]]) {
    const r = await api("POST", `/api/catalogs/${kind}`, { body });
    assert(r.status === 201, `${kind}: ` + JSON.stringify(r.body));
  }
  const erpCode = `ERP-KH-${tag}`;

  // The settings: the series picked from the tenant's, saved.
  await ordersMenu(page);
  await page.locator("#orders-settings").click();
  await page.locator("#order-settings").waitFor({ timeout: 30000 });
  await page.locator(`#oset-series option[value="${series}"]`).waitFor({ state: "attached", timeout: 20000 });
  await page.locator("#oset-series").selectOption(series);
  await page.locator("#oset-auto_issue").selectOption("off");
  await page.locator("#oset-unknown_codes").selectOption("refuse");
  await page.locator("#oset-save").click();
  await page.locator("#oset-status", { hasText: "Đã lưu thiết lập đơn hàng" }).waitFor({ timeout: 20000 });
  const settings = (await api("GET", "/api/order-settings")).body;
  assert(settings.series === series && settings.auto_issue === "off" && settings.version >= 1, "settings saved: " + JSON.stringify(settings));
  // A stale copy is refused and the server's shown: the version moves under the screen.
  const moved = await api("PUT", "/api/order-settings", { body: { ...settings, amount_mismatch: "accept" } });
  assert(moved.status === 200, "settings moved: " + JSON.stringify(moved.body));
  await page.locator("#oset-save").click();
  await page.locator("#oset-error", { hasText: "version_conflict" }).waitFor({ timeout: 20000 });
  await eventually(async () => (await page.locator("#oset-amount_mismatch").inputValue()) === "accept", "the server's copy is shown");
  await page.locator("#oset-amount_mismatch").selectOption("refuse");
  await page.locator("#oset-save").click();
  await page.locator("#oset-status", { hasText: "Đã lưu thiết lập đơn hàng" }).waitFor({ timeout: 20000 });
  assert((await api("GET", "/api/order-settings")).body.amount_mismatch === "refuse", "saved at the server's version");

  // An order entered in the app: its id offered, a customer code the catalogs lack, a product
  // picked by type-ahead.
  await ordersMenu(page);
  await page.locator("#orders-new").click();
  await page.locator("#order-form").waitFor({ timeout: 30000 });
  const id = await page.locator("#order-id").inputValue();
  assert(/^DH-\d{6}-[0-9A-Z]{5}$/.test(id), "an order id is offered: " + id);
  // Nothing said on an untouched form.
  assert((await page.locator("#order-customer-msg").textContent()) === "", "no message before a touch");
  await page.locator("#order-customer").fill(erpCode);
  await page.locator("#order-customer-name").fill(`Khách của ERP ${tag}`);
  await page.locator('[id="lines[0].product_code"]').fill(`giay in don hang ${tag.toLowerCase()}`);
  await page.locator('[id="lines[0].product_code-options"] [role=option]').first().click();
  await eventually(async () => (await page.locator('[id="lines[0].product_code"]').inputValue()) === product.code, "the picked product's code");
  await page.locator('[id="lines[0].quantity"]').fill("2");
  await page.screenshot({ path: join(artifacts, "orders-new.png"), fullPage: true });
  await page.locator("#order-save").click();
  await page.waitForURL(new RegExp(`/orders/${id}$`), { timeout: 20000 });
  await page.locator("#order-title", { hasText: id }).waitFor({ timeout: 30000 });
  const stored = (await api("GET", `/api/orders/${id}`)).body;
  assert(stored.order.version === 1 && stored.order.customer.code === erpCode && stored.order.lines[0].product_code === product.code
    && stored.order.lines[0].quantity === "2", "the order as typed: " + JSON.stringify(stored));

  // Create invoice: refused, naming the code, in the screen's language.
  await page.locator("#order-create").click();
  const refusal = page.locator('#order-refusal li[data-code="order.unmapped"][data-path="customer.code"]');
  await refusal.waitFor({ timeout: 20000 });
  const said = await page.locator("#order-refusal").innerText();
  assert(said.includes(erpCode) && said.includes("không có trong bảng ánh xạ"), "refused naming the code: " + said);
  await page.locator("#order-customer-msg", { hasText: erpCode }).waitFor();
  assert((await api("GET", `/api/orders/${id}`)).body.invoices.length === 0, "no invoice made");
  await page.screenshot({ path: join(artifacts, "orders-refused.png"), fullPage: true });
  // In English after the switch (the recorded failure, at its field).
  await page.getByRole("button", { name: "English" }).click();
  await page.locator("#order-customer-msg", { hasText: "neither in the mapping table" }).waitFor({ timeout: 30000 });
  await page.locator("#order-failure", { hasText: "order.unmapped" }).waitFor();
  await page.getByRole("button", { name: "Tiếng Việt" }).click();
  await page.locator("#order-customer-msg", { hasText: "không có trong bảng ánh xạ" }).waitFor({ timeout: 30000 });
  // The list marks the failure.
  await ordersMenu(page);
  const row = await listed(page, id);
  await row.locator(".order-failure").waitFor();
  assert((await row.innerText()).includes("Chưa có hóa đơn"), "no invoice yet: " + await row.innerText());

  // The mapping, from the order: the code handed to the mapping table, the catalog's customer
  // picked.
  await row.getByRole("link", { name: id }).click();
  await page.locator(`#order-unmapped .map-code[data-code="${erpCode}"]`).click();
  await page.locator("#map-form").waitFor({ timeout: 30000 });
  assert(await page.locator("#map-erp").inputValue() === erpCode, "the ERP code is filled in");
  assert(await page.locator("#map-kind-customer").getAttribute("aria-pressed") === "true", "among the customers");
  await page.locator("#map-catalog").fill(`don hang ${tag.toLowerCase()}`);
  await page.locator("#map-catalog-options [role=option]").first().click();
  await eventually(async () => (await page.locator("#map-catalog").inputValue()) === customer.code, "the picked customer's code");
  await page.locator("#map-catalog-name", { hasText: customer.name }).waitFor();
  await page.locator("#map-add").click();
  await page.locator("#map-status", { hasText: "Đã lưu ánh xạ" }).waitFor({ timeout: 20000 });
  await page.locator(`#map-list tr[data-erp="${erpCode}"][data-catalog="${customer.code}"]`).waitFor();
  await page.screenshot({ path: join(artifacts, "orders-mapping.png"), fullPage: true });
  const maps = (await api("GET", "/api/order-mappings?kind=customer")).body.items;
  assert(maps.some((m) => m.erp_code === erpCode && m.catalog_code === customer.code), "mapped: " + JSON.stringify(maps));

  // Create invoice: the draft, prefilled, in the editor; Issue (Validate) signs it.
  await ordersMenu(page);
  await (await listed(page, id)).getByRole("link", { name: id }).click();
  await page.locator("#order-create").click();
  await page.waitForURL(/\/drafts\/ord-[0-9a-f]+$/, { timeout: 20000 });
  const invoiceId = page.url().split("/").pop();
  await eventually(async () => (await page.locator("#buyer\\.name").inputValue()) === customer.name, "the catalog's customer is the buyer");
  assert(await page.locator("#symbol").inputValue() === series, "the settings' series");
  assert(await page.locator('[id="lines[0].quantity"]').inputValue() === "2", "the order's quantity");
  await page.locator("#total").filter({ hasText: "150.700" }).waitFor(); // 2 × 68.500 + 10 %
  await page.screenshot({ path: join(artifacts, "orders-draft.png"), fullPage: true });
  await page.locator('#sync[data-sync="synced"]').waitFor({ timeout: 20000 });
  await page.getByRole("button", { name: "Phát hành" }).click();
  await page.waitForURL(new RegExp(`/invoices/${invoiceId}$`), { timeout: 20000 });
  await page.locator("#invoice-status", { hasText: /Đã ký số|dữ liệu/ }).waitFor({ timeout: 90000 });
  const invoice = (await api("GET", `/api/invoices/${invoiceId}`)).body;
  assert(Number.isInteger(invoice.number) && invoice.series === series, "numbered in the settings' series: " + JSON.stringify(invoice).slice(0, 300));

  // The order shows it: number, signed, documents available; the list too.
  await ordersMenu(page);
  await (await listed(page, id)).getByRole("link", { name: id }).click();
  const line = page.locator(`#order-invoices tr[data-invoice="${invoiceId}"][data-number="${invoice.number}"]`);
  await line.waitFor({ timeout: 30000 });
  await eventually(async () => /Đã ký số|CQT đã nhận dữ liệu/.test(await line.innerText()), "signed on the order");
  assert(VALID_K.includes(await line.getAttribute("data-state")), "signed: " + await line.getAttribute("data-state"));
  await page.locator(`#order-invoices tr[data-invoice="${invoiceId}"][data-deliverable="true"]`).waitFor({ timeout: 30000 });
  assert((await line.innerText()).includes(`${series} · ${invoice.number}`), "the number: " + await line.innerText());
  assert(await page.locator("#order-failure").count() === 0, "the failure is gone");
  await page.locator("#order-lines .order-invoiced", { hasText: "2" }).waitFor();
  await page.screenshot({ path: join(artifacts, "orders-invoiced.png"), fullPage: true });

  // Again: the same invoice, no second number.
  const last = (await api("GET", "/api/series")).body.items.find((s) => s.form + s.symbol === series).last_number;
  await page.locator("#order-create").click();
  await page.waitForURL(new RegExp(`/invoices/${invoiceId}$`), { timeout: 20000 });
  await page.locator("#invoice-status", { hasText: /Đã ký số|dữ liệu/ }).waitFor({ timeout: 30000 });
  const after = (await api("GET", `/api/orders/${id}`)).body;
  assert(after.invoices.length === 1 && after.invoices[0].invoice_id === invoiceId && after.invoices[0].number === invoice.number,
    "one invoice: " + JSON.stringify(after.invoices));
  assert((await api("GET", "/api/series")).body.items.find((s) => s.form + s.symbol === series).last_number === last, "no second number");
  await ordersMenu(page);
  const done = await listed(page, id);
  await done.locator(`.order-invoice[data-number="${invoice.number}"]`).waitFor();
  assert((await done.locator(".order-failure").count()) === 0, "no failure badge any more");

  // An ERP's order, sent with fetch as an ERP would, is listed.
  const erpId = `SO-${tag}`;
  const erpOrder = {
    version: 3, status: "completed", order_date: new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10),
    customer: { code: erpCode, name: "Công ty TNHH Đơn Hàng (ERP)" },
    lines: [{ line_id: "10", product_code: product.code, quantity: "3", unit_price: "68500", tax_rate: "10%", amount: "205500", vat_amount: "20550" }],
    total: "226050",
  };
  const token = await page.evaluate(() => localStorage.getItem("hoadon.token"));
  const sent = await fetch(`${server.base}/api/orders/${erpId}`, {
    method: "PUT", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(erpOrder),
  });
  assert(sent.status === 201, "the ERP's order: " + sent.status + " " + await sent.text());
  const again = await fetch(`${server.base}/api/orders/${erpId}`, {
    method: "PUT", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(erpOrder),
  });
  assert(again.status === 200, "a replay is unchanged: " + again.status);
  await ordersMenu(page);
  const erpRow = await listed(page, erpId);
  const erpText = await erpRow.innerText();
  assert(erpText.includes("Hoàn thành") && erpText.includes("226.050") && erpText.includes("Chưa có hóa đơn"), "the ERP's order listed: " + erpText);
  // The status filter: completed lists it, draft does not.
  await page.locator("#orders-q").fill("");
  await page.locator("#orders-status").selectOption("completed");
  await page.locator(`#orders-list tr[data-id="${erpId}"]`).waitFor({ timeout: 20000 });
  assert(await page.locator(`#orders-list tr[data-id="${id}"]`).count() === 0, "a confirmed order is not among the completed");
  await page.locator("#orders-status").selectOption("draft");
  await page.locator(`#orders-list tr[data-id="${erpId}"]`).waitFor({ state: "detached", timeout: 20000 });
  await page.locator("#orders-status").selectOption("");
  await page.screenshot({ path: join(artifacts, "orders-list.png"), fullPage: true });

  // On a phone: cards, no horizontal scroll, on the list and on the order.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const small = await phone.newPage();
  await small.goto(server.base + "/");
  await small.evaluate((t) => localStorage.setItem("hoadon.token", t), token);
  await small.goto(server.base + "/orders");
  await small.locator(`#orders-list tr[data-id="${id}"] .order-invoice[data-number="${invoice.number}"]`).waitFor({ timeout: 30000 });
  await eventually(() => noOverflow(small), "no horizontal scroll on the list on a phone");
  await small.screenshot({ path: join(artifacts, "orders-list-phone.png"), fullPage: true });
  await small.locator(`#orders-list tr[data-id="${id}"]`).getByRole("link", { name: id }).click();
  const card = small.locator(`#order-invoices tr[data-invoice="${invoiceId}"]`);
  await card.waitFor({ timeout: 30000 });
  assert(VALID_K.includes(await card.getAttribute("data-state")), "still valid: " + await card.getAttribute("data-state"));
  assert(await noOverflow(small), "no horizontal scroll on the order on a phone");
  await small.screenshot({ path: join(artifacts, "orders-order-phone.png"), fullPage: true });
  await phone.close();
}

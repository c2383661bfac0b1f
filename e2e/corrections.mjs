// Corrections of issued invoices (#16) in the browser. On a phone: an issued invoice is
// replaced through the app (invoice → Corrections → Replace → the editor → Issue); the original
// then shows "replaced", the chain links both ways, and the 04/SS "Notify error" opens the notice
// screen with the invoice's row filled in (sent, and its signed notice verified). On a desktop:
// another invoice, sold to a business (a tax id), is adjusted down (a negative line); issuing is
// refused until the buyer confirms through the public page in a fresh browser without signing
// in; the original then shows "adjusted" with its cumulative figures. xmlsec1 verifies every
// XML produced (the corrections and the notice) with the tenant's certificate, and the tax
// authority's signature on the coded ones with the simulator's.
import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Today in Vietnam (the server's calendar for issue dates). */
const today = () => new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);

/** A fresh client id for a draft. */
const newId = (tag) => `e2e-${tag}-${Math.random().toString(16).slice(2, 10)}`;

/** The raw answer of a GET with the admin's token (the signed XML is not JSON). */
async function raw(h, path) {
  await h.api("GET", "/api/profile"); // signs the helper in
  const r = await fetch(h.server.base + path, { headers: { authorization: `Bearer ${h.api.token}` } });
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return r.text();
}

/**
 * xmlsec1 verifies the signature in `DSCKS/<slot>` (`NBan` the seller's, `CQT` the authority's,
 * `NNT` a notice's) with the certificate in `cert`.
 */
function xmlsecVerifies(file, slot, cert) {
  execFileSync("xmlsec1", ["--verify", "--id-attr:Id", "DLHDon", "--id-attr:Id", "MCCQT", "--id-attr:Id", "DLTBao",
    "--id-attr:Id", "Object", "--id-attr:Id", "SignatureProperties",
    "--node-xpath", `//*[local-name()='${slot}']/*[local-name()='Signature']`,
    "--pubkey-cert-pem", cert, "--enabled-key-data", "key-name", file], { stdio: "pipe" });
}

/** The signed XML of invoice `id`: the seller's signature, and the authority's once coded. */
async function verifyInvoiceXml(h, id, name) {
  const xml = await raw(h, `/api/invoices/${id}/xml`);
  const file = join(h.artifacts, `${name}.xml`);
  writeFileSync(file, xml);
  xmlsecVerifies(file, "NBan", join(h.server.data, "keys", "demo", "cert.pem"));
  const authority = join(h.server.data, "authority", "authority.cert.pem");
  if (xml.includes("<MCCQT") && existsSync(authority)) xmlsecVerifies(file, "CQT", authority);
  return xml;
}

/**
 * The registration the authority's simulator needs before it codes anything (the authority
 * scenario sends it in a whole run; a run of these scenarios alone sends it here).
 */
export async function registered(h) {
  if (!h.coded) return;
  const now = (await h.api("GET", "/api/authority/registration")).body;
  if (now.state === "accepted" && now.accepted_coded && now.accepted_uncoded) return;
  const sent = await h.api("POST", "/api/authority/registration", { body: { coded: true, uncoded: true,
    contact_name: "Nguyễn Thị Kế Toán", contact_email: "ketoan@anphat.vn", contact_phone: "024 3826 1234" } });
  h.assert(sent.status < 300, "registration: " + JSON.stringify(sent.body).slice(0, 300));
  await h.eventually(async () => (await h.api("GET", "/api/authority/registration")).body.state === "accepted",
    "the registration is accepted", 90000);
}

/** A series of the scenario's own (cloud key), made once. */
async function series(h, symbol) {
  await registered(h);
  const r = await h.api("POST", "/api/series", { body: { form: "1", symbol } });
  h.assert([200, 201, 409].includes(r.status), `series ${symbol}: ${r.status} ${JSON.stringify(r.body)}`);
  return "1" + symbol;
}

/** An original issued through the API and waited for until it is valid (coded, for a C series). */
async function issuedOriginal(h, symbol, buyer, lines) {
  const id = newId("orig");
  const document = { form: "1", symbol, issue_date: today(), currency: "VND", buyer, lines };
  const made = await h.api("POST", "/api/invoices", { body: { id, document }, headers: { "idempotency-key": id } });
  h.assert(made.status === 201, "draft: " + JSON.stringify(made.body).slice(0, 400));
  const issued = await h.api("POST", `/api/invoices/${id}/issue`, { headers: { "if-match": String(made.body.version) } });
  h.assert([200, 202].includes(issued.status) || issued.body?.code === "signing_pending", "issue: " + JSON.stringify(issued.body).slice(0, 400));
  const valid = symbol.startsWith("K") ? ["signed", "data_sent", "data_accepted"] : ["coded"];
  let last = null;
  await h.eventually(async () => valid.includes((last = (await h.api("GET", `/api/invoices/${id}`)).body).status),
    `the original ${id} is valid: ${JSON.stringify(issued.body).slice(0, 300)}`, 90000)
    .catch((e) => { throw new Error(`${e.message}; now ${JSON.stringify(last).slice(0, 600)}`); });
  return (await h.api("GET", `/api/invoices/${id}`)).body;
}

/** The invoice's screen, then its corrections screen through the link. */
async function openCorrections(page, base, id) {
  await page.goto(`${base}/invoices/${id}`);
  await page.locator("#corrections-open").click();
  await page.locator("#chain").waitFor({ timeout: 20000 });
}

/** The correction's draft, issued from the editor; its screen once it is valid (coded). */
async function issueFromEditor(page, h, id) {
  await page.locator('#sync[data-sync="synced"]').waitFor({ timeout: 20000 });
  await page.getByRole("button", { name: "Phát hành" }).click();
  await page.waitForURL(new RegExp(`/invoices/${id}$`), { timeout: 20000 });
  const valid = h.coded ? /Đã cấp mã/ : /Đã ký số|dữ liệu/;
  await page.locator("#invoice-status", { hasText: valid }).waitFor({ timeout: 90000 });
}

/** The company profile's tax office and place, which a 04/SS takes when its form leaves them empty. */
async function profileOffice(h) {
  const p = (await h.api("GET", "/api/profile")).body;
  if (p.profile.tax_office_code && p.profile.tax_office_name && p.profile.place_name) return;
  const profile = { ...p.profile, tax_office_code: "10100", tax_office_name: "Chi cục Thuế Quận Hoàn Kiếm", place_name: "Hà Nội" };
  const r = await h.api("PUT", "/api/profile", { body: profile, headers: { "if-match": String(p.version) } });
  h.assert(r.status === 200, "profile: " + JSON.stringify(r.body).slice(0, 300));
}

export async function replaceOnPhone(h) {
  const { page, api, assert, artifacts, server, yy } = h;
  const base = server.base;
  const symbol = `${h.coded ? "C" : "K"}${yy}TRP`;
  const ser = await series(h, symbol);
  // An individual buyer (no tax id): the correction needs no written agreement.
  const original = await issuedOriginal(h, symbol, { name: "Nguyễn Văn Bình", address: "8 Lý Thường Kiệt, Hà Nội" },
    [{ name: "Bàn làm việc gỗ sồi", unit: "Chiếc", quantity: "1", unit_price: "4500000", tax_rate: "10%" }]);
  const orig = original.id;

  await openCorrections(page, base, orig);
  for (const m of ["replacement", "adjustment", "explanation", "cancellation"]) {
    assert(/\S/.test(await page.locator(`#why-${m}`).textContent()), `a sentence says why for ${m}`);
  }
  await page.locator('#action-replacement[data-allowed="true"]').waitFor();
  // Issued after 1 June 2025: no cancellation, and the rule says so.
  await page.locator('#action-cancellation[data-allowed="false"]').waitFor();
  assert(await page.locator("#action-cancellation-start").isDisabled(), "cancel is disabled");
  await page.screenshot({ path: join(artifacts, "corrections-phone.png"), fullPage: true });

  // Notify error: the 04/SS screen with this invoice's row (action 4, explanation) filled in.
  if (await page.locator('#action-explanation[data-allowed="true"]').count()) {
    await profileOffice(h);
    await page.locator("#action-explanation-start").click();
    await page.waitForURL(/\/notices\?invoice=/);
    await page.locator('[id="notice-rows-0-invoice"]').waitFor({ timeout: 20000 });
    await h.eventually(async () => (await page.locator('[id="notice-rows-0-invoice"]').inputValue()) === orig, "the row names the invoice");
    assert((await page.locator('[id="notice-rows-0-action"]').inputValue()) === "4", "action 4: explanation");
    // Office and place left empty: the company profile's.
    assert((await page.locator("#notice-office-code").inputValue()) === "", "no office typed");
    await page.locator('[id="notice-rows-0-reason"]').fill("Sai địa chỉ người mua");
    await page.locator("#notice-send").click();
    await page.locator("#notice-status", { hasText: "Đã gửi thông báo" }).waitFor({ timeout: 20000 });
    const notice = (await api("GET", "/api/notices")).body.items.find((n) => n.input.rows.some((r) => r.invoice_id === orig));
    assert(notice?.input.tax_office_code && notice.input.place, "the notice, its office from the profile: " + JSON.stringify(notice?.input));
    const xml = await raw(h, `/api/notices/${notice.id}/xml`);
    const file = join(artifacts, "notice-explanation.xml");
    writeFileSync(file, xml);
    xmlsecVerifies(file, "NNT", join(server.data, "keys", "demo", "cert.pem"));
    await openCorrections(page, base, orig);
  }

  // A replacement drafted by mistake reserves the invoice until it is discarded from the editor.
  await page.locator("#action-replacement-start").click();
  await page.locator("#correction-reason").fill("Nhầm hóa đơn");
  await page.locator("#correction-submit").click();
  await page.waitForURL(/\/drafts\/[A-Za-z0-9_-]+$/, { timeout: 20000 });
  const mistaken = page.url().split("/").pop();
  await page.locator("#discard-correction").waitFor({ timeout: 20000 });
  page.once("dialog", (d) => d.accept());
  await page.locator("#discard-correction").click();
  await page.waitForURL(/\/invoices$/, { timeout: 20000 });
  const gone = await h.api("GET", `/api/invoices/${mistaken}`);
  h.assert(gone.status === 404, `the discarded draft is gone: ${gone.status}`);
  await openCorrections(page, base, orig);
  await page.locator('#action-replacement[data-allowed="true"]').waitFor();

  // Replace: the reason, then the new draft in the normal editor, prefilled with the original.
  await page.locator("#action-replacement-start").click();
  await page.locator("#correction-reason").fill("Sai đơn giá");
  await page.locator("#correction-submit").click();
  await page.waitForURL(/\/drafts\/[A-Za-z0-9_-]+$/, { timeout: 20000 });
  const repl = page.url().split("/").pop();
  await page.locator("#editor-corrects").waitFor({ timeout: 20000 });
  await page.locator('[id="lines[0].name"][value="Bàn làm việc gỗ sồi"]').waitFor();
  await page.locator("#symbol").selectOption(ser);
  await page.locator('[id="lines[0].unit_price"]').fill("4200000");
  await page.locator("#total").filter({ hasText: "4.620.000" }).waitFor();
  await page.screenshot({ path: join(artifacts, "replacement-editor-phone.png"), fullPage: true });
  await issueFromEditor(page, h, repl);

  // The replacement names the original, with a link to it…
  await page.locator(`#corrects a[href="/invoices/${orig}"]`).waitFor();
  assert((await page.locator("#corrects").textContent()).includes("Thay thế cho hóa đơn"), "replaces");
  const xml = await verifyInvoiceXml(h, repl, "replacement");
  assert(xml.includes("<TCHDon>1</TCHDon>") && xml.includes(`<SHDCLQuan>${original.number}</SHDCLQuan>`), "TTHDLQuan names the original");
  await page.screenshot({ path: join(artifacts, "replacement-phone.png"), fullPage: true });
  // …and the original shows it is replaced, its chain naming the replacement.
  await page.locator(`#corrects a[href="/invoices/${orig}"]`).click();
  await page.locator('#invoice-standing[data-standing="replaced"]', { hasText: "Đã bị thay thế" }).waitFor({ timeout: 20000 });
  await page.locator("#corrections-open").click();
  await page.locator(`#chain-${repl}[data-method="replacement"][data-state="valid"]`).waitFor({ timeout: 20000 });
  await page.locator('#action-replacement[data-allowed="false"]').waitFor();
  await page.screenshot({ path: join(artifacts, "replaced-phone.png"), fullPage: true });
  // From the replacement's corrections screen, the same chain, the original first.
  await page.locator(`#chain-${repl} a`).click();
  await page.locator("#corrections-open").click();
  await page.locator(`#chain-${orig}[data-method="original"]`).waitFor({ timeout: 20000 });
  // The list's filter by standing.
  await page.goto(`${base}/invoices`);
  await page.locator("#filter-status").selectOption("standing:replaced");
  await page.getByRole("button", { name: "Lọc" }).click();
  // The unfiltered list may still be on screen right after the click: wait for the replacement's
  // row to go (the filtered page has arrived), then the original must be there.
  await page.locator(`table.invoices a[href="/invoices/${repl}"]`).waitFor({ state: "detached", timeout: 20000 });
  await page.locator(`table.invoices a[href="/invoices/${orig}"]`).waitFor({ timeout: 20000 });
  const listed = (await api("GET", "/api/invoices?standing=replaced")).body.items.map((r) => r.id);
  assert(listed.includes(orig), "the API's filter agrees");
}

export async function adjustOnDesktop(h) {
  const { page, browser, api, assert, artifacts, server, yy } = h;
  const base = server.base;
  const symbol = `${h.coded ? "C" : "K"}${yy}TDC`;
  const ser = await series(h, symbol);
  // A business buyer (a tax id): its written agreement comes before the correction is issued.
  const original = await issuedOriginal(h, symbol,
    { name: "Công ty TNHH Thương mại Hòa Bình", tax_id: "0100109106", address: "3 Tràng Tiền, Hà Nội" },
    [{ name: "Máy chiếu Epson", unit: "Chiếc", quantity: "2", unit_price: "5000000", tax_rate: "10%" }]);
  const orig = original.id;

  // Adjust, decrease: the draft has no lines; the decrease is written negative.
  await openCorrections(page, base, orig);
  await page.locator("#action-adjustment-start").click();
  await page.locator("#direction-decrease").check();
  await page.locator("#correction-reason").fill("Giảm giá một máy do lỗi vỏ");
  await page.locator("#correction-submit").click();
  await page.waitForURL(/\/drafts\/[A-Za-z0-9_-]+$/, { timeout: 20000 });
  const adj = page.url().split("/").pop();
  await page.locator("#editor-corrects").waitFor({ timeout: 20000 });
  await page.locator("#symbol").selectOption(ser);
  if (!(await page.locator('[id="lines[0].name"]').count())) await page.getByRole("button", { name: "Thêm dòng" }).click();
  await h.line(page, 0, { name: "Giảm giá máy chiếu Epson", unit: "Chiếc", quantity: "-1", price: "5000000", rate: "10%" });
  await page.locator("#total").filter({ hasText: "-5.500.000" }).waitFor();
  assert((await page.locator('[id="lines[0].quantity-msg"]').textContent()) === "", "a negative quantity is right in a decrease");
  await page.locator('#sync[data-sync="synced"]').waitFor({ timeout: 20000 });
  // Not before the buyer agrees.
  await page.getByRole("button", { name: "Phát hành" }).click();
  await page.locator(".editor .error", { hasText: "correction.awaiting_confirmation" }).waitFor({ timeout: 20000 });
  assert((await api("GET", `/api/invoices/${adj}`)).body.status === "draft", "still a draft");
  await page.screenshot({ path: join(artifacts, "adjustment-refused-desktop.png"), fullPage: true });

  // The seller requests the buyer's confirmation and copies the link.
  await page.locator("#editor-corrects a").click();
  await page.locator("#confirmation-request").click();
  const link = await page.locator("#confirmation-link").inputValue();
  assert(link.startsWith(`${base}/confirm#`), "the buyer's link, its key in the fragment: " + link);
  await page.locator('#confirmation-state[data-state="awaiting_buyer"]').waitFor();
  await page.screenshot({ path: join(artifacts, "confirmation-requested-desktop.png"), fullPage: true });
  // The list's filter: corrections awaiting the buyer.
  await page.goto(`${base}/invoices`);
  await page.locator("#filter-status").selectOption("awaiting_confirmation");
  await page.getByRole("button", { name: "Lọc" }).click();
  await page.locator(`table.invoices a[href="/drafts/${adj}"]`).waitFor({ timeout: 20000 });

  // The buyer, in a browser that never signed in: the page, then Confirm.
  const buyer = await browser.newContext({ viewport: { width: 390, height: 844 } });
  try {
    const bp = await buyer.newPage();
    // A key nobody was sent: nothing to confirm.
    await bp.goto(`${base}/confirm#demo.${"x".repeat(43)}`);
    await bp.locator("#public-gone").waitFor({ timeout: 20000 });
    await bp.goto(link);
    await bp.reload(); // a new address with only another fragment is not a new page
    await bp.locator("#public-statement", { hasText: "Điều chỉnh giảm cho hóa đơn" }).waitFor({ timeout: 20000 });
    assert((await bp.locator("#email").count()) === 0, "no sign-in on the buyer's page");
    assert((await bp.locator("#public-total").textContent()) === "-5.500.000", "the correction's total");
    assert((await bp.locator("#public-reason").textContent()).includes("lỗi vỏ"), "the reason");
    await bp.screenshot({ path: join(artifacts, "public-confirmation-phone.png"), fullPage: true });
    assert(await bp.locator("#public-confirm").isDisabled(), "who confirms is asked first");
    await bp.locator("#public-name").fill("Trần Thị Lan");
    await bp.locator("#public-confirm").click();
    await bp.locator('#public-state[data-state="confirmed"]').waitFor({ timeout: 20000 });
    await bp.locator("#public-done").waitFor();
  } finally {
    await buyer.close();
  }

  // The seller's screen follows; the draft is issued now.
  await page.goto(`${base}/invoices/${adj}/corrections`);
  await page.locator('#confirmation-state[data-state="confirmed"]').waitFor({ timeout: 20000 });
  assert((await page.locator("#confirmation-history li").count()) >= 2, "requested, then confirmed by the buyer");
  await page.locator("#confirmation-open-draft").click();
  await page.locator('[id="lines[0].name"]').waitFor({ timeout: 20000 });
  await issueFromEditor(page, h, adj);
  await page.locator(`#corrects a[href="/invoices/${orig}"]`).waitFor();
  assert((await page.locator("#corrects").textContent()).includes("Điều chỉnh cho hóa đơn"), "adjusts");
  const xml = await verifyInvoiceXml(h, adj, "adjustment-decrease");
  assert(xml.includes("<TCHDon>2</TCHDon>") && xml.includes(`<SHDCLQuan>${original.number}</SHDCLQuan>`), "TTHDLQuan names the original");
  assert(/<TgTTTBSo>-5500000<\/TgTTTBSo>/.test(xml), "the total is negative");

  // The original: adjusted, with the figures of both (11,000,000 − 5,500,000).
  await page.locator(`#corrects a[href="/invoices/${orig}"]`).click();
  await page.locator('#invoice-standing[data-standing="adjusted"]').waitFor({ timeout: 20000 });
  await page.locator("#corrections-open").click();
  await page.locator(`#chain-${adj}[data-method="adjustment"][data-state="valid"]`).waitFor({ timeout: 20000 });
  await page.locator(`#chain-${adj} [data-confirmation="confirmed"]`).waitFor();
  assert((await page.locator("#cumulative-net").textContent()) === "5.000.000", "net with the adjustment");
  assert((await page.locator("#cumulative-total").textContent()) === "5.500.000", "total with the adjustment");
  await page.screenshot({ path: join(artifacts, "adjusted-desktop.png"), fullPage: true });

  // Another adjustment (information only), agreed on paper: the seller records the signed
  // document instead of the link; then revokes it (after saying yes to the question).
  await page.locator("#action-adjustment-start").click();
  await page.locator("#direction-information").check();
  await page.locator("#correction-reason").fill("Sửa tên hàng hóa");
  await page.locator("#correction-submit").click();
  await page.waitForURL(/\/drafts\/[A-Za-z0-9_-]+$/, { timeout: 20000 });
  const info = page.url().split("/").pop();
  await page.locator("#editor-corrects a").click();
  await page.locator("#confirmation-request").click();
  await page.locator('#confirmation-state[data-state="awaiting_buyer"]').waitFor({ timeout: 20000 });
  const pdf = Buffer.from("%PDF-1.4\n% hoadon e2e: the buyer's signed agreement\n%%EOF\n");
  await page.locator("#confirmation-file").setInputFiles({ name: "bien-ban-dieu-chinh.pdf", mimeType: "application/pdf", buffer: pdf });
  await page.locator("#confirmation-record").click();
  await page.locator('#confirmation-state[data-state="confirmed"]').waitFor({ timeout: 20000 });
  await page.locator("#confirmation-document", { hasText: "bien-ban-dieu-chinh.pdf" }).waitFor();
  const recorded = (await api("GET", `/api/invoices/${info}/confirmation`)).body;
  assert(recorded.state === "confirmed" && recorded.document?.size === pdf.length, "recorded: " + JSON.stringify(recorded).slice(0, 300));
  page.once("dialog", (d) => d.accept());
  await page.locator("#confirmation-revoke").click();
  await page.locator('#confirmation-state[data-state="revoked"]').waitFor({ timeout: 20000 });
  await page.locator("#confirmation-request").waitFor();
  await page.screenshot({ path: join(artifacts, "confirmation-revoked-desktop.png"), fullPage: true });
}

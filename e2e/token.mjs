// Signing with a USB token (#15) in the browser: a series set to token mode on the series
// screen, an invoice issued there waits for the token (banner, home list, list filter), and the
// offline round trip — export a bundle on the token signing screen, sign it outside the browser,
// import the signed bundle — completes it: signed, and its XML verifies with xmlsec1 against the
// token's certificate. The "token" is a software RSA key made here with openssl, signing each
// SignedInfo with RSA PKCS#1 v1.5 over SHA-256, as a token does (CKM_RSA_PKCS over the DigestInfo).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeCertificate, registerOnScreen } from "./certificates.mjs";

/**
 * A key and a self-signed certificate carrying the seller's MST, registered for the tenant on
 * the certificates screen; listed there as usable by the token-mode series.
 */
async function tokenCertificate(page, api, dir, taxId, series, assert) {
  const c = makeCertificate(dir, "token", `/C=VN/CN=An Phat USB token (e2e)/UID=MST:${taxId}`);
  await registerOnScreen(page, c.cert, "USB token e2e");
  await page.locator(`#certificates tr[data-id="${c.id}"]`, { hasText: series }).waitFor();
  const r = await api("GET", `/api/certificates/${c.id}`);
  assert(r.status === 200 && r.body.tax_id === taxId && r.body.used_by_series.includes(series), "certificate registered: " + JSON.stringify(r.body));
  return c;
}

/** The editor: a one-line invoice in `series`, issued; answers its id once the detail screen shows it. */
async function issueInSeries(page, { newInvoice, fillBuyer, line }, series, item) {
  await newInvoice(page);
  await page.locator("#symbol").selectOption(series);
  await fillBuyer(page, "0312345673");
  await line(page, 0, item);
  await page.locator('#sync[data-sync="synced"]').waitFor({ timeout: 20000 });
  await page.getByRole("button", { name: "Phát hành" }).click();
  await page.locator("#invoice-status").waitFor({ timeout: 20000 });
  return page.url().split("/").pop();
}

/** RSA PKCS#1 v1.5 over SHA-256 of the SignedInfo bytes, by openssl: what the token returns. */
function sign(key, signedInfoBase64) {
  return execFileSync("openssl", ["dgst", "-sha256", "-sign", key], { input: Buffer.from(signedInfoBase64, "base64") })
    .toString("base64");
}

export async function tokenScenario(h) {
  const { page, api, yy, fillProfile, assert, artifacts, seller, issuedStates } = h;
  const menu = page.getByRole("navigation", { name: "Menu chính" });
  const dir = mkdtempSync(join(tmpdir(), "hoadon-token-"));
  try {
    await fillProfile(page);
    const symbol = `C${yy}TTK`;
    const series = "1" + symbol;
    await menu.getByRole("link", { name: "Ký hiệu hóa đơn" }).click();
    await page.locator("#series-symbol").fill(symbol);
    await page.getByRole("button", { name: "Tạo ký hiệu" }).click();
    const mode = page.locator(`#series-mode-${series}`);
    await mode.waitFor();
    assert((await mode.getAttribute("data-mode")) === "cloud", "a new series signs with the cloud key");
    // CA remote signing needs the tenant's account there: without one, a typed refusal.
    const remote = (await api("PUT", `/api/series/${series}/signing`, { body: { mode: "remote" } }));
    if (remote.status === 422) {
      await mode.selectOption("remote");
      const err = page.locator("#series-error").filter({ hasText: "signing.remote_not_configured" });
      await err.waitFor();
      assert((await err.textContent()).includes("Chưa cấu hình tài khoản ký số từ xa"), "the refusal in Vietnamese");
      await page.locator(`#series-mode-${series}[data-mode="cloud"]`).waitFor();
    } else {
      await api("PUT", `/api/series/${series}/signing`, { body: { mode: "cloud" } });
    }
    await page.locator(`#series-mode-${series}`).selectOption("token");
    await page.locator("#series-status", { hasText: `Đã đổi cách ký của ký hiệu ${series}` }).waitFor();
    await page.locator(`#series-mode-${series}[data-mode="token"]`).waitFor();
    const listed = (await api("GET", "/api/series")).body.items.find((s) => s.form + s.symbol === series);
    assert(listed?.signing_mode === "token", "the series signs with the token: " + JSON.stringify(listed));
    await page.screenshot({ path: join(artifacts, "token-series-desktop.png"), fullPage: true });

    const token = await tokenCertificate(page, api, dir, seller.tax_id, series, assert);

    // Issued from the app: checked and frozen, no number, waiting for the token.
    const id = await issueInSeries(page, h, series,
      { name: "Dịch vụ ký số bằng token", unit: "Gói", quantity: "1", price: "3000000", rate: "10%" });
    await page.locator("#invoice-status", { hasText: "Chờ ký bằng token" }).waitFor();
    await page.locator("#awaiting-token", { hasText: "hoadon token sign" }).waitFor();
    let rec = (await api("GET", `/api/invoices/${id}`)).body;
    assert(rec.status === "awaiting_token" && rec.number == null && rec.signing_mode === "token", "frozen: " + JSON.stringify(rec).slice(0, 300));
    await page.screenshot({ path: join(artifacts, "token-awaiting-desktop.png"), fullPage: true });
    await menu.getByRole("link", { name: "Trang chủ" }).click();
    await page.locator(`#awaiting-token-list a[href="/invoices/${id}"]`).waitFor();
    await page.locator("#count-awaiting-token").filter({ hasText: /[1-9]/ }).waitFor();
    await menu.getByRole("link", { name: "Hóa đơn", exact: true }).click();
    await page.locator("#filter-status").selectOption("awaiting_token");
    await page.getByRole("button", { name: "Lọc" }).click();
    await page.locator(`table.invoices a[href="/invoices/${id}"]`).waitFor();

    // Export: the claim numbers it and the bundle is saved as a file.
    await menu.getByRole("link", { name: "Ký bằng USB token" }).click();
    const row = page.locator(`#token-invoices tr[data-id="${id}"]`);
    await row.waitFor({ timeout: 20000 });
    await page.locator("#token-numbers", { hasText: "cấp số" }).waitFor();
    await page.locator("#token-certificate").selectOption(token.id);
    await row.locator("input[type=checkbox]").check();
    await page.screenshot({ path: join(artifacts, "token-screen-desktop.png"), fullPage: true });
    const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#token-export").click()]);
    assert(/^hoadon-bundle-\d{4}-\d{2}-\d{2}\.json$/.test(download.suggestedFilename()), "file name: " + download.suggestedFilename());
    const bundleFile = join(dir, "bundle.json");
    await download.saveAs(bundleFile);
    const bundle = JSON.parse(readFileSync(bundleFile, "utf8"));
    assert(bundle.format === "hoadon-signing-bundle/1" && bundle.certificate === token.id && bundle.tax_id === seller.tax_id,
      "the bundle: " + JSON.stringify(bundle).slice(0, 300));
    assert(bundle.invoices.length === 1 && bundle.invoices[0].id === id && bundle.invoices[0].number === 1
      && bundle.invoices[0].series === series, "claimed and numbered: " + JSON.stringify(bundle.invoices).slice(0, 300));
    await page.locator("#token-exported", { hasText: `${series} 1` }).waitFor();
    rec = (await api("GET", `/api/invoices/${id}`)).body;
    assert(rec.status === "numbered" && rec.number === 1, "numbered by the claim: " + rec.status);

    // Import: a file that is not a signed bundle is refused by its format, before any request.
    const importFile = (name, text) => page.locator("#token-import").setInputFiles({ name, mimeType: "application/json", buffer: Buffer.from(text) });
    await importFile("bundle.json", readFileSync(bundleFile, "utf8"));
    await page.locator("#token-import-error", { hasText: "gói chưa ký" }).waitFor();
    await importFile("other.json", JSON.stringify({ format: "other-program/2", signatures: [] }));
    await page.locator("#token-import-error", { hasText: "other-program/2" }).waitFor();

    // Signed outside the browser, imported back: attached; the same file again changes nothing.
    const signatures = bundle.invoices.map((inv) => {
      const bytes = Buffer.from(inv.signed_info_base64, "base64");
      assert(createHash("sha256").update(bytes).digest("hex") === inv.digest_sha256, "the digest is the SignedInfo's");
      return { invoice: inv.id, certificate: bundle.certificate, signature_base64: sign(token.key, inv.signed_info_base64) };
    });
    const signed = JSON.stringify({ format: "hoadon-signatures/1", signatures });
    await importFile("hoadon-signatures.json", signed);
    await page.locator(`#token-results tr[data-outcome="attached"][data-id="${id}"]`).waitFor({ timeout: 20000 });
    await page.screenshot({ path: join(artifacts, "token-imported-desktop.png"), fullPage: true });
    await importFile("hoadon-signatures.json", signed);
    await page.locator(`#token-results tr[data-outcome="already_attached"][data-id="${id}"]`).waitFor({ timeout: 20000 });
    // Another signature for an invoice already signed: refused with its code, nothing changed.
    const forged = { ...signatures[0], signature_base64: sign(token.key, Buffer.from("other bytes").toString("base64")) };
    await importFile("forged.json", JSON.stringify({ format: "hoadon-signatures/1", signatures: [forged] }));
    const refused = page.locator(`#token-results tr[data-outcome="refused"][data-id="${id}"]`);
    await refused.waitFor({ timeout: 20000 });
    assert(/\S/.test(await refused.locator("code").textContent()), "the refusal's code is shown");
    await page.locator(`#token-invoices tr[data-id="${id}"]`).waitFor({ state: "detached" });

    // The invoice: signed with the token's key, and its XML verifies with the token's certificate.
    await page.locator(`#token-results tr[data-id="${id}"] a`).click();
    await page.locator("#download").waitFor({ timeout: 20000 });
    await page.locator("#signature.ok").waitFor();
    const status = await page.locator("#invoice-status").textContent();
    assert(issuedStates.includes(status), "status: " + status);
    assert((await page.locator("#awaiting-token").count()) === 0, "no banner once signed");
    const href = await page.locator("#download").getAttribute("href");
    const xml = decodeURIComponent(href.slice(href.indexOf(",") + 1));
    assert(xml.includes(`<KHHDon>${symbol}</KHHDon>`) && xml.includes("<SHDon>1</SHDon>"), "series and number 1");
    const file = join(artifacts, "issued-token.xml");
    writeFileSync(file, xml);
    execFileSync("xmlsec1", ["--verify", "--id-attr:Id", "DLHDon", "--pubkey-cert-pem", token.cert,
      "--enabled-key-data", "key-name", file], { stdio: "pipe" });
    await page.screenshot({ path: join(artifacts, "token-signed-desktop.png"), fullPage: true });

    // Another one, withdrawn before any session claimed it: a draft again, without a number.
    const second = await issueInSeries(page, h, series,
      { name: "Hóa đơn sẽ rút lại", unit: "Gói", quantity: "1", price: "100000", rate: "10%" });
    await page.locator("#invoice-status", { hasText: "Chờ ký bằng token" }).waitFor();
    await page.getByRole("button", { name: "Rút về bản nháp" }).click();
    await page.locator("#invoice-status", { hasText: "Nháp" }).waitFor();
    rec = (await api("GET", `/api/invoices/${second}`)).body;
    assert(rec.status === "draft" && rec.number == null, "withdrawn: " + rec.status);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

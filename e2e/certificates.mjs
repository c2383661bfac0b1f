// The certificate registry screen (#15) in the browser: certificates made here with openssl are
// registered through the screen's file input — one carrying the seller's MST is listed with its
// subject (the same file again is "registered already"), one with another MST (as DER, a .cer)
// is refused with its code and its message in the screen's language — then revoked after the
// confirmation and marked so; the cloud key's certificate request downloads as
// hoadon-<tax id>.csr.pem and `openssl req -verify` accepts it.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A key and a self-signed certificate for `subject` in `dir`: the PEM file, and its registry id (SHA-256 of the DER). */
export function makeCertificate(dir, name, subject) {
  const key = join(dir, `${name}.key.pem`);
  const cert = join(dir, `${name}.cert.pem`);
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
    "-days", "30", "-subj", subject], { stdio: "pipe" });
  const der = execFileSync("openssl", ["x509", "-in", cert, "-outform", "DER"]);
  return { key, cert, der, id: createHash("sha256").update(der).digest("hex") };
}

/** Registers a certificate file on the screen (opened from the menu); waits for the answer and the row. */
export async function registerOnScreen(page, file, label, { created = true } = {}) {
  await page.getByRole("navigation", { name: "Menu chính" }).getByRole("link", { name: "Chứng thư số" }).click();
  await page.getByRole("heading", { name: "Chứng thư số", exact: true }).waitFor();
  await page.locator("#certs-file").setInputFiles(file);
  if (label) await page.locator("#certs-label").fill(label);
  await page.locator("#certs-send").click();
  await page.locator(`#certs-upload-result[data-created="${created}"]`).waitFor({ timeout: 20000 });
}

export async function certificatesScenario(h) {
  const { page, api, fillProfile, assert, artifacts, seller } = h;
  const dir = mkdtempSync(join(tmpdir(), "hoadon-certs-"));
  try {
    await fillProfile(page);
    const own = makeCertificate(dir, "own", `/C=VN/CN=An Phat registry e2e/UID=MST:${seller.tax_id}`);
    const other = makeCertificate(dir, "other", "/C=VN/CN=Another company e2e/UID=MST:0100109106");

    // Registered through the screen: listed with its subject, tax id, validity and uploader.
    await registerOnScreen(page, own.cert, "Chứng thư e2e");
    await page.locator("#certs-upload-result", { hasText: "Đã đăng ký chứng thư" }).waitFor();
    const row = page.locator(`#certificates tr[data-id="${own.id}"]`);
    await row.waitFor();
    const listed = (await api("GET", "/api/certificates")).body.items.find((c) => c.id === own.id);
    assert(listed && listed.subject.includes("An Phat registry e2e") && listed.tax_id === seller.tax_id, "registered: " + JSON.stringify(listed));
    assert((await row.locator("td.subject").textContent()) === listed.subject, "the row shows the subject");
    const text = await row.textContent();
    assert(text.includes("Chứng thư e2e") && text.includes(seller.tax_id) && text.includes("Còn hiệu lực") && text.includes("2048"), "the row: " + text);
    assert((await row.getAttribute("data-validity")) === "valid" && (await row.getAttribute("data-revoked")) === "false", "valid, not revoked");
    // The same file again: the record as it is, said so.
    await registerOnScreen(page, own.cert, null, { created: false });
    await page.locator("#certs-upload-result", { hasText: "đã được đăng ký từ trước" }).waitFor();
    await page.screenshot({ path: join(artifacts, "certificates-desktop.png"), fullPage: true });

    // Another company's certificate, as DER: refused, its code shown, the message in the screen's language.
    const cer = join(dir, "other.cer");
    execFileSync("openssl", ["x509", "-in", other.cert, "-outform", "DER", "-out", cer]);
    await page.locator("#certs-file").setInputFiles(cer);
    await page.locator("#certs-send").click();
    const refused = page.locator('#certs-upload-result[data-code="certificate.other_tax_id"]');
    await refused.waitFor({ timeout: 20000 });
    let said = await refused.textContent();
    assert(said.includes("certificate.other_tax_id") && said.includes("0100109106") && said.includes("không phải MST") && !said.includes(" / "), "the refusal in Vietnamese: " + said);
    // In English (the screen is mounted again in the other language): the English half.
    await page.getByRole("button", { name: "English" }).click();
    await page.getByRole("heading", { name: "Certificates", exact: true }).waitFor();
    await page.locator("#certs-file").setInputFiles(cer);
    await page.locator("#certs-send").click();
    await refused.filter({ hasText: "not the company's" }).waitFor({ timeout: 20000 });
    said = await refused.textContent();
    assert(!said.includes("không phải"), "the refusal in English only: " + said);
    await page.getByRole("button", { name: "Tiếng Việt" }).click();
    await page.getByRole("heading", { name: "Chứng thư số", exact: true }).waitFor();
    assert((await api("GET", "/api/certificates")).body.items.every((c) => c.id !== other.id), "nothing registered");

    // Revoked after the confirmation (dismissed first: nothing changes).
    page.once("dialog", (d) => d.dismiss());
    await row.getByRole("button", { name: "Thu hồi" }).click();
    await page.waitForTimeout(300);
    assert((await row.getAttribute("data-revoked")) === "false", "dismissed: not revoked");
    page.once("dialog", (d) => d.accept());
    await row.getByRole("button", { name: "Thu hồi" }).click();
    await page.locator(`#certificates tr[data-id="${own.id}"][data-revoked="true"]`).waitFor({ timeout: 20000 });
    await page.locator("#certs-status", { hasText: "Đã thu hồi chứng thư" }).waitFor();
    assert((await row.getByRole("button", { name: "Thu hồi" }).count()) === 0, "no revoke button on a revoked one");
    assert((await row.textContent()).includes("Đã thu hồi"), "marked revoked");
    assert((await api("GET", `/api/certificates/${own.id}`)).body.revoked === true, "revoked on the server");

    // The cloud key's certificate request: subject shown, downloaded, verified by openssl.
    await page.locator("#certs-csr-make").click();
    await page.locator("#certs-csr-made", { hasText: `MST:${seller.tax_id}` }).waitFor({ timeout: 20000 });
    const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#certs-csr-download").click()]);
    assert(download.suggestedFilename() === `hoadon-${seller.tax_id}.csr.pem`, "file name: " + download.suggestedFilename());
    const csr = join(dir, download.suggestedFilename());
    await download.saveAs(csr);
    assert(readFileSync(csr, "utf8").startsWith("-----BEGIN CERTIFICATE REQUEST-----"), "a PEM certificate request");
    execFileSync("openssl", ["req", "-verify", "-noout", "-in", csr], { stdio: "pipe" });
    const subject = execFileSync("openssl", ["req", "-noout", "-subject", "-nameopt", "utf8", "-in", csr], { encoding: "utf8" });
    assert(subject.includes(`MST:${seller.tax_id}`), "the request's subject: " + subject);
    await page.screenshot({ path: join(artifacts, "certificates-csr-desktop.png"), fullPage: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

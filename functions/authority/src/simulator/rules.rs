//! What the simulated authority checks, as data: the envelope (999 errors) and each invoice
//! (204 errors). No I/O, no signing: `mod.rs` turns the verdicts into replies.

use super::replies::Problem;
use super::state::{InvoiceKey, State};
use hoadon_core::dsig::verify_document;
use hoadon_core::tdiep::{Header, MessageKind, SignedHDon};
use hoadon_core::xml::{dom, read_invoice};
use hoadon_core::{Severity, check};
use sha2::{Digest, Sha256};

/// The envelope's problems (a 999 with `TTTNhan` 1; nothing is recorded).
pub(crate) fn envelope_problems(h: &Header) -> Vec<(&'static str, String)> {
    let mut p = Vec::new();
    if h.receiver != super::replies::TCT {
        p.push((
            "envelope.receiver",
            format!(
                "MNNhan is {:?}: messages to the authority go to TCT",
                h.receiver
            ),
        ));
    }
    let tvan = h.sender.strip_prefix('V').is_some_and(|rest| {
        (10..=13).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_digit())
    });
    if !tvan {
        p.push((
            "envelope.sender",
            format!(
                "MNGui is {:?}: expected a T-VAN code, V followed by its 10- or 13-digit tax id",
                h.sender
            ),
        ));
    }
    if h.id.sender() != h.sender {
        p.push((
            "envelope.message_id",
            format!(
                "MTDiep {} does not start with the sender code {}",
                h.id, h.sender
            ),
        ));
    }
    if !h.version.starts_with("2.") {
        p.push((
            "envelope.version",
            format!("PBan {} is not a 2.x version", h.version),
        ));
    }
    if h.reference.is_some() {
        p.push((
            "envelope.reference",
            "MTDTChieu must be empty in a message to the authority".into(),
        ));
    }
    if h.tax_id.is_none() {
        p.push(("envelope.mst", "MST is missing".into()));
    }
    if h.count.is_none() {
        p.push(("envelope.count", "SLuong is missing".into()));
    }
    let known = matches!(
        h.kind,
        MessageKind::Registration
            | MessageKind::ForCode
            | MessageKind::UncodedData
            | MessageKind::ErrorNotice
    );
    if !known {
        p.push((
            "envelope.kind",
            format!(
                "MLTDiep {} is not one the simulator takes (100, 200, 203, 300)",
                h.kind
            ),
        ));
    }
    p
}

/// An invoice that passed every check.
#[derive(Debug, Clone)]
pub(crate) struct Passed {
    pub key: InvoiceKey,
    /// SHA-256 (hex) of the exact `DLHDon` bytes.
    pub dlhdon_sha256: String,
    /// The same invoice was already coded (its coded `HDon`) or accepted uncoded (empty).
    pub before: Option<String>,
}

fn strip(t: &str) -> String {
    t.replace('-', "")
}

/// The checks of one invoice of a 200 (`coded`) or a 203.
///
/// Rules (each failure is one [`Problem`] of the 204):
/// - `invoice.unreadable`, `invoice.<finding code>`: the invoice as hoadon's reader and
///   `check` see it (schema-level rules, totals, tax ids);
/// - `seller.mst_mismatch`: `NBan/MST` is the envelope's `MST`;
/// - `invoice.kind`: the symbol starts with `C` in a 200, `K` in a 203;
/// - `invoice.number_missing`; `mccqt.present` (a 200 must not carry a code);
/// - `registration.missing`: the tax id registered this kind of invoice (when required);
/// - `signature.missing`, `signature.invalid`: the seller signature verifies and covers this
///   `DLHDon` (`dsig::verify_document`, its verdict);
/// - `certificate.not_seller`: the signing certificate carries the seller's MST;
///   `certificate.expired`: it was valid at the signing time;
/// - `number.already_coded` / `number.already_sent`: the same seller, form, symbol and number
///   came before with a different `DLHDon`. The same `DLHDon` again is not an error: it gets
///   the first answer again ([`Passed::before`]).
///
/// Gaps and order are not checked: numbers arrive out of order after retries, and the
/// authority sees only what was sent, not what was skipped.
pub(crate) fn check_invoice(
    st: &State,
    envelope_mst: &str,
    hdon: &SignedHDon,
    coded: bool,
    require_registration: bool,
) -> Result<Passed, Vec<Problem>> {
    let mut problems = Vec::new();
    let xml = hdon.as_str();
    let doc = match read_invoice(xml) {
        Ok(d) => d,
        Err(e) => return Err(vec![Problem::new("invoice.unreadable", e.to_string())]),
    };
    let checked = check(&doc);
    for f in checked
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
    {
        problems.push(Problem::new(
            &format!("invoice.{}", f.code),
            format!("{}: {}", f.path, f.message_vi),
        ));
    }
    let seller = doc.seller.tax_id.clone().unwrap_or_default();
    if strip(&seller) != strip(envelope_mst) {
        problems.push(Problem::new(
            "seller.mst_mismatch",
            format!("NBan/MST {seller} is not the message's MST {envelope_mst}"),
        ));
    }
    let letter = if coded { 'C' } else { 'K' };
    if !doc.symbol.starts_with(letter) {
        problems.push(Problem::new(
            "invoice.kind",
            format!(
                "KHHDon {} does not start with {letter}: MLTDiep {} carries {} invoices",
                doc.symbol,
                if coded { 200 } else { 203 },
                if coded { "coded" } else { "uncoded" }
            ),
        ));
    }
    if coded && doc.authority_code.is_some() {
        problems.push(Problem::new(
            "mccqt.present",
            "the invoice already carries an MCCQT",
        ));
    }
    if require_registration {
        let ok = st
            .registrations
            .get(&strip(envelope_mst))
            .is_some_and(|r| if coded { r.coded } else { r.uncoded });
        if !ok {
            problems.push(
                Problem::new(
                    "registration.missing",
                    format!(
                        "MST {envelope_mst} has no accepted registration (100) for {} invoices",
                        if coded { "coded" } else { "uncoded" }
                    ),
                )
                .advise("Gửi tờ khai đăng ký 01/ĐKTĐ-HĐĐT (MLTDiep 100)"),
            );
        }
    }
    signature_problems(xml, &seller, &mut problems);
    let Some(number) = doc.number else {
        problems.push(Problem::new("invoice.number_missing", "SHDon is missing"));
        return Err(problems);
    };
    let key = InvoiceKey {
        tax_id: strip(&seller),
        form: doc.form.clone(),
        symbol: doc.symbol.clone(),
        number,
    };
    let dlhdon_sha256 = match dlhdon_digest(xml) {
        Some(d) => d,
        None => {
            problems.push(Problem::new("invoice.unreadable", "no DLHDon"));
            return Err(problems);
        }
    };
    let before = if coded {
        st.coded
            .get(&key)
            .map(|c| (c.dlhdon_sha256.clone(), c.hdon.clone()))
    } else {
        st.uncoded.get(&key).map(|d| (d.clone(), String::new()))
    };
    let before = match before {
        Some((sha, first)) if sha == dlhdon_sha256 => Some(first),
        Some(_) => {
            problems.push(
                Problem::new(
                    if coded {
                        "number.already_coded"
                    } else {
                        "number.already_sent"
                    },
                    format!(
                        "{} {} number {number} was already {} with different content",
                        key.form,
                        key.symbol,
                        if coded { "coded" } else { "received" }
                    ),
                )
                .advise("Một số hóa đơn chỉ được cấp mã một lần"),
            );
            None
        }
        None => None,
    };
    if problems.is_empty() {
        Ok(Passed {
            key,
            dlhdon_sha256,
            before,
        })
    } else {
        Err(problems)
    }
}

fn signature_problems(xml: &str, seller: &str, problems: &mut Vec<Problem>) {
    let reports = match verify_document(xml) {
        Ok(r) => r,
        Err(e) => {
            problems.push(Problem::new("signature.invalid", e.to_string()));
            return;
        }
    };
    let Some(r) = reports.iter().find(|r| r.location == "HDon/DSCKS/NBan") else {
        problems.push(Problem::new(
            "signature.missing",
            "no seller signature in DSCKS/NBan",
        ));
        return;
    };
    if let Some(why) = &r.failure {
        problems.push(Problem::new("signature.invalid", why.clone()));
        return;
    }
    if r.tax_id.as_deref().map(strip) != Some(strip(seller)) {
        problems.push(Problem::new(
            "certificate.not_seller",
            format!(
                "the signing certificate carries MST {:?}, not the seller's {seller}",
                r.tax_id.as_deref().unwrap_or("")
            ),
        ));
    }
    if let Some(w) = r
        .warnings
        .iter()
        .find(|w| w.contains("not valid at the signing time"))
    {
        problems.push(Problem::new("certificate.expired", w.clone()));
    }
}

/// SHA-256 (hex) of the exact bytes of the `HDon`'s `DLHDon`.
pub(crate) fn dlhdon_digest(xml: &str) -> Option<String> {
    let doc = dom::parse(xml).ok()?;
    let dl = doc.root.child("DLHDon")?;
    let bytes = xml.as_bytes().get(dl.start..dl.end)?;
    Some(super::replies::hex(&Sha256::digest(bytes)))
}

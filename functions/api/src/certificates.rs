//! The tenant's signing-certificate registry (#15): admins upload the certificates the company
//! signs with (a token's, a CA's remote-signing account's), so that signatures made outside the
//! server can later be checked against a certificate of the tenant. Only certificates that could
//! sign the company's invoices are kept: RSA of at least 2048 bits, the company's own `MST:` in
//! the subject, valid now. Nothing here decides trust in the CA; that is the tax authority's.
//!
//! Items: `CERT / <sha256 of the DER>` (one per certificate: uploading it again answers the same
//! record) and `CERT / head`, the head of the chain `AUDIT#certificates` that records every
//! upload and revocation in the same transaction.
//!
//! Unreadable input (not PEM, not base64, not an X.509 certificate) is `422
//! certificate.unreadable`, not `400`: the request is well-formed JSON of the documented shape;
//! its content is what is refused, like every other rule here.

use crate::error::ApiError;
use crate::invoices::{AuditReport, Services, from_item};
use crate::ports::sha256_hex;
use crate::side_chain::SideChain;
use crate::store::{Condition, Op, StoreError, TenantStore};
use hoadon_core::DateTime;
use hoadon_core::api::certificates::{CertificateUpload, CertificateView};
use hoadon_core::dsig::{self, SignerCertificate, cert};
use serde::{Deserialize, Serialize};

const PK: &str = "CERT";
/// The chain `AUDIT#certificates`, headed at `CERT / head` (no one certificate holds it, as the
/// chain spans them all).
const CHAIN: SideChain = SideChain {
    pk: PK,
    chain: "certificates",
};
/// Smallest RSA modulus accepted: what Vietnamese CAs issue and Decree 123 signatures need.
const MIN_KEY_BITS: usize = 2048;
const MAX_LABEL: usize = 100;
/// The longest `pem` or `der_base64` read (as documented): a certificate is a few KiB.
const MAX_TEXT: usize = 65536;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CertRecord {
    /// The DER in base64: kept whole so that signatures can later be verified with it.
    der: String,
    #[serde(default)]
    label: Option<String>,
    subject: String,
    issuer: String,
    tax_id: String,
    not_before: String,
    not_after: String,
    key_bits: u32,
    uploaded_at: i64,
    uploaded_by: String,
    #[serde(default)]
    revoked: bool,
    #[serde(default)]
    revoked_at: Option<i64>,
    #[serde(default)]
    revoked_by: Option<String>,
    /// The CA certificates uploaded with it (DER in base64, as given after the leaf): kept for
    /// the registration and for verifiers; trust in them is not judged here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    chain: Vec<String>,
}

/// A `422` whose message carries both languages, as the screens show either.
fn refuse(code: &'static str, vi: &str, en: &str) -> ApiError {
    ApiError::Unprocessable(code, format!("{vi} / {en}"))
}

fn unreadable(why: &str) -> ApiError {
    refuse(
        "certificate.unreadable",
        "Không đọc được chứng thư số",
        &format!("not a readable X.509 certificate ({why})"),
    )
}

fn view(id: &str, r: CertRecord) -> CertificateView {
    CertificateView {
        id: id.to_owned(),
        label: r.label,
        subject: r.subject,
        issuer: r.issuer,
        tax_id: r.tax_id,
        not_before: r.not_before,
        not_after: r.not_after,
        key_bits: r.key_bits,
        uploaded_at: r.uploaded_at,
        uploaded_by: r.uploaded_by,
        revoked: r.revoked,
        used_by_series: Vec::new(),
    }
}

fn utc(t: DateTime) -> String {
    format!("{t}Z")
}

/// The DER bytes of the upload — exactly one of `pem` and `der_base64` — and the chain that
/// came with it. A PEM bundle (what CAs send: the certificate and its CA certificates, in any
/// order) is read whole: the certificate is the one block whose subject carries an `MST:`
/// (else the first), the others are its chain.
fn der_of(input: &CertificateUpload) -> Result<(Vec<u8>, Vec<Vec<u8>>), ApiError> {
    let text = [&input.pem, &input.der_base64];
    if text
        .iter()
        .any(|t| t.as_ref().is_some_and(|t| t.chars().count() > MAX_TEXT))
    {
        return Err(unreadable("longer than 65536 characters"));
    }
    match (&input.pem, &input.der_base64) {
        (Some(pem), None) => {
            let mut blocks = pem_blocks(pem)?;
            if blocks.is_empty() {
                return Err(unreadable("no PEM CERTIFICATE block"));
            }
            let with_tax_id: Vec<usize> = (0..blocks.len())
                .filter(|i| cert::parse(&blocks[*i]).is_ok_and(|c| c.tax_id().is_some()))
                .collect();
            let leaf = match with_tax_id[..] {
                [i] => blocks.remove(i),
                _ => blocks.remove(0),
            };
            Ok((leaf, blocks))
        }
        (None, Some(b64)) => {
            let compact: String = b64.chars().filter(|c| !c.is_whitespace()).collect();
            let der =
                dsig::b64_decode(&compact).map_err(|_| unreadable("der_base64 is not base64"))?;
            Ok((der, Vec::new()))
        }
        _ => Err(refuse(
            "certificate.pem_or_der",
            "Gửi chứng thư số dạng PEM hoặc DER (chỉ một)",
            "send the certificate as pem or der_base64, exactly one of them",
        )),
    }
}

/// Every `CERTIFICATE` block of a PEM text, decoded (at most 8: a certificate and its CAs).
fn pem_blocks(pem: &str) -> Result<Vec<Vec<u8>>, ApiError> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    let mut out = Vec::new();
    let mut rest = pem;
    while let Some(i) = rest.find(BEGIN) {
        if out.len() == 8 {
            return Err(unreadable("more than 8 certificates in the PEM bundle"));
        }
        let block = &rest[i..];
        let der = hoadon_signing::pem_block(block, "CERTIFICATE")
            .ok_or_else(|| unreadable("a PEM CERTIFICATE block is not base64 or not closed"))?;
        out.push(der);
        rest = &block[BEGIN.len()..];
    }
    Ok(out)
}

/// Each CA certificate must be readable, and the certificate's issuer must be among them.
fn check_chain(leaf: &[u8], chain: &[Vec<u8>]) -> Result<(), ApiError> {
    if chain.is_empty() {
        return Ok(());
    }
    let issuer = cert::issuer(leaf).map_err(|e| unreadable(&e.0))?;
    let mut subjects = Vec::new();
    for der in chain {
        let c = cert::parse(der).map_err(|e| unreadable(&format!("chain: {}", e.0)))?;
        subjects.push(c.subject);
    }
    if !subjects.contains(&issuer) {
        return Err(refuse(
            "certificate.chain_mismatch",
            "Chuỗi chứng thư kèm theo không có chứng thư của tổ chức đã cấp",
            &format!("the chain sent with the certificate does not hold its issuer ({issuer})"),
        ));
    }
    Ok(())
}

fn clean_label(label: Option<String>) -> Result<Option<String>, ApiError> {
    let Some(l) = label.map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()) else {
        return Ok(None);
    };
    if l.chars().count() > MAX_LABEL || l.chars().any(char::is_control) {
        return Err(refuse(
            "certificate.bad_label",
            "Tên gợi nhớ tối đa 100 ký tự, không có ký tự điều khiển",
            "label: at most 100 characters, no control characters",
        ));
    }
    Ok(Some(l))
}

/// Reads and checks a certificate against the company and the clock; the record to keep.
fn check(
    der: &[u8],
    company_tax_id: &str,
    now: DateTime,
) -> Result<(cert::Certificate, String), ApiError> {
    let c = cert::parse(der).map_err(|e| {
        if e.0.starts_with("not an RSA key") {
            weak_key()
        } else {
            unreadable(&e.0)
        }
    })?;
    let issuer = cert::issuer(der).map_err(|e| unreadable(&e.0))?;
    // The key must be one the signing code can verify with (a usable RSA public key).
    SignerCertificate::from_der(der).map_err(|_| weak_key())?;
    if c.key_bits() < MIN_KEY_BITS {
        return Err(weak_key());
    }
    let Some(tax_id) = c.tax_id() else {
        return Err(refuse(
            "certificate.no_tax_id",
            "Chứng thư số không có mã số thuế (MST:) của doanh nghiệp",
            "the certificate's subject has no tax id (MST:)",
        ));
    };
    let company = company_tax_id.trim();
    if company.is_empty() || tax_id != company {
        return Err(refuse(
            "certificate.other_tax_id",
            &format!("Chứng thư số của MST {tax_id}, không phải MST của doanh nghiệp ({company})"),
            &format!("the certificate is for tax id {tax_id}, not the company's ({company})"),
        ));
    }
    if !c.valid_at(now) {
        return Err(refuse(
            "certificate.not_valid_now",
            &format!(
                "Chứng thư số chỉ có hiệu lực từ {} đến {} (UTC)",
                c.not_before, c.not_after
            ),
            &format!(
                "the certificate is valid only from {} to {} (UTC)",
                c.not_before, c.not_after
            ),
        ));
    }
    Ok((c, issuer))
}

fn weak_key() -> ApiError {
    refuse(
        "certificate.weak_key",
        "Khóa của chứng thư số phải là RSA từ 2048 bit",
        "the certificate's key must be RSA of at least 2048 bits",
    )
}

fn put<T: Serialize>(ts: &TenantStore, sk: &str, v: &T, condition: Condition) -> Op {
    Op::Put {
        key: ts.key(PK, sk),
        data: serde_json::to_vec(v).expect("records serialize"),
        condition,
    }
}

/// Registers a certificate; `true` when it is new (`201`), `false` when the same DER was
/// already registered (`200`, the record as it is, revoked or not).
pub async fn upload(
    svc: &Services,
    ts: &TenantStore,
    input: CertificateUpload,
    actor: &str,
) -> Result<(CertificateView, bool), ApiError> {
    let (der, chain) = der_of(&input)?;
    let label = clean_label(input.label)?;
    let id = sha256_hex(&der);
    if let Some(item) = ts.get(PK, &id).await? {
        return Ok((view(&id, from_item(&item)?), false));
    }
    let (profile, _) = crate::profile::current(ts).await?;
    let now = DateTime::from_unix(svc.clock.now(), 0)
        .map_err(|e| ApiError::Internal(format!("clock: {e}")))?;
    let (c, issuer) = check(&der, &profile.tax_id, now)?;
    check_chain(&der, &chain)?;
    let rec = CertRecord {
        der: dsig::b64_encode(&der),
        label,
        subject: c.subject.clone(),
        issuer,
        tax_id: c.tax_id().unwrap_or_default(),
        not_before: utc(c.not_before),
        not_after: utc(c.not_after),
        key_bits: u32::try_from(c.key_bits()).unwrap_or(u32::MAX),
        uploaded_at: svc.clock.now(),
        uploaded_by: actor.to_owned(),
        revoked: false,
        revoked_at: None,
        revoked_by: None,
        chain: chain.iter().map(|d| dsig::b64_encode(d)).collect(),
    };
    for _ in 0..5 {
        let head = CHAIN.head(ts).await?;
        let at = rec.uploaded_at;
        let [h, a] = CHAIN.append(ts, head, at, actor, "certificate_uploaded", &id);
        let ops = vec![put(ts, &id, &rec, Condition::NotExists), h, a];
        match ts.transact(ops).await {
            Ok(_) => {
                tracing::info!(event = "certificate.uploaded", tenant = ts.tenant(), id);
                return Ok((view(&id, rec), true));
            }
            Err(StoreError::ConditionFailed { index: 0 }) => {
                let item = ts.get(PK, &id).await?.ok_or(ApiError::NotFound)?;
                return Ok((view(&id, from_item(&item)?), false));
            }
            Err(StoreError::ConditionFailed { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Unavailable(
        "the certificate registry kept changing; retry".into(),
    ))
}

fn is_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

async fn load(ts: &TenantStore, id: &str) -> Result<(CertRecord, u64), ApiError> {
    if !is_id(id) {
        return Err(ApiError::NotFound);
    }
    let item = ts.get(PK, id).await?.ok_or(ApiError::NotFound)?;
    Ok((from_item(&item)?, item.version))
}

pub async fn get(ts: &TenantStore, id: &str) -> Result<CertificateView, ApiError> {
    Ok(view(id, load(ts, id).await?.0))
}

/// Every certificate of the tenant, revoked ones included, newest upload first.
pub async fn list(ts: &TenantStore) -> Result<Vec<CertificateView>, ApiError> {
    let items = CHAIN.items(ts).await?;
    let mut out = Vec::new();
    for item in items.iter().filter(|i| is_id(&i.key.sk)) {
        out.push(view(&item.key.sk, from_item(item)?));
    }
    out.sort_by(|a, b| b.uploaded_at.cmp(&a.uploaded_at).then(a.id.cmp(&b.id)));
    Ok(out)
}

/// Marks a certificate revoked: it stays listed (signatures made with it stay explained) but
/// will no longer be accepted for new signatures. Revoking it again changes nothing.
pub async fn revoke(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
    actor: &str,
) -> Result<CertificateView, ApiError> {
    for _ in 0..5 {
        let (mut rec, version) = load(ts, id).await?;
        if rec.revoked {
            return Ok(view(id, rec));
        }
        let now = svc.clock.now();
        rec.revoked = true;
        rec.revoked_at = Some(now);
        rec.revoked_by = Some(actor.to_owned());
        let head = CHAIN.head(ts).await?;
        let [h, a] = CHAIN.append(ts, head, now, actor, "certificate_revoked", id);
        let ops = vec![put(ts, id, &rec, Condition::Version(version)), h, a];
        match ts.transact(ops).await {
            Ok(_) => {
                tracing::info!(event = "certificate.revoked", tenant = ts.tenant(), id);
                return Ok(view(id, rec));
            }
            Err(StoreError::ConditionFailed { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Unavailable(
        "the certificate registry kept changing; retry".into(),
    ))
}

/// The chain `AUDIT#certificates`, checked against its head.
pub async fn audit(ts: &TenantStore) -> Result<AuditReport, ApiError> {
    CHAIN.audit(ts).await
}

/// A registered certificate that may sign for `seller_tax_id` at `at` (UTC): the tenant's, not
/// revoked, carrying that `MST:`, valid then — checked with the same rules as an upload, so a
/// certificate is never good enough to sign with but not to register, or the other way round.
/// Used when a signing session claims invoices and when its signatures come back.
pub(crate) async fn for_signing(
    ts: &TenantStore,
    id: &str,
    seller_tax_id: &str,
    at: DateTime,
) -> Result<SignerCertificate, ApiError> {
    let (rec, _) = load(ts, id).await.map_err(|e| match e {
        ApiError::NotFound => refuse(
            "certificate.not_registered",
            "Chứng thư số chưa được đăng ký cho doanh nghiệp (Cài đặt → Chứng thư số)",
            "the certificate is not registered for the company (Settings → Certificates)",
        ),
        e => e,
    })?;
    if rec.revoked {
        return Err(refuse(
            "certificate.revoked",
            "Chứng thư số đã bị thu hồi trong hoadon",
            "the certificate was revoked in hoadon",
        ));
    }
    let der = dsig::b64_decode(&rec.der)
        .map_err(|_| ApiError::Internal(format!("certificate {id}: corrupt DER")))?;
    check(&der, seller_tax_id, at)?;
    SignerCertificate::from_der(&der).map_err(|e| ApiError::Internal(e.to_string()))
}

/// The certificate to sign with for the RSA key `(modulus, exponent)`: of the tenant's
/// registered, unrevoked certificates valid at `now` whose key it is, the one that became
/// valid last (ties: the later upload). `None`: none is registered for this key.
pub async fn usable_for_key(
    ts: &TenantStore,
    modulus: &[u8],
    exponent: &[u8],
    now: DateTime,
) -> Result<Option<(String, Vec<u8>)>, ApiError> {
    let mut best: Option<(DateTime, i64, String, Vec<u8>)> = None;
    let mut cursor = None;
    loop {
        let page = ts.query(PK, "", cursor.as_deref(), 500).await?;
        for item in page.items.iter().filter(|i| is_id(&i.key.sk)) {
            let r: CertRecord = from_item(item)?;
            if r.revoked {
                continue;
            }
            let Ok(der) = dsig::b64_decode(&r.der) else {
                continue;
            };
            let Ok(c) = cert::parse(&der) else {
                continue;
            };
            if c.modulus != modulus || c.exponent != exponent || !c.valid_at(now) {
                continue;
            }
            let rank = (c.not_before, r.uploaded_at);
            if best.as_ref().is_none_or(|b| rank > (b.0, b.1)) {
                best = Some((rank.0, rank.1, item.key.sk.clone(), der));
            }
        }
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    Ok(best.map(|(_, _, id, der)| (id, der)))
}

/// Fills each view's `used_by_series`: a series in cloud or remote mode uses the certificate its
/// server-side signer signs with now; a series in token mode may be signed by any registered,
/// unrevoked certificate that is not a server signer's (any of the company's tokens).
pub async fn with_series(
    svc: &Services,
    ts: &TenantStore,
    mut views: Vec<CertificateView>,
) -> Result<Vec<CertificateView>, ApiError> {
    use hoadon_core::lifecycle::SigningMode;
    let series = crate::invoices::list_series(ts).await?;
    let (cloud, remote) = (
        server_certificate(svc, ts, SigningMode::Cloud),
        server_certificate(svc, ts, SigningMode::Remote),
    );
    for v in &mut views {
        let id = Some(v.id.as_str());
        let token = !v.revoked && cloud.as_deref() != id && remote.as_deref() != id;
        v.used_by_series = series
            .iter()
            .filter(|s| match s.signing_mode {
                SigningMode::Cloud => cloud.as_deref() == id,
                SigningMode::Remote => remote.as_deref() == id,
                SigningMode::Token => token,
            })
            .map(|s| format!("{}{}", s.form, s.symbol))
            .collect();
    }
    Ok(views)
}

/// The registry id of the certificate a server-side signer (`mode`: cloud or remote) signs with
/// now, if the tenant has that signer.
pub(crate) fn server_certificate(
    svc: &Services,
    ts: &TenantStore,
    mode: hoadon_core::lifecycle::SigningMode,
) -> Option<String> {
    let signer = svc.signer_for(ts.tenant(), mode).ok()?;
    let der = dsig::b64_decode(signer.certificate().der_base64()).ok()?;
    Some(sha256_hex(&der))
}

//! The simulator's replies, as the authority writes them: `MNGui` = `TCT`, `MNNhan` = the
//! sender of the message answered, `MTDTChieu` = its `MTDiep`, `PBan` and `MST` echoed.
//!
//! Reply ids are **derived, not random**: `TCT` + the first 16 bytes of SHA-256(the answered
//! `MTDiep`, the reply kind, a sequence number), in upper-case hex. Unique per reply, stable
//! across restarts and runs, so a golden file can pin a whole 202.

use hoadon_core::DateTime;
use hoadon_core::model::TaxId;
use hoadon_core::tdiep::provisional::Common;
use hoadon_core::tdiep::{
    AckError, AuthorityNotice, Body, CheckError, CheckResult, ErrorGroup, Header, MessageId,
    MessageKind, SignedHDon, TDiep, TechAck,
};
use sha2::{Digest, Sha256};

/// The authority's sender code.
pub const TCT: &str = "TCT";

/// 16 bytes of SHA-256 over the parts (each followed by a 0 byte, so parts cannot run together).
pub(crate) fn derived(parts: &[&[u8]]) -> [u8; 16] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
        h.update([0]);
    }
    let d = h.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&d[..16]);
    out
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// The id of the `n`-th reply of kind `kind` to `answered`.
pub(crate) fn reply_id(answered: &str, kind: MessageKind, n: u32) -> MessageId {
    let bytes = derived(&[
        answered.as_bytes(),
        kind.code().to_string().as_bytes(),
        &n.to_be_bytes(),
    ]);
    MessageId::new(TCT, bytes).expect("TCT is a valid sender code")
}

/// What a reply answers: the message's header fields the reply echoes.
#[derive(Debug, Clone)]
pub(crate) struct Answered {
    pub id: MessageId,
    pub sender: String,
    pub version: String,
    pub tax_id: Option<TaxId>,
}

impl Answered {
    pub fn of(h: &Header) -> Self {
        Answered {
            id: h.id.clone(),
            sender: h.sender.clone(),
            version: h.version.clone(),
            tax_id: h.tax_id.clone(),
        }
    }
    /// A message of which only the id could be read.
    pub fn bare(id: MessageId) -> Self {
        Answered {
            sender: id.sender().to_owned(),
            id,
            version: "2.0.1".into(),
            tax_id: None,
        }
    }

    /// The reply envelope of `kind` (the `n`-th of that kind) around `body`.
    pub fn reply(&self, kind: MessageKind, n: u32, body: Body) -> String {
        let header = Header {
            version: self.version.clone(),
            sender: TCT.into(),
            receiver: self.sender.clone(),
            kind,
            id: reply_id(self.id.as_str(), kind, n),
            reference: Some(self.id.clone()),
            tax_id: if kind == MessageKind::TechnicalAck {
                None
            } else {
                self.tax_id.clone()
            },
            count: None,
        };
        match TDiep::new(header, body) {
            Ok(m) => m.to_xml(),
            // Every body built here fits its kind; a bug would show as an unreadable reply,
            // which the caller's tests catch, rather than as a panic in a server.
            Err(e) => format!("<!-- reply not built: {e} -->"),
        }
    }

    /// The technical acknowledgement (999): received, with or without errors.
    pub fn ack(&self, received: DateTime, errors: &[(&str, String)]) -> String {
        let body = Body::TechAck(TechAck {
            message: self.id.clone(),
            sender: Some(self.sender.clone()),
            received,
            has_errors: !errors.is_empty(),
            errors: errors
                .iter()
                .map(|(code, text)| AckError {
                    code: Some((*code).to_owned()),
                    description: text.clone(),
                })
                .collect(),
        });
        self.reply(MessageKind::TechnicalAck, 0, body)
    }

    /// A 204 (01/TB-KTDL): `valid`, or the errors in one group (`LCMa` for a code request,
    /// `LHDKMa` for uncoded data). `LTBao` is 1 for a code request (200) and 2 for uncoded
    /// data (203) — invented, as the reference does not list its values.
    pub fn check_result(&self, n: u32, coded: bool, date: DateTime, errors: &[Problem]) -> String {
        let id = hex(&derived(&[
            self.id.as_str().as_bytes(),
            b"204",
            &n.to_be_bytes(),
        ]));
        let list = if coded { "LCMa" } else { "LHDKMa" };
        let mut groups = Vec::new();
        if !errors.is_empty() {
            let errors = errors
                .iter()
                .map(|p| CheckError {
                    code: Some(p.code.clone()),
                    description: p.text.clone(),
                    advice: p.advice.clone(),
                })
                .collect();
            groups.push(ErrorGroup {
                list: list.to_owned(),
                errors,
            });
        }
        let body = Body::CheckResult(CheckResult {
            version: self.version.clone(),
            data_id: format!("TB-{}", &id[..16]),
            tax_id: self.tax_id.clone(),
            date: date.date,
            notice_kind: if coded { 1 } else { 2 },
            valid: errors.is_empty(),
            groups,
        });
        self.reply(MessageKind::CheckResult, n, body)
    }

    /// A 202 carrying the coded invoice.
    pub fn code_granted(&self, n: u32, coded: SignedHDon) -> String {
        self.reply(MessageKind::CodeGranted, n, Body::Invoices(vec![coded]))
    }

    /// A CQT notice (102, 103, 301): `outcome` 1 accepted / received, 2 refused, with reasons.
    pub fn notice(&self, kind: MessageKind, n: u32, notice: NoticeText<'_>) -> String {
        let (form, title) = match kind {
            MessageKind::RegistrationReceipt => (
                "01/TB-TNĐT",
                "Thông báo về việc tiếp nhận tờ khai đăng ký sử dụng hóa đơn điện tử",
            ),
            MessageKind::RegistrationDecision => (
                "01/TB-ĐKĐT",
                "Thông báo về việc chấp nhận/không chấp nhận đăng ký sử dụng hóa đơn điện tử",
            ),
            _ => (
                "01/TB-HĐSS",
                "Thông báo về việc tiếp nhận và kết quả xử lý hóa đơn điện tử có sai sót",
            ),
        };
        let id = hex(&derived(&[
            self.id.as_str().as_bytes(),
            kind.code().to_string().as_bytes(),
            &n.to_be_bytes(),
        ]));
        let body = Body::AuthorityNotice(AuthorityNotice {
            common: Common {
                version: self.version.clone(),
                data_id: format!("TB-{}", &id[..16]),
                form: form.into(),
                title: title.into(),
                tax_id: self
                    .tax_id
                    .as_ref()
                    .map(|t| t.as_str().to_owned())
                    .unwrap_or_default(),
                date: notice.date.date,
            },
            taxpayer_name: notice.taxpayer.to_owned(),
            outcome: Some(if notice.problems.is_empty() { "1" } else { "2" }.into()),
            reasons: notice
                .problems
                .iter()
                .map(|p| (p.code.clone(), p.text.clone()))
                .collect(),
        });
        self.reply(kind, n, body)
    }
}

/// The parts of a CQT notice that vary.
pub(crate) struct NoticeText<'a> {
    pub date: DateTime,
    pub taxpayer: &'a str,
    pub problems: &'a [Problem],
}

/// One error the authority reports (`MLoi`, `MTLoi`/`MTa`, `HDXLy`). The codes are the
/// simulator's own, stable, listed in the module doc of `simulator`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub code: String,
    pub text: String,
    pub advice: Option<String>,
}

impl Problem {
    pub fn new(code: &str, text: impl Into<String>) -> Self {
        Problem {
            code: code.to_owned(),
            text: text.into(),
            advice: None,
        }
    }
    pub fn advise(mut self, advice: &str) -> Self {
        self.advice = Some(advice.to_owned());
        self
    }
}

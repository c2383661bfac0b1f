//! What an accepted message leads to: the final replies (202 / 204 / 102 + 103 / 301) and
//! what changes (a code, a registration, uncoded data received). Signing happens here, with the
//! simulator's own key, through the core's two phases (`tdiep::grant`, `Prepared::attach`).

use super::replies::{Answered, NoticeText, derived, hex};
use super::state::{Code, Effect};
use super::{Fault, Faults, Inner, InvoiceKey, Problem, Simulator, rules};
use hoadon_core::DateTime;
use hoadon_core::dsig::verify_document;
use hoadon_core::tdiep::{AuthorityCode, Body, MessageKind, SignedHDon, TDiep, grant};

impl Simulator {
    /// The final replies and the effects of an accepted message.
    pub(super) fn outcome(
        &self,
        g: &mut Inner,
        (msg, raw): (&TDiep, &str),
        a: &Answered,
        now: DateTime,
        faults: &Faults,
    ) -> (Vec<(MessageKind, String)>, Vec<Effect>) {
        let id = msg.header.id.as_str();
        let mst = msg
            .header
            .tax_id
            .as_ref()
            .map(|t| t.as_str().to_owned())
            .unwrap_or_default();
        let injected = || {
            faults
                .reject_codes()
                .iter()
                .map(|c| Problem::new(c, "injected rejection (fault reject)"))
                .collect::<Vec<_>>()
        };
        let c = &mut g.counters;
        match (&msg.header.kind, &msg.body) {
            (MessageKind::ForCode, Body::Invoices(v)) => {
                if faults.hits(Fault::Reject, id, 0) {
                    c.rejections += 1;
                    return (check(a, true, now, &injected()), Vec::new());
                }
                let [hdon] = v.as_slice() else {
                    c.rejections += 1;
                    let p = Problem::new(
                        "count.one_invoice",
                        format!("a 200 carries one invoice, this one {}", v.len()),
                    );
                    return (check(a, true, now, &[p]), Vec::new());
                };
                match rules::check_invoice(&g.st, &mst, hdon, true, self.require_registration) {
                    Err(problems) => {
                        c.rejections += 1;
                        (check(a, true, now, &problems), Vec::new())
                    }
                    Ok(p) => match p.before.as_deref().map(SignedHDon::from_document) {
                        Some(Ok(first)) => {
                            c.codes_repeated += 1;
                            let r = a.code_granted(0, first);
                            (vec![(MessageKind::CodeGranted, r)], Vec::new())
                        }
                        _ => match self.code(hdon, &p.key, now) {
                            Ok(coded) => {
                                c.codes_granted += 1;
                                let r = a.code_granted(0, coded.clone());
                                let effect = Effect::Coded {
                                    key: p.key,
                                    code: Code {
                                        dlhdon_sha256: p.dlhdon_sha256,
                                        hdon: coded.as_str().to_owned(),
                                    },
                                };
                                (vec![(MessageKind::CodeGranted, r)], vec![effect])
                            }
                            Err(why) => {
                                c.rejections += 1;
                                let p = Problem::new("invoice.cannot_code", why);
                                (check(a, true, now, &[p]), Vec::new())
                            }
                        },
                    },
                }
            }
            (MessageKind::UncodedData, Body::Invoices(v)) => {
                if faults.hits(Fault::Reject, id, 0) {
                    c.rejections += 1;
                    return (check(a, false, now, &injected()), Vec::new());
                }
                let mut problems = Vec::new();
                let mut effects: Vec<Effect> = Vec::new();
                for (i, hdon) in v.iter().enumerate() {
                    let checked =
                        rules::check_invoice(&g.st, &mst, hdon, false, self.require_registration);
                    // The same number twice in one message is judged as if sent one by one.
                    let earlier = |p: &rules::Passed| {
                        effects.iter().find_map(|e| match e {
                            Effect::Uncoded { key, dlhdon_sha256 } if *key == p.key => {
                                Some(*dlhdon_sha256 == p.dlhdon_sha256)
                            }
                            _ => None,
                        })
                    };
                    let at = |text: &str| format!("HDon[{}] ({}): {text}", i + 1, hdon.data_id());
                    match checked {
                        Ok(p) if p.before.is_some() || earlier(&p) == Some(true) => {}
                        Ok(p) if earlier(&p) == Some(false) => problems.push(Problem::new(
                            "number.already_sent",
                            at("this number is already in the message with different content"),
                        )),
                        Ok(p) => effects.push(Effect::Uncoded {
                            key: p.key,
                            dlhdon_sha256: p.dlhdon_sha256,
                        }),
                        Err(ps) => problems.extend(ps.into_iter().map(|mut p| {
                            p.text = at(&p.text);
                            p
                        })),
                    }
                }
                if !problems.is_empty() {
                    c.rejections += 1;
                }
                (check(a, false, now, &problems), effects)
            }
            (MessageKind::Registration, Body::Registration(r)) => {
                let mut problems = Vec::new();
                if r.common.tax_id.replace('-', "") != mst.replace('-', "") {
                    problems.push(Problem::new(
                        "registration.mst_mismatch",
                        format!(
                            "DLTKhai/MST {} is not the message's MST {mst}",
                            r.common.tax_id
                        ),
                    ));
                }
                if !r.coded && !r.uncoded {
                    problems.push(Problem::new(
                        "registration.nothing",
                        "neither CMa nor KCMa is 1: nothing to register",
                    ));
                }
                let text = |problems| NoticeText {
                    date: now,
                    taxpayer: &r.taxpayer_name,
                    problems,
                };
                let receipt = a.notice(MessageKind::RegistrationReceipt, 0, text(&[]));
                let decision = a.notice(MessageKind::RegistrationDecision, 0, text(&problems));
                let effects = if problems.is_empty() {
                    vec![Effect::Registered {
                        tax_id: mst.replace('-', ""),
                        coded: r.coded,
                        uncoded: r.uncoded,
                    }]
                } else {
                    c.rejections += 1;
                    Vec::new()
                };
                (
                    vec![
                        (MessageKind::RegistrationReceipt, receipt),
                        (MessageKind::RegistrationDecision, decision),
                    ],
                    effects,
                )
            }
            (MessageKind::ErrorNotice, Body::ErrorNotice(n)) => {
                let mut problems = notice_signature_problems(raw);
                if n.tax_id.as_ref().map(|t| t.as_str().replace('-', ""))
                    != Some(mst.replace('-', ""))
                {
                    problems.push(Problem::new(
                        "notice.mst_mismatch",
                        "DLTBao/MST is not the message's MST",
                    ));
                }
                if !problems.is_empty() {
                    c.rejections += 1;
                }
                let text = NoticeText {
                    date: now,
                    taxpayer: &n.taxpayer_name,
                    problems: &problems,
                };
                let r = a.notice(MessageKind::ErrorNoticeResult, 0, text);
                (vec![(MessageKind::ErrorNoticeResult, r)], Vec::new())
            }
            // The envelope rules let only these four kinds through.
            _ => (Vec::new(), Vec::new()),
        }
    }

    /// Grants the code of `key` to `hdon`: `MCCQT`, CQT signature by the simulator's key.
    fn code(
        &self,
        hdon: &SignedHDon,
        key: &InvoiceKey,
        now: DateTime,
    ) -> Result<SignedHDon, String> {
        let n = key.number.to_be_bytes();
        let parts: [&[u8]; 5] = [
            b"MCCQT",
            key.tax_id.as_bytes(),
            key.form.as_bytes(),
            key.symbol.as_bytes(),
            &n,
        ];
        let d = derived(&parts);
        let mut more = parts;
        more[0] = b"MCCQT-Id";
        let code = AuthorityCode::new(
            &format!("Id-{}", hex(&derived(&more)).to_lowercase()),
            &format!("TEST{}", &hex(&d)[..30]),
        )
        .map_err(|e| e.to_string())?;
        let prepared =
            grant(hdon, &code, self.signer.certificate(), now).map_err(|e| e.to_string())?;
        let value = self
            .signer
            .sign_raw(prepared.signed_info())
            .map_err(|e| e.to_string())?;
        let coded = prepared.attach(&value).map_err(|e| e.to_string())?;
        SignedHDon::from_document(&coded).map_err(|e| e.to_string())
    }
}

fn check(
    a: &Answered,
    coded: bool,
    now: DateTime,
    problems: &[Problem],
) -> Vec<(MessageKind, String)> {
    vec![(
        MessageKind::CheckResult,
        a.check_result(0, coded, now, problems),
    )]
}

/// The 04/SS's signature (`TBao/DSCKS/NNT`) must be there and verify.
fn notice_signature_problems(xml: &str) -> Vec<Problem> {
    match verify_document(xml) {
        Err(e) => vec![Problem::new("signature.invalid", e.to_string())],
        Ok(reports) => match reports
            .iter()
            .find(|r| r.location.ends_with("TBao/DSCKS/NNT"))
        {
            None => vec![Problem::new(
                "notice.unsigned",
                "the 04/SS has no signature in DSCKS/NNT",
            )],
            Some(r) => match &r.failure {
                Some(why) => vec![Problem::new("signature.invalid", why.clone())],
                None => Vec::new(),
            },
        },
    }
}

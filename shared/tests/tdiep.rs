//! `tdiep`: golden files (one per message kind, `UPDATE_GOLDEN=1` rewrites them; the 200 and the
//! 203 embed `data/signed-invoice.xml`), round trips, the real 202 (sample 03), a tampered 202,
//! hostile envelopes, and `MTDiep`'s property.

mod common;
use common::*;
use hoadon_core::model::TaxId;
use hoadon_core::tdiep::provisional::Common;
use hoadon_core::tdiep::*;
use hoadon_core::{Date, DateTime};
use proptest::prelude::*;

const SAMPLE_202: &str = "03-ts24-tdiep202-hdon-c21tct-mccqt-cqt-2021-11-05.xml";

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn header(kind: MessageKind, sender: &str, receiver: &str) -> Header {
    Header {
        version: "2.0.1".into(),
        sender: sender.into(),
        receiver: receiver.into(),
        kind,
        id: MessageId::new(sender, [0xA5; 16]).unwrap(),
        reference: None,
        tax_id: Some(TaxId::parse("0109998883").unwrap()),
        count: None,
    }
}

/// The seller-signed HDon that was sent for sample 03's code: the 202's HDon without `MCCQT`
/// and the CQT signature (neither is under the seller signature). `None` (skipped) when the real
/// sample is absent.
fn sent_of_sample_03() -> Option<(String, SignedHDon)> {
    let reply = external_sample(SAMPLE_202)?;
    let hdon = &reply[reply.find("<HDon").unwrap()..reply.rfind("</HDon>").unwrap() + 7];
    let cut = |s: &str, from: &str, to: &str, with: &str| {
        let a = s.find(from).unwrap();
        let b = s[a..].find(to).unwrap() + a + to.len();
        format!("{}{with}{}", &s[..a], &s[b..])
    };
    let sent = cut(hdon, "<MCCQT", "</MCCQT>", "");
    let sent = cut(&sent, "<CQT>", "</CQT>", "<CQT/>");
    Some((reply, SignedHDon::from_document(&sent).unwrap()))
}

/// Sample 03's certificate number `n` (1 the seller's, 2 the CQT's), for its public key only;
/// `None` (skipped) when absent.
fn certificate_of_sample_03(n: u8) -> Option<hoadon_core::dsig::SignerCertificate> {
    use hoadon_core::dsig;
    let pem = external_sample(&format!(
        "certs/03-ts24-tdiep202-hdon-c21tct-mccqt-cqt-2021-11-05.sig{n}.pem"
    ))?;
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    Some(dsig::SignerCertificate::from_der(&dsig::b64_decode(&b64).unwrap()).unwrap())
}

/// The seller-signed invoice the 200 and the 203 golden messages embed: `examples/invoice.json`
/// signed by hoadon with the test key (`data/README.md` says how it was made), never a real one.
fn signed_invoice() -> SignedHDon {
    SignedHDon::from_document(&read("data/signed-invoice.xml")).unwrap()
}

/// The golden messages, one per kind.
fn messages() -> Vec<(&'static str, TDiep)> {
    let mk = |kind, body| TDiep::new(header(kind, "V0309478306", "TCT"), body).unwrap();
    let mut all = vec![
        (
            "200-for-code",
            mk(MessageKind::ForCode, Body::Invoices(vec![signed_invoice()])),
        ),
        (
            "203-uncoded",
            mk(
                MessageKind::UncodedData,
                Body::Invoices(vec![signed_invoice()]),
            ),
        ),
    ];
    all.extend(messages_without_invoices());
    all
}

/// The golden message `name`.
fn message(name: &str) -> TDiep {
    let mut all = messages();
    let at = all.iter().position(|(n, _)| *n == name).unwrap();
    all.remove(at).1
}

fn messages_without_invoices() -> Vec<(&'static str, TDiep)> {
    let notice = ErrorNotice {
        version: "2.0.1".into(),
        data_id: "TB-0001".into(),
        kind: 1,
        cqt_notice_number: None,
        cqt_notice_date: None,
        tax_office_code: "10101".into(),
        tax_office_name: "Thuế Thành phố Hà Nội".into(),
        taxpayer_name: "Công ty TNHH Thiết bị Văn phòng An Phát & Co".into(),
        tax_id: Some(TaxId::parse("0109998883").unwrap()),
        budget_unit: None,
        place: "Hà Nội".into(),
        date: d("2025-10-20"),
        rows: vec![ErrorRow {
            authority_code: Some("0012345678901234567890ABCDEF123456".into()),
            form: "1".into(),
            symbol: "C25TAB".into(),
            number: "123".into(),
            date: d("2025-10-15"),
            regime: 1,
            action: 2,
            reason: "Sai địa chỉ người mua".into(),
        }],
    };
    let ack = TechAck {
        message: MessageId::new("V0309478306", [0x1F; 16]).unwrap(),
        sender: Some("V0309478306".into()),
        received: "2025-10-20T09:30:00".parse::<DateTime>().unwrap(),
        has_errors: true,
        errors: vec![AckError {
            code: Some("TCT-001".into()),
            description: "Lỗi kỹ thuật <MST>".into(),
        }],
    };
    let check = CheckResult {
        version: "2.0.1".into(),
        data_id: "TB-204".into(),
        tax_id: Some(TaxId::parse("0109998883").unwrap()),
        date: d("2025-10-20"),
        notice_kind: 2,
        valid: false,
        groups: vec![ErrorGroup {
            list: "LHDKMa".into(),
            errors: vec![CheckError {
                code: Some("30001".into()),
                description: "Sai tổng tiền thuế".into(),
                advice: Some("Lập hóa đơn điều chỉnh".into()),
            }],
        }],
    };
    let common = |form: &str, title: &str| Common {
        version: "2.0.1".into(),
        data_id: "DL-1".into(),
        form: form.into(),
        title: title.into(),
        tax_id: "0109998883".into(),
        date: d("2025-10-20"),
    };
    let mk = |kind, from, to, body| TDiep::new(header(kind, from, to), body).unwrap();
    use MessageKind as K;
    vec![
        (
            "300-error-notice-04ss",
            mk(
                K::ErrorNotice,
                "V0309478306",
                "TCT",
                Body::ErrorNotice(notice),
            ),
        ),
        (
            "999-technical-ack",
            mk(K::TechnicalAck, "TCT", "V0309478306", Body::TechAck(ack)),
        ),
        (
            "204-check-result",
            mk(
                K::CheckResult,
                "TCT",
                "V0309478306",
                Body::CheckResult(check),
            ),
        ),
        (
            "100-registration-provisional",
            mk(
                K::Registration,
                "V0309478306",
                "TCT",
                Body::Registration(Registration {
                    common: common(
                        "01/ĐKTĐ-HĐĐT",
                        "Tờ khai đăng ký/thay đổi thông tin sử dụng hóa đơn điện tử",
                    ),
                    taxpayer_name: "Công ty An Phát".into(),
                    change: false,
                    coded: true,
                    uncoded: false,
                }),
            ),
        ),
        (
            "103-authority-notice-provisional",
            mk(
                K::RegistrationDecision,
                "TCT",
                "V0309478306",
                Body::AuthorityNotice(AuthorityNotice {
                    common: common(
                        "01/TB-ĐKĐT",
                        "Thông báo về việc chấp nhận đăng ký sử dụng hóa đơn điện tử",
                    ),
                    taxpayer_name: "Công ty An Phát".into(),
                    outcome: Some("1".into()),
                    reasons: vec![("2005".into(), "Ghi chú".into())],
                }),
            ),
        ),
        (
            "400-summary-provisional",
            mk(
                K::Summary,
                "V0309478306",
                "TCT",
                Body::Summary(SummaryTable {
                    common: common("01/TH-HĐĐT", "Bảng tổng hợp dữ liệu hóa đơn điện tử"),
                    period: "2025-10".into(),
                    first: true,
                    number: 1,
                }),
            ),
        ),
    ]
}

#[test]
fn golden_files_and_round_trips() {
    let mut failures = Vec::new();
    for (name, msg) in messages() {
        let xml = msg.to_xml();
        let path = data(&format!("golden/tdiep/{name}.expected.xml"));
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, &xml).unwrap();
        } else if std::fs::read_to_string(&path).unwrap_or_default() != xml {
            failures.push(format!("{}:\n{xml}", path.display()));
        }
        assert_eq!(TDiep::read(&xml).unwrap(), msg, "{name}: write → read");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Ours always; sample 03's (signed by another issuer's software) too when it is present.
#[test]
fn embedded_invoices_are_byte_exact_and_still_verify() {
    let mut invoices = vec![signed_invoice()];
    invoices.extend(sent_of_sample_03().map(|(_, sent)| sent));
    for sent in invoices {
        let msg = TDiep::new(
            header(MessageKind::ForCode, "V0309478306", "TCT"),
            Body::Invoices(vec![sent.clone()]),
        )
        .unwrap();
        let xml = msg.to_xml();
        assert!(xml.contains(sent.as_str()));
        let reports = hoadon_core::dsig::verify_document(&xml).unwrap();
        assert_eq!(reports.len(), 1);
        assert!(reports[0].valid, "{:?}", reports[0].failure);
        assert_eq!(msg.header.count, Some(1));
    }
}

#[test]
fn the_real_202_gives_its_mccqt_with_both_signatures_valid() {
    let Some((reply, sent)) = sent_of_sample_03() else {
        return;
    };
    let granted = accept_code(&[sent], &reply).unwrap();
    assert_eq!(granted.len(), 1);
    assert_eq!(granted[0].code, "00474597512BE94B7BAB367996EF464828");
    assert_eq!(granted[0].data_id, "TS24_2111051448445960106322455");
    let msg = TDiep::read(&reply).unwrap();
    assert_eq!(msg.header.kind, MessageKind::CodeGranted);
    assert_eq!(msg.header.id.sender(), "TCT");
}

#[test]
fn a_202_whose_dlhdon_differs_by_one_byte_is_refused() {
    let Some((reply, sent)) = sent_of_sample_03() else {
        return;
    };
    let altered = sent
        .as_str()
        .replacen("<SHDon>14</SHDon>", "<SHDon>15</SHDon>", 1);
    let altered = SignedHDon::from_document(&altered).unwrap();
    let err = accept_code(&[altered], &reply).unwrap_err();
    assert!(matches!(err, CodeRefusal::Altered { .. }), "{err}");
    assert!(err.to_string().contains("byte-identical"), "{err}");
    // And a 202 tampered after the CQT signed: the signatures refuse it.
    let tampered = reply.replacen(
        "00474597512BE94B7BAB367996EF464828",
        "00474597512BE94B7BAB367996EF464829",
        1,
    );
    let err = accept_code(&[sent_of_sample_03().unwrap().1], &tampered).unwrap_err();
    assert!(
        matches!(err, CodeRefusal::BadSignature { role: "CQT", .. }),
        "{err}"
    );
    let err = accept_code(&[], &reply).unwrap_err();
    assert!(matches!(err, CodeRefusal::NotSent(_)), "{err}");
}

#[test]
fn the_1510_field_order_reads_the_same() {
    let xml = "<TDiep><TTChung><PBan>2.0.1</PBan><MST>0109998883</MST><MNGui>TCT</MNGui>\
<MNNhan>V0309478306</MNNhan><MTDiep>TCTB2C5E9AF7DEF49B5BA33411171A2DF30</MTDiep><MLTDiep>999</MLTDiep>\
</TTChung><DLieu><TBao><MTDiep>V0309478306B2C5E9AF7DEF49B5BA33411171A2DF30</MTDiep>\
<NNhan>2022-01-12T16:24:22</NNhan><TTTNhan>0</TTTNhan></TBao></DLieu></TDiep>";
    let m = TDiep::read(xml).unwrap();
    assert_eq!(m.header.kind, MessageKind::TechnicalAck);
    assert_eq!(m.header.tax_id.unwrap().as_str(), "0109998883");
}

#[test]
fn hostile_envelopes_are_errors_never_panics() {
    let ok = message("999-technical-ack").to_xml();
    let cases: Vec<(String, &str)> = vec![
        (
            ok.replace("<MNGui>TCT</MNGui>", ""),
            "TDiep/TTChung/MNGui is missing",
        ),
        (
            ok.replacen("<TDiep>", "<!DOCTYPE x [<!ENTITY a \"b\">]><TDiep>", 1),
            "DOCTYPE",
        ),
        (
            ok.replace("<MLTDiep>999</MLTDiep>", "<MLTDiep>9x9</MLTDiep>"),
            "TDiep/TTChung/MLTDiep",
        ),
        (
            ok.replace("<PBan>2.0.1</PBan>", "<PBan>2.0.1</PBan><PBan>2.0.1</PBan>"),
            "appears more than once",
        ),
        (
            ok.replacen("<TDiep>", "<TDiep xmlns=\"urn:x\">", 1),
            "must not declare namespaces",
        ),
        (
            ok.replace("<TTTNhan>1</TTTNhan>", "<TTTNhan>2</TTTNhan>"),
            "TTTNhan",
        ),
        ("<HDon/>".into(), "not TDiep"),
        (format!("<TDiep>{}</TDiep>", "x".repeat(50 << 20)), "limit"),
    ];
    for (xml, expect) in cases {
        let err = TDiep::read(&xml).unwrap_err().to_string();
        assert!(err.contains(expect), "{expect}: {err}");
    }
    // The real 203 (sample 04) carries a non-hex character in its MTDiep: refused by name.
    let Some(xml) = external_sample("04-sesgroup-lcsca-tdiep203-hdon-k21tcc-2021-11-20.xml") else {
        return;
    };
    let err = TDiep::read(&xml).unwrap_err().to_string();
    assert!(err.contains("TDiep/TTChung/MTDiep"), "{err}");
}

#[test]
fn the_real_102_and_103_read_as_provisional_notices() {
    let Some(xml) = external_sample("07-gdt-hcm-q12-tdiep103-01tbdkdt-reject-2022-01-17.xml")
    else {
        return;
    };
    let m = TDiep::read(&xml).unwrap();
    let Body::AuthorityNotice(n) = m.body else {
        panic!("{:?}", m.body)
    };
    assert_eq!(n.outcome.as_deref(), Some("2"));
    assert_eq!(n.reasons.len(), 2);
}

proptest! {
    #[test]
    fn message_ids_are_the_sender_and_32_upper_hex(sender in "[A-Z0-9]{1,14}", bytes in any::<[u8; 16]>()) {
        let id = MessageId::new(&sender, bytes).unwrap();
        let s = id.as_str();
        prop_assert!(s.len() <= 46);
        prop_assert_eq!(id.sender(), sender.as_str());
        prop_assert!(s[sender.len()..].bytes().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)));
        prop_assert_eq!(s.len() - sender.len(), 32);
        prop_assert_eq!(MessageId::parse("MTDiep", s).unwrap(), id);
    }
}

/// The 04/SS is signed with the invoice's two phases, into `DSCKS/NNT` (`Layout::NOTICE`): the
/// prepared document's references already verify (the value needs a private key, which the
/// core never holds; `hoadon-signing` completes it). The certificate is sample 03's, for its
/// public key only.
#[test]
fn a_04ss_notice_is_prepared_for_signing_into_dscks_nnt() {
    use hoadon_core::dsig::{self, Layout};
    let Body::ErrorNotice(notice) = message("300-error-notice-04ss").body else {
        unreachable!()
    };
    let Some(cert) = certificate_of_sample_03(1) else {
        return;
    };
    let time = "2025-10-20T10:00:00".parse::<DateTime>().unwrap();
    let prepared = dsig::prepare_as(Layout::NOTICE, &notice.to_xml(), &cert, time).unwrap();
    assert!(!prepared.signed_info().is_empty());
    let doc = prepared.unsigned_document();
    assert!(doc.contains("<DSCKS><NNT><Signature"), "{doc}");
    let reports = dsig::verify_document(doc).unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].location, "TBao/DSCKS/NNT");
    assert_eq!(reports[0].references[0].uri, "#TB-0001");
    assert!(
        reports[0].references.iter().all(|r| r.digest_ok),
        "{:?}",
        reports[0]
    );
    assert!(!reports[0].signature_value_ok);
    // Signing the invoice layout over a TBao is refused by name.
    let err = dsig::prepare(&notice.to_xml(), &cert, time).unwrap_err();
    assert!(err.to_string().contains("no HDon with a DLHDon"), "{err}");
}

/// The authority's side of a 202 (`grant`): `MCCQT` goes where sample 03 has it, the CQT
/// signature into `DSCKS/CQT` with sample 03's three references, and nothing of the sent invoice
/// changes (only bytes are inserted). The value needs the authority's key, which the core never
/// holds: `functions/authority` signs and checks the whole 202 with `accept_code`.
#[test]
fn a_code_is_granted_by_inserting_mccqt_and_preparing_the_cqt_signature() {
    use hoadon_core::dsig;
    let (Some((_, sent)), Some(cert)) = (sent_of_sample_03(), certificate_of_sample_03(2)) else {
        return;
    };
    let time = "2025-10-20T10:00:00".parse::<DateTime>().unwrap();
    let code =
        AuthorityCode::new("Id-0123456789abcdef", "TEST0123456789ABCDEF0123456789ABCD").unwrap();
    let prepared = grant(&sent, &code, &cert, time).unwrap();
    let doc = prepared.unsigned_document();
    let mccqt = "<MCCQT Id=\"Id-0123456789abcdef\">TEST0123456789ABCDEF0123456789ABCD</MCCQT>";
    assert!(doc.contains(&format!("</DLHDon>{mccqt}<DSCKS>")), "{doc}");
    // Only inserted: without MCCQT and the CQT signature, the sent bytes come back.
    let sig_at = doc.find("<CQT><Signature").unwrap() + 5;
    let sig_end = doc.rfind("</Signature></CQT>").unwrap() + "</Signature>".len();
    let back = format!("{}{}", &doc[..sig_at], &doc[sig_end..])
        .replacen(mccqt, "", 1)
        .replacen("<CQT></CQT>", "<CQT/>", 1);
    assert_eq!(back, sent.as_str());
    let reports = dsig::verify_document(doc).unwrap();
    assert_eq!(reports.len(), 2);
    assert!(reports[0].valid, "{:?}", reports[0]);
    let cqt = &reports[1];
    assert_eq!(cqt.location, "HDon/DSCKS/CQT");
    let uris: Vec<&str> = cqt.references.iter().map(|r| r.uri.as_str()).collect();
    assert_eq!(
        uris,
        [
            "#TS24_2111051448445960106322455",
            "#CQT-SigningTime-TS24_2111051448445960106322455",
            "#Id-0123456789abcdef"
        ]
    );
    assert!(cqt.references.iter().all(|r| r.digest_ok), "{cqt:?}");
    assert!(
        !doc.contains(
            "<Reference URI=\"#TS24_2111051448445960106322455\"><Transforms></Transforms>"
        )
    );
    // A code is granted once; hostile codes and ids are refused by name.
    let coded = SignedHDon::from_document(doc).unwrap();
    let err = grant(&coded, &code, &cert, time).unwrap_err().to_string();
    assert!(err.contains("already has an MCCQT"), "{err}");
    for (id, value) in [
        ("Id-1", "00\"><x/>"),
        ("Id-1", ""),
        ("Id-1", &"0".repeat(35)),
        ("1abc", "00"),
        ("a\"b", "00"),
    ] {
        assert!(AuthorityCode::new(id, value).is_err(), "{id} {value}");
    }
    let taken = AuthorityCode::new("TS24_2111051448445960106322455", "00AB").unwrap_err();
    assert!(taken.to_string().contains("MCCQT/@Id"), "{taken}");
    let taken = AuthorityCode::new("NBan", "00AB").unwrap();
    let err = grant(&sent, &taken, &cert, time).unwrap_err().to_string();
    assert!(err.contains("not already used"), "{err}");
}

/// A counter-signature never changes the data: without a `DLHDon@Id` it is refused rather than
/// adding one under the seller's signature.
#[test]
fn the_authority_layout_never_adds_an_id() {
    use hoadon_core::dsig::{self, Layout};
    let Some(cert) = certificate_of_sample_03(2) else {
        return;
    };
    let time = "2025-10-20T10:00:00".parse::<DateTime>().unwrap();
    let doc = "<HDon><DLHDon><SHDon>1</SHDon></DLHDon><MCCQT Id=\"Id-1\">TEST1</MCCQT></HDon>";
    let err = dsig::prepare_as(Layout::AUTHORITY, doc, &cert, time).unwrap_err();
    assert!(err.to_string().contains("never changes the data"), "{err}");
    let doc = "<HDon><DLHDon Id=\"D\"><SHDon>1</SHDon></DLHDon></HDon>";
    let err = dsig::prepare_as(Layout::AUTHORITY, doc, &cert, time).unwrap_err();
    assert!(err.to_string().contains("exactly one MCCQT"), "{err}");
}

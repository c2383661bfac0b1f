//! The importer's understanding of files issued anywhere (#18): every real sample with the
//! right kind and numbers (read from `../shared/testdata/real-samples`, skipped when absent),
//! envelopes, 04/SS notices, and the files it must refuse with a reason.

mod common;
use common::*;
use hoadon_core::import::{Found, InvoiceKey, read_file};
use hoadon_core::model::TaxId;
use hoadon_core::tdiep::{ErrorNotice, ErrorRow};
use hoadon_core::{InvoiceDocument, check, xml};

fn invoices(found: &[Found]) -> Vec<&hoadon_core::import::ImportedInvoice> {
    found
        .iter()
        .filter_map(|f| match f {
            Found::Invoice(i) => Some(i),
            Found::Notice(_) => None,
        })
        .collect()
}

/// Sample, kind, seller tax id, form, symbol, number, date, seller signature, MCCQT.
/// Sample, kind, seller tax id, form, symbol, number, date, seller signature, coded.
type Expected = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    u64,
    &'static str,
    &'static str,
    bool,
);

const SAMPLES: &[Expected] = &[
    (
        "02-vina-smartsign-hdon-pban100-2021-05-28.xml",
        "original",
        "0313032391",
        "01GTKT0/001",
        "VN/21E",
        169,
        "2021-05-28",
        "tolerated",
        false,
    ),
    (
        "03-ts24-tdiep202-hdon-c21tct-mccqt-cqt-2021-11-05.xml",
        "original",
        "0106324653",
        "1",
        "C21TCT",
        14,
        "2021-11-05",
        "valid",
        true,
    ),
    (
        "04-sesgroup-lcsca-tdiep203-hdon-k21tcc-2021-11-20.xml",
        "original",
        "0106323762",
        "1",
        "K21TCC",
        6,
        "2021-11-20",
        "valid",
        false,
    ),
    (
        "09-vnpt-hdon-k22tba-16-2022-07-21.xml",
        "original",
        "0100692594-996",
        "1",
        "K22TBA",
        16,
        "2022-07-21",
        "valid",
        false,
    ),
    (
        "11-vnpay-selfsignedtest-hdon-k23tll-226-2023-10-19.xml",
        "original",
        "0102182292-998",
        "1",
        "K23TLL",
        226,
        "2023-10-19",
        "valid",
        false,
    ),
    (
        "12-vnpay-smartsign-hdon-k23tkk-1063-2023-11-18.xml",
        "original",
        "0102182292-998",
        "1",
        "K23TKK",
        1063,
        "2023-11-18",
        "valid",
        false,
    ),
    (
        "13a-vinhomes-vnptca-hdon-k25tek-5082-2025-09-22.as-published-indented.xml",
        "original",
        "0102671977",
        "1",
        "K25TEK",
        5082,
        "2025-09-22",
        "invalid",
        false,
    ),
    (
        "13b-vinhomes-vnptca-hdon-k25tek-5082-2025-09-22.whitespace-stripped.xml",
        "original",
        "0102671977",
        "1",
        "K25TEK",
        5082,
        "2025-09-22",
        "valid",
        false,
    ),
];

#[test]
fn every_real_invoice_reads_with_its_kind_and_numbers() {
    for &(file, kind, mst, form, symbol, number, date, seller, coded) in SAMPLES {
        let Some(path) = external_sample_path(file) else {
            continue;
        };
        let found =
            read_file(&std::fs::read(path).unwrap()).unwrap_or_else(|e| panic!("{file}: {e}"));
        let [inv] = invoices(&found)[..] else {
            panic!("{file}: one invoice expected");
        };
        let json = serde_json::to_value(inv).unwrap();
        assert_eq!(json["kind"], kind, "{file}");
        assert_eq!(
            inv.key,
            InvoiceKey {
                seller_tax_id: mst.into(),
                form: form.into(),
                symbol: symbol.into(),
                number
            },
            "{file}"
        );
        assert_eq!(inv.issue_date, date, "{file}");
        assert_eq!(json["seller_signature"], seller, "{file}");
        assert_eq!(inv.authority_code.is_some(), coded, "{file}");
        assert_eq!(inv.data_digest.len(), 64, "{file}");
    }
}

#[test]
fn the_real_coded_invoice_keeps_its_declared_vat_and_says_it_differs() {
    // Sample 03 declares 84,000 VAT on 10 % of 1,200,000: a warning, not a refusal.
    let Some(path) = external_sample_path("03-ts24-tdiep202-hdon-c21tct-mccqt-cqt-2021-11-05.xml")
    else {
        return;
    };
    let found = read_file(&std::fs::read(path).unwrap()).unwrap();
    let inv = invoices(&found)[0];
    assert_eq!(inv.declared.total_vat.unwrap().to_string(), "84000");
    assert_eq!(inv.recomputed.total_vat.unwrap().to_string(), "120000");
    assert!(
        inv.warnings.iter().any(|w| w.path.starts_with("declared.")),
        "{:?}",
        inv.warnings
    );
    assert!(inv.signatures.iter().any(|s| s.role == "CQT" && s.valid));
}

#[test]
fn sample_02_is_accepted_as_the_authority_would_with_what_is_unprotected_stated() {
    let Some(path) = external_sample_path("02-vina-smartsign-hdon-pban100-2021-05-28.xml") else {
        return;
    };
    let found = read_file(&std::fs::read(path).unwrap()).unwrap();
    let inv = invoices(&found)[0];
    let w = inv
        .warnings
        .iter()
        .find(|w| w.code == "import.signature.tolerated")
        .expect("a tolerated-signature warning");
    assert!(
        w.message_en
            .contains("the signing time is not covered under strict XMLDSig"),
        "{}",
        w.message_en
    );
    assert!(!inv.signatures[0].strict && inv.signatures[0].valid);
}

#[test]
fn documents_that_are_not_invoices_are_refused_with_a_reason() {
    for file in [
        "01-bkav-tvan-dkythue-reg-2018-07-17.source-altered.xml",
        "05-gdt-haiphong-tbao-01tbdkdt-accept-2022-01-04.xml",
        "07-gdt-hcm-q12-tdiep103-01tbdkdt-reject-2022-01-17.xml",
    ] {
        let Some(path) = external_sample_path(file) else {
            continue;
        };
        let e = read_file(&std::fs::read(path).unwrap()).unwrap_err();
        assert_eq!(e.code, "import.not_an_invoice", "{file}");
    }
}

fn example() -> String {
    let doc: InvoiceDocument = serde_json::from_str(&read("../examples/invoice.json")).unwrap();
    xml::render(&check(&doc).invoice.unwrap())
}

#[test]
fn an_envelope_with_several_invoices_gives_each_with_its_exact_bytes() {
    let one = example();
    let body = one.trim_start_matches(|c| c != '>').trim_start_matches('>');
    let second = body.replacen("<SHDon>123</SHDon>", "<SHDon>124</SHDon>", 1);
    assert_ne!(second, body);
    let tdiep = format!(
        "<TDiep><TTChung><PBan>2.0.1</PBan><MNGui>V0309478306</MNGui><MNNhan>TCT</MNNhan>\
         <MLTDiep>203</MLTDiep><MTDiep>V0309478306AB</MTDiep><MST>0109998883</MST><SLuong>2</SLuong>\
         </TTChung><DLieu>{body}{second}</DLieu></TDiep>"
    );
    let found = read_file(tdiep.as_bytes()).unwrap();
    let inv = invoices(&found);
    assert_eq!(
        inv.iter().map(|i| i.key.number).collect::<Vec<_>>(),
        [123, 124]
    );
    assert_eq!(inv[1].xml, second);
    // Unsigned: read, and said so.
    assert!(
        inv[0]
            .warnings
            .iter()
            .any(|w| w.code == "import.signature.missing")
    );
    // Same invoice data, same digest; different data, different digest.
    let again = read_file(one.as_bytes()).unwrap();
    assert_eq!(invoices(&again)[0].data_digest, inv[0].data_digest);
    assert_ne!(inv[0].data_digest, inv[1].data_digest);
}

#[test]
fn a_04ss_notice_names_the_invoices_it_cancels() {
    let notice = ErrorNotice {
        version: "2.0.1".into(),
        data_id: "TB-0001".into(),
        kind: 1,
        cqt_notice_number: None,
        cqt_notice_date: None,
        tax_office_code: "10101".into(),
        tax_office_name: "Thuế Thành phố Hà Nội".into(),
        taxpayer_name: "Công ty An Phát".into(),
        tax_id: Some(TaxId::parse("0109998883").unwrap()),
        budget_unit: None,
        place: "Hà Nội".into(),
        date: "2025-10-20".parse().unwrap(),
        rows: vec![ErrorRow {
            authority_code: None,
            form: "1".into(),
            symbol: "c25tab".into(),
            number: "123".into(),
            date: "2025-10-15".parse().unwrap(),
            regime: 1,
            action: 1,
            reason: "Hủy do sai người mua".into(),
        }],
    };
    let found = read_file(notice.to_xml().as_bytes()).unwrap();
    let [Found::Notice(row)] = &found[..] else {
        panic!("{found:?}");
    };
    assert_eq!(row.key.id(), "0109998883#1#C25TAB#00000123");
    assert_eq!(serde_json::to_value(row.action).unwrap(), "cancel");
    assert_eq!(row.date, "2025-10-20");
}

#[test]
fn hostile_and_broken_files_are_refused_each_with_a_reason() {
    let cases: &[(&[u8], &str)] = &[
        (b"<!DOCTYPE x [<!ENTITY a \"b\">]><HDon/>", "import.xml"),
        (b"<HDon><DLHDon>&lol;</DLHDon></HDon>", "import.xml"),
        (b"\xff\xfe<\x00H\x00", "import.not_utf8"),
        (b"not xml at all", "import.xml"),
        (b"<Catalog><Item/></Catalog>", "import.not_an_invoice"),
    ];
    for (bytes, code) in cases {
        let e = read_file(bytes).unwrap_err();
        assert_eq!(e.code, *code, "{:?}", String::from_utf8_lossy(bytes));
        assert!(!e.message_vi.is_empty() && !e.message_en.is_empty());
    }
    let unnumbered = example().replacen("<SHDon>123</SHDon>", "", 1);
    assert_eq!(
        read_file(unnumbered.as_bytes()).unwrap_err().code,
        "import.unidentified"
    );
    let big = vec![b' '; hoadon_core::import::MAX_FILE_BYTES + 1];
    assert_eq!(read_file(&big).unwrap_err().code, "import.too_large");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
    /// Whatever a file holds, the importer answers (an understanding or a refusal with a reason),
    /// never panics: an invoice with bytes overwritten, cut or spliced anywhere.
    #[test]
    fn any_damage_to_a_file_gets_an_answer(
        edits in proptest::collection::vec((0usize..20_000, proptest::prelude::any::<u8>()), 0..8),
        cut in 0usize..20_000,
    ) {
        let mut bytes = example().into_bytes();
        for (at, b) in edits {
            let n = bytes.len();
            bytes[at % n] = b;
        }
        bytes.truncate(cut.max(1).min(bytes.len()));
        match read_file(&bytes) {
            Ok(found) => proptest::prop_assert!(!found.is_empty()),
            Err(e) => proptest::prop_assert!(!e.code.is_empty() && !e.message_en.is_empty()),
        }
    }
}

#[test]
fn a_signed_invoice_moved_beside_a_forged_one_is_not_the_sellers_signature() {
    let signed = read("data/signed-invoice.xml");
    let ours = read_file(signed.as_bytes()).unwrap();
    assert_eq!(
        serde_json::to_value(invoices(&ours)[0].seller_signature).unwrap(),
        "valid"
    );
    // Wrapping: the genuine DLHDon and its DSCKS moved under another element, a forged
    // DLHDon (another total) first, where the reader looks.
    let start = signed.find("<DLHDon").unwrap();
    let end = signed.find("</DSCKS>").unwrap() + "</DSCKS>".len();
    let genuine = &signed[start..end];
    let dl_end = genuine.find("</DLHDon>").unwrap() + "</DLHDon>".len();
    let forged = genuine[..dl_end]
        .replacen(" Id=\"", " data-x=\"", 1)
        .replace("<TgTTTBSo>", "<TgTTTBSo>9");
    let wrapped = format!(
        "{}{forged}<TTKhac>{genuine}</TTKhac>{}",
        &signed[..start],
        &signed[end..]
    );
    let found = read_file(wrapped.as_bytes()).unwrap();
    let inv = invoices(&found)[0];
    assert_eq!(
        serde_json::to_value(inv.seller_signature).unwrap(),
        "invalid",
        "{:?}",
        inv.signatures
    );
    let w = inv
        .warnings
        .iter()
        .find(|w| w.code == "import.signature.invalid")
        .unwrap();
    assert!(
        w.message_en.contains("signature wrapping"),
        "{}",
        w.message_en
    );
}

#[test]
fn an_issue_date_is_read_as_a_day_or_the_invoice_is_refused() {
    let xml = example();
    for (written, read_as) in [
        ("15/10/2025", "2025-10-15"),
        ("2025-10-15T08:30:00", "2025-10-15"),
    ] {
        let x = xml.replacen(
            "<NLap>2025-10-15</NLap>",
            &format!("<NLap>{written}</NLap>"),
            1,
        );
        let found = read_file(x.as_bytes()).unwrap();
        let inv = invoices(&found)[0];
        assert_eq!(inv.issue_date, read_as);
        assert!(inv.warnings.iter().any(|w| w.code == "import.date_form"));
    }
    for bad in ["", "sometime"] {
        let x = xml.replacen("<NLap>2025-10-15</NLap>", &format!("<NLap>{bad}</NLap>"), 1);
        assert_eq!(
            read_file(x.as_bytes()).unwrap_err().code,
            "import.unidentified"
        );
    }
}

//! The simulator's answers to the taxpayer's filings: the registration (100 → 102 + 103, and
//! what it opens) and the 04/SS notice (300 → 301).

mod common;
use common::*;
use hoadon_authority::simulator::{Clock, SimulatorConfig};
use hoadon_core::tdiep::{Body, MessageKind, TDiep};

fn registration(coded: bool, uncoded: bool) -> Body {
    use hoadon_core::tdiep::Registration;
    use hoadon_core::tdiep::provisional::Common;
    Body::Registration(Registration {
        common: Common {
            version: "2.0.1".into(),
            data_id: "DL-1".into(),
            form: "01/ĐKTĐ-HĐĐT".into(),
            title: "Tờ khai đăng ký/thay đổi thông tin sử dụng hóa đơn điện tử".into(),
            tax_id: SELLER_MST.into(),
            date: "2025-10-01".parse().unwrap(),
        },
        taxpayer_name: "Công ty An Phát".into(),
        change: false,
        coded,
        uncoded,
    })
}

#[test]
fn with_registration_required_a_100_gets_102_and_103_and_opens_coding() {
    let sim = simulator(SimulatorConfig {
        require_registration: true,
        clock: Clock::fixed(FIXED_MS),
        ..SimulatorConfig::default()
    });
    let (id, m) = for_code(&invoice("C25TAB", 1));
    let (_, r) = exchange(&sim, id.as_str(), &m);
    assert_eq!(codes(&r[0]), ["registration.missing"]);
    let (rid, reg) = message(MessageKind::Registration, registration(true, false));
    let (ack, r) = exchange(&sim, rid.as_str(), &reg);
    ack_ok(&ack, rid.as_str());
    assert_eq!(kinds(&r), [102, 103]);
    let Body::AuthorityNotice(n) = TDiep::read(&r[1]).unwrap().body else {
        panic!()
    };
    assert_eq!(n.outcome.as_deref(), Some("1"));
    let (id, m) = for_code(&invoice("C25TAB", 1));
    let (_, r) = exchange(&sim, id.as_str(), &m);
    assert_eq!(kinds(&r), [202]);
    // Registered for coded only: uncoded data is still refused.
    let (id, m) = message(
        MessageKind::UncodedData,
        Body::Invoices(vec![invoice("K25TAB", 1)]),
    );
    let (_, r) = exchange(&sim, id.as_str(), &m);
    assert_eq!(codes(&r[0]), ["registration.missing"]);
    // A registration with nothing in it is refused in its 103.
    let (rid, reg) = message(MessageKind::Registration, registration(false, false));
    let (_, r) = exchange(&sim, rid.as_str(), &reg);
    assert_eq!(codes(&r[1]), ["registration.nothing"]);
    // Pre-registration.
    let pre = simulator(SimulatorConfig {
        require_registration: true,
        registered: vec![SELLER_MST.into()],
        ..SimulatorConfig::default()
    });
    let (id, m) = for_code(&invoice("C25TAB", 1));
    assert_eq!(kinds(&exchange(&pre, id.as_str(), &m).1), [202]);
}

#[test]
fn a_signed_04ss_gets_a_301() {
    use hoadon_core::dsig::{Layout, prepare_as};
    use hoadon_core::tdiep::{ErrorNotice, ErrorRow};
    let sim = fixed_simulator();
    let notice = ErrorNotice {
        version: "2.0.1".into(),
        data_id: "TB-0001".into(),
        kind: 1,
        cqt_notice_number: None,
        cqt_notice_date: None,
        tax_office_code: "10101".into(),
        tax_office_name: "Thuế Thành phố Hà Nội".into(),
        taxpayer_name: "Công ty An Phát".into(),
        tax_id: Some(hoadon_core::model::TaxId::parse(SELLER_MST).unwrap()),
        budget_unit: None,
        place: "Hà Nội".into(),
        date: "2025-10-20".parse().unwrap(),
        rows: vec![ErrorRow {
            authority_code: None,
            form: "1".into(),
            symbol: "C25TAB".into(),
            number: "1".into(),
            date: "2025-10-15".parse().unwrap(),
            regime: 1,
            action: 2,
            reason: "Sai địa chỉ người mua".into(),
        }],
    };
    let s = seller();
    let p = prepare_as(
        Layout::NOTICE,
        &notice.to_xml(),
        s.certificate(),
        "2025-10-20T10:00:00".parse().unwrap(),
    )
    .unwrap();
    let value = s.sign_raw(p.signed_info()).unwrap();
    let signed = p.attach(&value).unwrap();
    let tbao = &signed[signed.find("<TBao").unwrap()..];
    // The typed body renders the notice unsigned: put the signed TBao in its place.
    let (id, m) = message(MessageKind::ErrorNotice, Body::ErrorNotice(notice));
    let start = m.find("<TBao").unwrap();
    let end = m.rfind("</TBao>").unwrap() + 7;
    let m = format!("{}{tbao}{}", &m[..start], &m[end..]);
    let (_, r) = exchange(&sim, id.as_str(), &m);
    assert_eq!(kinds(&r), [301]);
    let Body::AuthorityNotice(n) = TDiep::read(&r[0]).unwrap().body else {
        panic!()
    };
    assert_eq!(n.outcome.as_deref(), Some("1"), "{n:?}");
    // Unsigned: refused in the 301.
    let (id, m) = message(MessageKind::ErrorNotice, TDiep::read(&m).unwrap().body);
    let (_, r) = exchange(&sim, id.as_str(), &m);
    assert_eq!(codes(&r[0]), ["notice.unsigned"]);
}

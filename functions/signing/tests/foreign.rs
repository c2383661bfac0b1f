//! Signatures as other providers make them (#18): the verdict on invoices issued elsewhere
//! follows what the tax authority and xmlsec1 accept, with the difference stated.
//!
//! The documents are made here, with the test key: a seller signature over the whole document
//! (`URI=""`), a `SigningTime` object signed with the enveloped-signature transform (strict
//! verifiers digest nothing there, .NET-style ones digest the object), a certificate chain with
//! the leaf last, and hostile ones past the cost limits.

mod common;

use common::{data, read, signer, unsigned_example};
use hoadon_core::DateTime;
use hoadon_core::dsig::c14n::{C14n, canonicalize_document, canonicalize_subtree, path_to};
use hoadon_core::dsig::{
    DigestAlg, MAX_REFERENCES, Policy, SignatureReport, b64_encode, verify_document,
    verify_document_with,
};
use hoadon_core::xml::dom;
use hoadon_signing::LocalKeySigner;
use hoadon_signing::csr::{request, rsa_spki_from_parts};
use hoadon_signing::testing::TestCa;
use std::process::Command;

const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const C14N: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
const PLACEHOLDER: &str = "DIGEST-PLACEHOLDER-";

/// How the foreign signer builds its references.
#[derive(Clone, Copy)]
enum Style {
    /// `URI=""` + enveloped transform for the invoice, the SigningTime object plainly.
    WholeDocument,
    /// `URI="#<DLHDon Id>"` for the invoice, the SigningTime object *with* the enveloped
    /// transform (digested .NET-style, as those providers do).
    EnvelopedSigningTime,
}

/// Signs `unsigned` in the seller slot as another provider would.
fn sign_foreign(unsigned: &str, signer: &LocalKeySigner, style: Style) -> String {
    let dl_id = {
        let d = dom::parse(unsigned).unwrap();
        let dl = d.root.find(&|e| e.local_name() == "DLHDon").unwrap();
        dl.attr("Id").unwrap().to_owned()
    };
    let reference = |uri: &str, n: usize, enveloped: bool| {
        let t = if enveloped {
            format!(
                "<Transforms><Transform Algorithm=\"{ENVELOPED}\"/><Transform Algorithm=\"{C14N}\"/></Transforms>"
            )
        } else {
            String::new()
        };
        format!(
            "<Reference URI=\"{uri}\">{t}<DigestMethod Algorithm=\"{SHA256}\"/><DigestValue>{PLACEHOLDER}{n}</DigestValue></Reference>"
        )
    };
    let refs = match style {
        Style::WholeDocument => reference("", 1, true) + &reference("#ST-foreign", 2, false),
        Style::EnvelopedSigningTime => {
            reference(&format!("#{dl_id}"), 1, false) + &reference("#ST-foreign", 2, true)
        }
    };
    let cert = b64_encode(signer.certificate_der());
    let signature = format!(
        "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\" Id=\"sig-foreign\"><SignedInfo>\
         <CanonicalizationMethod Algorithm=\"{C14N}\"/>\
         <SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/>{refs}\
         </SignedInfo><SignatureValue>VALUE-PLACEHOLDER</SignatureValue><KeyInfo><X509Data>\
         <X509Certificate>{cert}</X509Certificate></X509Data></KeyInfo><Object Id=\"ST-foreign\">\
         <SignatureProperties><SignatureProperty Target=\"#sig-foreign\">\
         <SigningTime>2025-10-15T09:30:12</SigningTime></SignatureProperty></SignatureProperties>\
         </Object></Signature>"
    );
    let mut xml = unsigned.replacen("<NBan></NBan>", &format!("<NBan>{signature}</NBan>"), 1);
    // The digests: computed over content that does not include the placeholders.
    let digests: Vec<String> = {
        let d = dom::parse(&xml).unwrap();
        let sig = d.root.find(&|e| e.local_name() == "Signature").unwrap();
        let object = d.root.find(&|e| e.local_name() == "Object").unwrap();
        let dl = d.root.find(&|e| e.local_name() == "DLHDon").unwrap();
        let subtree = |start| {
            let mut out = Vec::new();
            canonicalize_subtree(
                &path_to(&d.root, start).unwrap(),
                None,
                &C14n::inclusive(),
                &mut out,
            );
            out
        };
        let first = match style {
            Style::WholeDocument => {
                let mut out = Vec::new();
                canonicalize_document(&d, Some(sig.start), &C14n::inclusive(), &mut out);
                out
            }
            Style::EnvelopedSigningTime => subtree(dl.start),
        };
        [first, subtree(object.start)]
            .iter()
            .map(|o| b64_encode(&DigestAlg::Sha256.digest(o)))
            .collect()
    };
    for (i, d) in digests.iter().enumerate() {
        xml = xml.replacen(&format!("{PLACEHOLDER}{}", i + 1), d, 1);
    }
    let signed_info = {
        let d = dom::parse(&xml).unwrap();
        let si = d.root.find(&|e| e.local_name() == "SignedInfo").unwrap();
        let mut out = Vec::new();
        canonicalize_subtree(
            &path_to(&d.root, si.start).unwrap(),
            None,
            &C14n::inclusive(),
            &mut out,
        );
        out
    };
    let value = b64_encode(&signer.sign_raw(&signed_info).unwrap());
    xml.replacen("VALUE-PLACEHOLDER", &value, 1)
}

fn seller(xml: &str, policy: Policy) -> SignatureReport {
    verify_document_with(xml, policy).unwrap().remove(0)
}

/// xmlsec1's verdict, trusting only the test certificate; `Id` attributes declared on the
/// elements references point at.
fn xmlsec1(xml: &str, name: &str) -> bool {
    let dir = std::env::temp_dir().join(format!("hoadon-foreign-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.xml"));
    std::fs::write(&file, xml).unwrap();
    let out = Command::new("xmlsec1")
        .args([
            "--verify",
            "--id-attr:Id",
            "DLHDon",
            "--id-attr:Id",
            "Object",
        ])
        .arg("--pubkey-cert-pem")
        .arg(data("seller.cert.pem"))
        .args(["--enabled-key-data", "key-name"])
        .arg(&file)
        .output()
        .expect("xmlsec1 must be installed (functions/dev test installs it)");
    out.status.success()
}

#[test]
fn a_seller_signature_over_the_whole_document_covers_the_invoice() {
    let xml = sign_foreign(&unsigned_example(), &signer(), Style::WholeDocument);
    assert!(xmlsec1(&xml, "whole"), "xmlsec1 accepts URI=\"\"");
    for policy in [Policy::Strict, Policy::Tolerant] {
        let r = seller(&xml, policy);
        assert!(r.valid && r.strict, "{policy:?}: {:?}", r.failure);
        assert_eq!(r.references[0].uri, "");
    }
    // Any change to the invoice data breaks it, as it should.
    let tampered = xml.replacen("<SLuong>", "<SLuong>1", 1);
    assert_ne!(tampered, xml);
    let r = seller(&tampered, Policy::Tolerant);
    assert!(!r.valid);
    assert!(r.failure.unwrap().contains("reference 1 ()"));
}

#[test]
fn a_signing_time_signed_with_the_enveloped_transform_is_tolerated_when_importing() {
    let xml = sign_foreign(&unsigned_example(), &signer(), Style::EnvelopedSigningTime);
    // Strict XMLDSig (xmlsec1 and hoadon's strict reading): nothing is signed there.
    assert!(!xmlsec1(&xml, "enveloped-st"), "xmlsec1 is strict");
    let strict = seller(&xml, Policy::Strict);
    assert!(!strict.valid);
    let why = strict.failure.unwrap();
    assert!(why.contains("lies inside its own Signature"), "{why}");
    assert!(why.contains("accepted when importing"), "{why}");
    // Tolerant: valid, not strict, with a warning that says what is not protected.
    let r = seller(&xml, Policy::Tolerant);
    assert!(r.valid && !r.strict, "{:?}", r.failure);
    assert!(r.references[0].strict && !r.references[1].strict);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("the signing time is not covered under strict XMLDSig")),
        "{:?}",
        r.warnings
    );
    // Still exact where it matters: the invoice data and the signing time itself.
    let tampered = xml.replacen("<SLuong>", "<SLuong>1", 1);
    assert!(!seller(&tampered, Policy::Tolerant).valid);
    let later = xml.replacen("2025-10-15T09:30:12", "2025-10-16T09:30:12", 1);
    let r = seller(&later, Policy::Tolerant);
    assert!(!r.valid);
    assert!(
        r.failure.unwrap().contains("does not match either"),
        "a changed signing time is not tolerated"
    );
}

#[test]
fn the_signer_is_found_whatever_the_order_of_the_chain() {
    // A CA issues the seller's certificate; KeyInfo carries the chain, leaf last or first.
    let local = signer();
    let c = hoadon_core::dsig::cert::parse(local.certificate_der()).unwrap();
    let csr = request(
        &rsa_spki_from_parts(&c.modulus, &c.exponent),
        "Công ty TNHH Thiết bị Văn phòng An Phát",
        "0109998883",
        |b| local.sign_raw(b).map_err(|e| e.to_string()),
    )
    .unwrap();
    let ca = TestCa::new();
    let issued = ca.issue(&csr, 365);
    let chained = LocalKeySigner::from_pem(&read(data("seller.key.pem")), &issued).unwrap();
    let time: DateTime = "2025-10-15T09:30:12".parse().unwrap();
    let xml = chained.sign_invoice(&unsigned_example(), time).unwrap();
    let ca_der =
        b64_encode(&hoadon_signing::pem_block(&ca.certificate_pem(), "CERTIFICATE").unwrap());
    let leaf = b64_encode(chained.certificate_der());
    let leaf_el = format!("<X509Certificate>{leaf}</X509Certificate>");
    assert!(xml.contains(&leaf_el));
    let ca_el = format!("<X509Certificate>{ca_der}</X509Certificate>");
    for (order, doc) in [
        (
            "leaf last",
            xml.replacen(&leaf_el, &format!("{ca_el}{leaf_el}"), 1),
        ),
        (
            "leaf first",
            xml.replacen(&leaf_el, &format!("{leaf_el}{ca_el}"), 1),
        ),
    ] {
        let r = &verify_document(&doc).unwrap()[0];
        assert!(r.valid, "{order}: {:?}", r.failure);
        assert_eq!(r.tax_id.as_deref(), Some("0109998883"), "{order}");
        assert!(r.signer.as_deref().unwrap().contains("An Phát"), "{order}");
    }
    // When nothing verifies, the failure is reported against the leaf, not the CA.
    let bad = xml
        .replacen(&leaf_el, &format!("{ca_el}{leaf_el}"), 1)
        .replacen("<SignatureValue>", "<SignatureValue>AAAA", 1);
    let r = &verify_document(&bad).unwrap()[0];
    assert!(!r.valid && !r.signature_value_ok);
    assert!(r.signer.as_deref().unwrap().contains("An Phát"));
}

#[test]
fn hostile_signatures_are_refused_at_a_bounded_cost() {
    let xml = signer()
        .sign_invoice(&unsigned_example(), "2025-10-15T09:30:12".parse().unwrap())
        .unwrap();
    // Ten thousand references: refused before any is followed.
    let one = {
        let s = xml.find("<Reference").unwrap();
        let e = xml[s..].find("</Reference>").unwrap() + s + "</Reference>".len();
        xml[s..e].to_owned()
    };
    let many = xml.replacen(&one, &one.repeat(10_000), 1);
    let err = verify_document_with(&many, Policy::Tolerant).unwrap_err();
    assert!(
        err.to_string()
            .contains(&format!("at most {MAX_REFERENCES}")),
        "{err}"
    );
    // A key past the bound is not used (a 9,000-bit modulus costs, no CA issues one).
    let key_info_start = xml.find("<KeyInfo>").unwrap();
    let key_info_end = xml.find("</KeyInfo>").unwrap() + "</KeyInfo>".len();
    let mut modulus = vec![0xC5u8; 1125];
    modulus[1124] |= 1;
    let huge = format!(
        "{}<KeyInfo><KeyValue><RSAKeyValue><Modulus>{}</Modulus><Exponent>AQAB</Exponent></RSAKeyValue></KeyValue></KeyInfo>{}",
        &xml[..key_info_start],
        b64_encode(&modulus),
        &xml[key_info_end..]
    );
    let r = seller(&huge, Policy::Tolerant);
    assert!(!r.valid);
    assert!(r.failure.unwrap().contains("not verified (cost bound)"));
}

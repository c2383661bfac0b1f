//! A minimal X.509 reader: subject, validity and RSA public key of a signer's certificate.
//!
//! Hand-written over DER rather than a full X.509 crate: verification needs only these fields,
//! and real Vietnamese certificates include oddities strict parsers refuse (sample 11 has a
//! negative serial number). Nothing here decides trust; it only reports.

use crate::date::{Date, DateTime};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("certificate: {0}")]
pub struct CertError(pub String);

fn err(m: &str) -> CertError {
    CertError(m.to_owned())
}

/// What verification reports about a signer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// Subject in the style of .NET's `X509Certificate2.Subject` (most specific first), which is
    /// what Vietnamese signers put in `X509SubjectName`.
    pub subject: String,
    pub not_before: DateTime,
    pub not_after: DateTime,
    /// RSA modulus and public exponent, big-endian, without leading zeros.
    pub modulus: Vec<u8>,
    pub exponent: Vec<u8>,
}

impl Certificate {
    pub fn key_bits(&self) -> usize {
        match self.modulus.first() {
            Some(b) => self.modulus.len() * 8 - b.leading_zeros() as usize,
            None => 0,
        }
    }

    /// The tax id a Vietnamese CA puts in the subject (`UID=MST:0109998883`; some CAs write
    /// `MST=…` inside the CN instead); `None` when absent.
    pub fn tax_id(&self) -> Option<String> {
        let i = self
            .subject
            .find("MST:")
            .or_else(|| self.subject.find("MST="))?;
        let id: String = self.subject[i + 4..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '-')
            .collect();
        (!id.is_empty()).then_some(id)
    }

    pub fn valid_at(&self, t: DateTime) -> bool {
        self.not_before <= t && t <= self.not_after
    }
}

/// One DER element: tag, content, and the rest of the input.
fn tlv(input: &[u8]) -> Result<(u8, &[u8], &[u8]), CertError> {
    let (&tag, rest) = input.split_first().ok_or_else(|| err("truncated"))?;
    let (&first, rest) = rest.split_first().ok_or_else(|| err("truncated"))?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return Err(err("bad length"));
        }
        let len = rest[..n].iter().fold(0usize, |a, b| (a << 8) | *b as usize);
        (len, &rest[n..])
    };
    if rest.len() < len {
        return Err(err("truncated"));
    }
    Ok((tag, &rest[..len], &rest[len..]))
}

fn expect(input: &[u8], tag: u8) -> Result<(&[u8], &[u8]), CertError> {
    let (t, c, rest) = tlv(input)?;
    if t != tag {
        return Err(CertError(format!("expected tag {tag:#x}, found {t:#x}")));
    }
    Ok((c, rest))
}

fn oid(bytes: &[u8]) -> String {
    let mut parts = Vec::new();
    let mut v: u64 = 0;
    for (i, b) in bytes.iter().enumerate() {
        v = (v << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if parts.is_empty() && i < bytes.len() {
                let (a, rest) = if v < 80 {
                    (v / 40, v % 40)
                } else {
                    (2, v - 80)
                };
                parts.push(a.to_string());
                parts.push(rest.to_string());
            } else {
                parts.push(v.to_string());
            }
            v = 0;
        }
    }
    parts.join(".")
}

fn string_value(tag: u8, c: &[u8]) -> String {
    match tag {
        0x1e => {
            let units: Vec<u16> = c
                .chunks(2)
                .map(|p| u16::from_be_bytes([p[0], *p.get(1).unwrap_or(&0)]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        0x1c => c
            .chunks(4)
            .filter_map(|p| {
                p.try_into()
                    .ok()
                    .map(u32::from_be_bytes)
                    .and_then(char::from_u32)
            })
            .collect(),
        0x14 => c.iter().map(|b| char::from(*b)).collect(),
        _ => String::from_utf8_lossy(c).into_owned(),
    }
}

fn attribute_name(oid: &str) -> String {
    match oid {
        "2.5.4.3" => "CN".into(),
        "2.5.4.6" => "C".into(),
        "2.5.4.7" => "L".into(),
        "2.5.4.8" => "S".into(),
        "2.5.4.9" => "STREET".into(),
        "2.5.4.10" => "O".into(),
        "2.5.4.11" => "OU".into(),
        "2.5.4.12" => "T".into(),
        "2.5.4.5" => "SERIALNUMBER".into(),
        "1.2.840.113549.1.9.1" => "E".into(),
        other => format!("OID.{other}"),
    }
}

fn escape_dn(v: &str) -> String {
    let needs_quotes = v.contains([',', '+', '=', '"', '\n', '<', '>', '#', ';'])
        || v.starts_with(' ')
        || v.ends_with(' ');
    if needs_quotes {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_owned()
    }
}

/// A Name as `CN=…, O=…, C=VN` (RDNs in reverse order, as .NET and RFC 4514 write them).
fn name(mut seq: &[u8]) -> Result<String, CertError> {
    let mut rdns = Vec::new();
    while !seq.is_empty() {
        let (set, rest) = expect(seq, 0x31)?;
        seq = rest;
        let mut set = set;
        let mut parts = Vec::new();
        while !set.is_empty() {
            let (atv, rest) = expect(set, 0x30)?;
            set = rest;
            let (o, after) = expect(atv, 0x06)?;
            let (tag, val, _) = tlv(after)?;
            parts.push(format!(
                "{}={}",
                attribute_name(&oid(o)),
                escape_dn(&string_value(tag, val))
            ));
        }
        rdns.push(parts.join(" + "));
    }
    rdns.reverse();
    Ok(rdns.join(", "))
}

fn time(input: &[u8]) -> Result<(DateTime, &[u8]), CertError> {
    let (tag, c, rest) = tlv(input)?;
    let s = std::str::from_utf8(c).map_err(|_| err("bad time"))?;
    let digits = |r: std::ops::Range<usize>| -> Result<u16, CertError> {
        s.get(r)
            .and_then(|x| x.parse().ok())
            .ok_or_else(|| err("bad time"))
    };
    let (year, off) = match tag {
        0x17 => {
            let yy = digits(0..2)?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, 2)
        }
        0x18 => (digits(0..4)?, 4),
        _ => return Err(err("bad time tag")),
    };
    let date = Date::new(
        year,
        digits(off..off + 2)? as u8,
        digits(off + 2..off + 4)? as u8,
    )
    .map_err(|_| err("bad date"))?;
    let t = DateTime::new(
        date,
        digits(off + 4..off + 6)? as u8,
        digits(off + 6..off + 8)? as u8,
        digits(off + 8..off + 10).unwrap_or(0) as u8,
    )
    .map_err(|_| err("bad time"))?;
    Ok((t, rest))
}

fn unsigned(int: &[u8]) -> Vec<u8> {
    let first = int.iter().position(|b| *b != 0).unwrap_or(int.len());
    int[first..].to_vec()
}

/// Parses a DER certificate.
pub fn parse(der: &[u8]) -> Result<Certificate, CertError> {
    let (cert, _) = expect(der, 0x30)?;
    let (tbs, _) = expect(cert, 0x30)?;
    let mut rest = tbs;
    if rest.first() == Some(&0xa0) {
        rest = tlv(rest)?.2; // [0] version
    }
    rest = expect(rest, 0x02)?.1; // serial number (any sign)
    rest = expect(rest, 0x30)?.1; // signature algorithm
    rest = expect(rest, 0x30)?.1; // issuer
    let (validity, after_validity) = expect(rest, 0x30)?;
    let (not_before, v) = time(validity)?;
    let (not_after, _) = time(v)?;
    let (subject, after_subject) = expect(after_validity, 0x30)?;
    let (spki, _) = expect(after_subject, 0x30)?;
    let (alg, key_bits) = expect(spki, 0x30)?;
    let (alg_oid, _) = expect(alg, 0x06)?;
    if oid(alg_oid) != "1.2.840.113549.1.1.1" {
        return Err(CertError(format!("not an RSA key ({})", oid(alg_oid))));
    }
    let (bits, _) = expect(key_bits, 0x03)?;
    let (rsa_key, _) = expect(bits.get(1..).ok_or_else(|| err("empty key"))?, 0x30)?;
    let (n, r) = expect(rsa_key, 0x02)?;
    let (e, _) = expect(r, 0x02)?;
    Ok(Certificate {
        subject: name(subject)?,
        not_before,
        not_after,
        modulus: unsigned(n),
        exponent: unsigned(e),
    })
}

/// The issuer of a DER certificate, written like [`Certificate::subject`]. Kept out of
/// [`parse`] (verification never needs it); the certificate registry shows it, as the
/// registration (01/ĐKTĐ-HĐĐT) names the CA.
pub fn issuer(der: &[u8]) -> Result<String, CertError> {
    let (cert, _) = expect(der, 0x30)?;
    let (tbs, _) = expect(cert, 0x30)?;
    let mut rest = tbs;
    if rest.first() == Some(&0xa0) {
        rest = tlv(rest)?.2;
    }
    rest = expect(rest, 0x02)?.1;
    rest = expect(rest, 0x30)?.1;
    name(expect(rest, 0x30)?.0)
}

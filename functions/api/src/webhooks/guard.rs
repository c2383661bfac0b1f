//! Where a request to an address a user typed may go (SSRF): webhooks here, the books' pull
//! (`books::source`) through [`classify`].
//!
//! A webhook's URL is checked twice. **When it is registered** ([`parse`]): its syntax, no user
//! information, `https://` (plain `http://` only to loopback, and only where the composition
//! root allowed it: the local system, never Lambda), and an IP literal's class. **At each
//! attempt** ([`resolve`]): the name is resolved, *every* address it resolves to must be
//! public (or loopback for the local `http://` case), and the request then goes to one of
//! those checked addresses — never through a second resolution, so DNS rebinding (a name that
//! answers a public address to the check and `169.254.169.254` to the connection) cannot swap
//! it. TLS still presents and verifies the name (`hoadon_signing::http::client_to`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

/// Longest URL accepted.
pub const MAX_URL_CHARS: usize = 2000;

/// What an address is, for an outgoing request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Reachable on the Internet (what `https://` may go to).
    Public,
    /// This machine (`127.0.0.0/8`, `::1`, and their IPv4-mapped forms).
    Loopback,
    /// Never: private, link-local (the cloud metadata service), CGNAT, unspecified,
    /// multicast, reserved, unique-local, NAT64 of any of these, …; names the range.
    Forbidden(&'static str),
}

/// The class of `ip`. IPv6 forms that carry an IPv4 address (mapped, NAT64 well-known prefix,
/// 6to4) are classified by that address.
pub fn classify(ip: IpAddr) -> Class {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Class {
    let [a, b, c, _] = ip.octets();
    let forbidden = match (a, b, c) {
        (127, ..) => return Class::Loopback,
        (0, ..) => "0.0.0.0/8 (this network)",
        (10, ..) => "10.0.0.0/8 (private)",
        (172, 16..=31, _) => "172.16.0.0/12 (private)",
        (192, 168, _) => "192.168.0.0/16 (private)",
        (100, 64..=127, _) => "100.64.0.0/10 (carrier-grade NAT)",
        (169, 254, _) => "169.254.0.0/16 (link-local, cloud metadata)",
        (192, 0, 0) => "192.0.0.0/24 (IETF protocol assignments)",
        (198, 18..=19, _) => "198.18.0.0/15 (benchmarking)",
        (224..=239, ..) => "224.0.0.0/4 (multicast)",
        (240..=255, ..) => "240.0.0.0/4 (reserved, broadcast)",
        _ => return Class::Public,
    };
    Class::Forbidden(forbidden)
}

fn classify_v6(ip: Ipv6Addr) -> Class {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    let s = ip.segments();
    let embedded = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    let forbidden = match s {
        [0, 0, 0, 0, 0, 0, 0, 1] => return Class::Loopback,
        [0, 0, 0, 0, 0, 0, 0, 0] => "::/128 (unspecified)",
        // NAT64 (well-known prefix): what it translates to.
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => {
            return match classify_v4(embedded(hi, lo)) {
                Class::Public => Class::Public,
                _ => Class::Forbidden("64:ff9b::/96 (NAT64 of a non-public address)"),
            };
        }
        [0x64, 0xff9b, 1, ..] => "64:ff9b:1::/48 (local-use NAT64)",
        // 6to4: the IPv4 address it tunnels to.
        [0x2002, hi, lo, ..] => {
            return match classify_v4(embedded(hi, lo)) {
                Class::Public => Class::Public,
                _ => Class::Forbidden("2002::/16 (6to4 of a non-public address)"),
            };
        }
        [0, 0, 0, 0, 0, 0, ..] => "::/96 (IPv4-compatible, deprecated)",
        [0x100, 0, 0, 0, ..] => "100::/64 (discard-only)",
        [0x2001, 0, ..] => "2001::/32 (Teredo)",
        [x, ..] if x & 0xfe00 == 0xfc00 => "fc00::/7 (unique local)",
        [x, ..] if x & 0xffc0 == 0xfe80 => "fe80::/10 (link-local)",
        [x, ..] if x & 0xffc0 == 0xfec0 => "fec0::/10 (site-local, deprecated)",
        [x, ..] if x & 0xff00 == 0xff00 => "ff00::/8 (multicast)",
        _ => return Class::Public,
    };
    Class::Forbidden(forbidden)
}

/// A refusal of a URL: a stable code and why, in Vietnamese and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub vi: String,
    pub en: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.en, self.code)
    }
}

fn refuse(code: &'static str, vi: impl Into<String>, en: impl Into<String>) -> Refusal {
    Refusal {
        code,
        vi: vi.into(),
        en: en.into(),
    }
}

fn malformed() -> Refusal {
    refuse(
        "webhook.url",
        "Địa chỉ không hợp lệ: cần một URL tuyệt đối, không kèm tên đăng nhập, tối đa 2000 ký tự",
        "not a valid address: an absolute URL without user information, at most 2000 characters",
    )
}

fn scheme(allow_local: bool) -> Refusal {
    if allow_local {
        refuse(
            "webhook.url_scheme",
            "Địa chỉ phải là https:// (http:// chỉ tới 127.0.0.1 / localhost trên hệ thống cục bộ)",
            "the address must be https:// (http:// only to 127.0.0.1 / localhost on the local system)",
        )
    } else {
        refuse(
            "webhook.url_scheme",
            "Địa chỉ phải là https://",
            "the address must be https://",
        )
    }
}

fn address(host: &str, why: &str) -> Refusal {
    refuse(
        "webhook.url_address",
        format!("Không gửi tới {host}: địa chỉ {why} không phải địa chỉ công khai"),
        format!("{host} is not a public address ({why}); webhooks go to public addresses only"),
    )
}

/// A webhook's URL, parsed and checked as far as it can be without resolving it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub https: bool,
    /// The host without brackets: a DNS name (lower case) or an IP literal.
    pub host: String,
    pub port: u16,
    /// The `Host` header: the URL's authority as written (host and any port).
    pub authority: String,
    /// Path and query (`/` when empty).
    pub path: String,
}

/// Checks `url` as registered: syntax, scheme, no user information, an IP literal's class, and
/// `localhost` names. `allow_local`: the local system, where `http://` to loopback is allowed.
pub fn parse(url: &str, allow_local: bool) -> Result<Target, Refusal> {
    if url.chars().count() > MAX_URL_CHARS
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(malformed());
    }
    let uri: axum::http::Uri = url.parse().map_err(|_| malformed())?;
    let https = match uri.scheme_str() {
        Some(s) if s.eq_ignore_ascii_case("https") => true,
        Some(s) if s.eq_ignore_ascii_case("http") => false,
        Some(_) => return Err(scheme(allow_local)),
        None => return Err(malformed()),
    };
    let auth = uri.authority().ok_or_else(malformed)?;
    if auth.as_str().contains('@') {
        return Err(malformed());
    }
    let raw_host = auth.host();
    let host = raw_host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase();
    if host.is_empty() {
        return Err(malformed());
    }
    let port = match auth.port_u16() {
        Some(0) => return Err(malformed()),
        Some(p) => p,
        None if https => 443,
        None => 80,
    };
    let target = Target {
        https,
        port,
        authority: auth.as_str().to_owned(),
        path: uri
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()),
        host: host.clone(),
    };
    let local_name = host == "localhost" || host.ends_with(".localhost");
    match host.parse::<IpAddr>() {
        Ok(ip) => check(ip, &target, allow_local).map(|_| target),
        // Plain http to a name: only `localhost` on the local system (resolved at each attempt
        // and checked to be loopback).
        Err(_) if !https => match allow_local && local_name {
            true => Ok(target),
            false => Err(scheme(allow_local)),
        },
        Err(_) if local_name => Err(address(&host, "loopback")),
        // A single label (`https://intranet/`) is a name of the local network.
        Err(_) if !host.contains('.') => Err(malformed()),
        Err(_) => Ok(target),
    }
}

/// Whether a request for `target` may go to `ip`.
fn check(ip: IpAddr, target: &Target, allow_local: bool) -> Result<(), Refusal> {
    match (classify(ip), target.https) {
        (Class::Public, true) => Ok(()),
        (Class::Loopback, false) if allow_local => Ok(()),
        (Class::Public | Class::Loopback, false) => Err(scheme(allow_local)),
        (Class::Loopback, true) => Err(address(&ip.to_string(), "loopback")),
        (Class::Forbidden(why), _) => Err(address(&ip.to_string(), why)),
    }
}

/// Checks every address `target`'s name resolved to; the addresses a request may go to.
pub fn check_resolved(
    target: &Target,
    addrs: &[SocketAddr],
    allow_local: bool,
) -> Result<Vec<SocketAddr>, Refusal> {
    if addrs.is_empty() {
        return Err(address(&target.host, "no address"));
    }
    for a in addrs {
        check(a.ip(), target, allow_local).map_err(|r| Refusal {
            en: format!("{} resolves to {}: {}", target.host, a.ip(), r.en),
            vi: format!("{} trỏ tới {}: {}", target.host, a.ip(), r.vi),
            ..r
        })?;
    }
    let mut out = addrs.to_vec();
    out.dedup();
    Ok(out)
}

/// Why an attempt did not get as far as a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveError {
    /// The name did not resolve (now): worth retrying.
    Lookup(String),
    /// It resolved to an address a webhook may not go to: no retry helps.
    Refused(Refusal),
}

/// Resolves `url` (checked again from scratch) and checks every address: what an attempt
/// connects to, in the resolver's order.
pub async fn resolve(
    url: &str,
    allow_local: bool,
    timeout: Duration,
) -> Result<(Target, Vec<SocketAddr>), ResolveError> {
    let target = parse(url, allow_local).map_err(ResolveError::Refused)?;
    if let Ok(ip) = target.host.parse::<IpAddr>() {
        return Ok((target.clone(), vec![SocketAddr::new(ip, target.port)]));
    }
    let lookup = tokio::net::lookup_host((target.host.as_str(), target.port));
    let addrs: Vec<SocketAddr> = match tokio::time::timeout(timeout, lookup).await {
        Ok(Ok(a)) => a.collect(),
        Ok(Err(e)) => return Err(ResolveError::Lookup(format!("{}: {e}", target.host))),
        Err(_) => {
            return Err(ResolveError::Lookup(format!(
                "{}: no answer from DNS within {} s",
                target.host,
                timeout.as_secs()
            )));
        }
    };
    let checked = check_resolved(&target, &addrs, allow_local).map_err(ResolveError::Refused)?;
    Ok((target, checked))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(s: &str) -> Class {
        classify(s.parse().unwrap())
    }

    #[test]
    fn inside_addresses_are_never_public() {
        for ip in [
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "100.127.255.254",
            "169.254.169.254",
            "0.0.0.0",
            "0.1.2.3",
            "192.0.0.170",
            "198.18.0.1",
            "224.0.0.1",
            "239.255.255.250",
            "255.255.255.255",
            "240.0.0.1",
            "::",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::1",
            "2002:0a00:0001::1",
            "2002:a9fe:a9fe::",
            "::10.0.0.1",
            "100::1",
            "2001:0:4136:e378::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "febf::1",
            "fec0::1",
            "ff02::1",
            "fd00:ec2::254",
        ] {
            assert!(
                matches!(class(ip), Class::Forbidden(_)),
                "{ip}: {:?}",
                class(ip)
            );
        }
        for ip in ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"] {
            assert_eq!(class(ip), Class::Loopback, "{ip}");
        }
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "172.15.255.255",
            "172.32.0.1",
            "100.63.255.255",
            "100.128.0.1",
            "169.253.1.1",
            "203.0.113.7",
            "2606:4700:4700::1111",
            "2001:4860:4860::8888",
            "64:ff9b::808:808",
            "2002:0808:0808::1",
            "::ffff:8.8.8.8",
        ] {
            assert_eq!(class(ip), Class::Public, "{ip}");
        }
    }

    fn code(url: &str, local: bool) -> &'static str {
        match parse(url, local) {
            Ok(_) => "ok",
            Err(r) => r.code,
        }
    }

    #[test]
    fn urls_are_checked_when_registered() {
        for (url, local, expected) in [
            ("https://erp.example.vn/hooks/hoadon?x=1", false, "ok"),
            ("https://8.8.8.8:8443/h", false, "ok"),
            ("https://[2606:4700:4700::1111]/h", false, "ok"),
            ("http://erp.example.vn/hooks", false, "webhook.url_scheme"),
            ("http://erp.example.vn/hooks", true, "webhook.url_scheme"),
            ("http://127.0.0.1:8080/h", false, "webhook.url_scheme"),
            ("http://127.0.0.1:8080/h", true, "ok"),
            ("http://localhost:8080/h", true, "ok"),
            ("http://[::1]:8080/h", true, "ok"),
            ("http://10.0.0.1/h", true, "webhook.url_address"),
            ("http://10.0.0.1/h", false, "webhook.url_address"),
            ("https://10.0.0.1/h", false, "webhook.url_address"),
            (
                "https://169.254.169.254/latest/meta-data",
                false,
                "webhook.url_address",
            ),
            ("https://[fd00:ec2::254]/", false, "webhook.url_address"),
            (
                "https://[::ffff:192.168.0.1]/",
                false,
                "webhook.url_address",
            ),
            ("https://100.64.1.1/", false, "webhook.url_address"),
            ("https://127.0.0.1/", true, "webhook.url_address"),
            ("https://localhost/", true, "webhook.url_address"),
            ("https://LOCALHOST./", true, "webhook.url_address"),
            ("https://app.localhost/", false, "webhook.url_address"),
            ("ftp://erp.example.vn/", false, "webhook.url_scheme"),
            ("file:///etc/passwd", false, "webhook.url"),
            ("https://user:pw@erp.example.vn/", false, "webhook.url"),
            ("https://localhost@10.0.0.5/", true, "webhook.url"),
            ("erp.example.vn/hooks", false, "webhook.url"),
            ("https:///nohost", false, "webhook.url"),
            ("https://erp.example.vn:0/", false, "webhook.url"),
            ("https://intranet/", false, "webhook.url"),
            ("https://erp.example.vn/a b", false, "webhook.url"),
        ] {
            assert_eq!(code(url, local), expected, "{url} (local: {local})");
        }
        let long = format!("https://erp.example.vn/{}", "a".repeat(MAX_URL_CHARS));
        assert_eq!(code(&long, false), "webhook.url");
        let t = parse("https://ERP.example.vn:8443/h?q=1", false).unwrap();
        assert_eq!(
            (
                t.host.as_str(),
                t.port,
                t.authority.as_str(),
                t.path.as_str()
            ),
            ("erp.example.vn", 8443, "ERP.example.vn:8443", "/h?q=1")
        );
    }

    #[test]
    fn every_resolved_address_must_pass() {
        let t = parse("https://erp.example.vn/h", false).unwrap();
        let a = |s: &str| SocketAddr::new(s.parse().unwrap(), 443);
        assert!(check_resolved(&t, &[a("8.8.8.8"), a("2606:4700:4700::1111")], false).is_ok());
        // One bad answer among good ones (a rebinding attempt) refuses the name.
        let r = check_resolved(&t, &[a("8.8.8.8"), a("169.254.169.254")], false).unwrap_err();
        assert_eq!(r.code, "webhook.url_address");
        assert!(r.en.contains("169.254.169.254"), "{}", r.en);
        assert!(check_resolved(&t, &[a("127.0.0.1")], true).is_err());
        assert!(check_resolved(&t, &[], false).is_err());
        let local = parse("http://localhost:9/h", true).unwrap();
        let l = |s: &str| SocketAddr::new(s.parse().unwrap(), 9);
        assert!(check_resolved(&local, &[l("127.0.0.1"), l("::1")], true).is_ok());
        assert!(check_resolved(&local, &[l("127.0.0.1"), l("10.0.0.1")], true).is_err());
        assert!(check_resolved(&local, &[l("127.0.0.1")], false).is_err());
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_loopback_is_refused_over_https() {
        match resolve("https://localhost:1/x", true, Duration::from_secs(3)).await {
            Err(ResolveError::Refused(r)) => assert_eq!(r.code, "webhook.url_address"),
            other => panic!("{other:?}"),
        }
        // The local system's http:// to loopback resolves to loopback addresses only.
        let (t, addrs) = resolve("http://localhost:9/x", true, Duration::from_secs(3))
            .await
            .unwrap();
        assert!(!t.https);
        assert!(!addrs.is_empty());
        assert!(addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
    }
}

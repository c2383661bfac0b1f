//! What a `hoadon token sign` run did, printed at its end: how many invoices were signed (their
//! numbers per series), already attached, refused (code and why), left unclaimed; and where the
//! time went — on the token, or in round trips to the server (which number, prepare, verify and
//! attach there).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

/// One invoice that did not get its signature attached.
pub struct Refusal {
    pub invoice: String,
    /// Series and number, when it was claimed (numbered).
    pub numbered: Option<(String, u32)>,
    pub code: String,
    pub message: String,
}

/// Where the time went.
#[derive(Default)]
pub struct Timing {
    /// Signing on the token (the PKCS#11 calls).
    pub token: Duration,
    /// Here, outside the token: decoding, hashing, checking each digest.
    pub local: Duration,
    /// Claim requests (the server numbers and prepares each invoice).
    pub claims: Duration,
    pub claim_calls: u32,
    /// Signature uploads (the server verifies and attaches each signature).
    pub uploads: Duration,
    pub upload_calls: u32,
    pub wall: Duration,
}

#[derive(Default)]
pub struct Report {
    pub signed: Vec<(String, u32)>,
    pub already: Vec<(String, u32)>,
    pub refused: Vec<Refusal>,
    /// Invoices a claim left alone (asked for by id, or next in the queue), by id: a later
    /// claim may name them again.
    pub not_claimed: BTreeMap<String, Refusal>,
    /// Still awaiting a token signature on the server after the last claim.
    pub remaining: u64,
    /// The run was asked for every queued invoice (`--all`): any left over makes it incomplete.
    pub all: bool,
    /// Why the run stopped early, if it did.
    pub stopped: Option<String>,
    pub timing: Timing,
}

impl Report {
    /// Whether everything asked for was attached (the exit code's question).
    pub fn complete(&self) -> bool {
        self.refused.is_empty()
            && self.not_claimed.is_empty()
            && self.stopped.is_none()
            && (!self.all || self.remaining == 0)
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let done = self.signed.len() + self.already.len();
        let _ = writeln!(
            out,
            "signed: {} invoice(s){}",
            self.signed.len(),
            per_series(&self.signed)
        );
        if !self.already.is_empty() {
            let _ = writeln!(
                out,
                "already attached (uploaded before): {}{}",
                self.already.len(),
                per_series(&self.already)
            );
        }
        if !self.refused.is_empty() {
            let _ = writeln!(out, "refused: {}", self.refused.len());
            for r in &self.refused {
                let _ = writeln!(out, "  {}", line(r));
            }
        }
        if !self.not_claimed.is_empty() {
            let _ = writeln!(out, "not claimed: {}", self.not_claimed.len());
            for r in self.not_claimed.values() {
                let _ = writeln!(out, "  {}", line(r));
            }
        }
        if self.remaining > 0 {
            let _ = writeln!(
                out,
                "still awaiting a token signature on the server: {} (claimed by another \
                 session, refused above, or not asked for)",
                self.remaining
            );
        }
        if let Some(why) = &self.stopped {
            let _ = writeln!(out, "stopped: {why}");
        }
        out.push_str(&self.timing.render(done + self.refused.len()));
        out
    }
}

impl Timing {
    fn render(&self, invoices: usize) -> String {
        let each = |d: Duration| {
            if invoices == 0 {
                String::new()
            } else {
                format!(
                    " ({:.2} ms per invoice)",
                    d.as_secs_f64() * 1e3 / invoices as f64
                )
            }
        };
        let server = self.claims + self.uploads;
        format!(
            "time: {} for {invoices} invoice(s)\n\
             \x20 on the token:       {}{}\n\
             \x20 server round trips: {}{}: claims {} in {} call(s) (numbering, preparing), \
             uploads {} in {} call(s) (verifying, attaching)\n\
             \x20 here:               {} (decoding, hashing, checking each digest)\n",
            secs(self.wall),
            secs(self.token),
            each(self.token),
            secs(server),
            each(server),
            secs(self.claims),
            self.claim_calls,
            secs(self.uploads),
            self.upload_calls,
            secs(self.local),
        )
    }
}

/// Seconds, or milliseconds below one.
fn secs(d: Duration) -> String {
    if d.as_secs_f64() < 1.0 {
        format!("{:.1} ms", d.as_secs_f64() * 1e3)
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

fn line(r: &Refusal) -> String {
    match &r.numbered {
        Some((series, number)) => format!(
            "{} ({series} no. {number}): {}: {}",
            r.invoice, r.code, r.message
        ),
        None => format!("{}: {}: {}", r.invoice, r.code, r.message),
    }
}

/// `"; 1C25TAA 1–20, 22"`: the numbers of each series as ranges.
fn per_series(numbered: &[(String, u32)]) -> String {
    let mut by_series: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for (series, number) in numbered {
        by_series.entry(series).or_default().push(*number);
    }
    let mut out = String::new();
    for (series, mut numbers) in by_series {
        numbers.sort_unstable();
        numbers.dedup();
        let _ = write!(out, "; {series} {}", ranges(&numbers));
    }
    out
}

/// Sorted, distinct numbers as `1–20, 22, 30–31`.
pub fn ranges(numbers: &[u32]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < numbers.len() {
        let start = numbers[i];
        let mut end = start;
        while i + 1 < numbers.len() && numbers[i + 1] == end + 1 {
            i += 1;
            end = numbers[i];
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}–{end}")
        });
        i += 1;
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_ranges() {
        assert_eq!(ranges(&[]), "");
        assert_eq!(ranges(&[7]), "7");
        assert_eq!(ranges(&[1, 2, 3, 5, 7, 8]), "1–3, 5, 7–8");
    }

    #[test]
    fn the_summary_names_series_refusals_and_time() {
        let mut r = Report {
            signed: vec![("1C25TAA".into(), 2), ("1C25TAA".into(), 1)],
            ..Report::default()
        };
        r.refused.push(Refusal {
            invoice: "inv-3".into(),
            numbered: Some(("1C25TAA".into(), 3)),
            code: "signature.invalid".into(),
            message: "the signature does not verify".into(),
        });
        let text = r.render();
        assert!(text.contains("signed: 2 invoice(s); 1C25TAA 1–2"), "{text}");
        assert!(
            text.contains(
                "inv-3 (1C25TAA no. 3): signature.invalid: the signature does not verify"
            ),
            "{text}"
        );
        assert!(text.contains("on the token"), "{text}");
        assert!(!r.complete());
    }
}

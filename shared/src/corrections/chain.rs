//! The original's side of its corrections: which correction documents point at it, how far each
//! got, and what that makes of the original (its *standing*). One small state machine, beside the
//! invoice's own lifecycle: a coded invoice stays coded when it is replaced — the authority's
//! state and the correction's standing are different facts, and the list filters on both.
//!
//! ```text
//!  link:  Draft ──numbered──► Pending ──valid (signed; coded for a C series)──► Valid
//!                               │  ▲
//!                       rejected▼  │revised (same number)
//!                             Rejected
//!  standing (derived): Issued │ ReplacementPending │ Replaced │ Adjusted │ Cancelled
//! ```
//! A replacement draft reserves the replacement (an invoice is replaced at most once: two users
//! racing get one draft and one refusal). A rejected replacement gives the original back its
//! previous standing but keeps the reservation: the rejected invoice keeps its number and is
//! revised, never abandoned. Once a correction was numbered, its method is the invoice's.

use super::rules::{Jurisdiction, Rule, rule_at};
use super::{Direction, Method, Refused};
use crate::date::Date;
use serde::{Deserialize, Serialize};

/// How far one correction document got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    /// Being prepared; no number yet.
    Draft,
    /// Numbered, not yet valid (being signed, or waiting for the authority's code).
    Pending,
    /// Valid: signed (uncoded series) or coded.
    Valid,
    /// Refused by the authority; revised under the same number.
    Rejected,
}

/// One correction of the invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Link {
    /// The correction invoice's id.
    pub id: String,
    pub method: Method,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    pub state: LinkState,
}

/// A dated cancellation (Decree 123 era only), with the 04/SS that declared it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cancellation {
    /// The cancellation's date (the notice's `NTBao`), `YYYY-MM-DD`.
    pub date: String,
    /// Why the law allows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ground: Option<super::CancelGround>,
    pub reason: String,
    /// The 04/SS notice.
    pub notice_id: String,
}

/// What the corrections make of the original.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Not corrected (a replacement may be drafted).
    Issued,
    /// A replacement is numbered and not yet valid.
    ReplacementPending,
    /// Replaced by a valid replacement: final.
    Replaced,
    /// At least one valid adjustment.
    Adjusted,
    /// Cancelled (Decree 123 era): final.
    Cancelled,
}

impl Standing {
    pub const ALL: [Standing; 5] = [
        Standing::Issued,
        Standing::ReplacementPending,
        Standing::Replaced,
        Standing::Adjusted,
        Standing::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Issued => "issued",
            Standing::ReplacementPending => "replacement_pending",
            Standing::Replaced => "replaced",
            Standing::Adjusted => "adjusted",
            Standing::Cancelled => "cancelled",
        }
    }
}

/// The original's corrections (stored on its record).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Corrections {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled: Option<Cancellation>,
    /// The 04/SS notices that named the invoice.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<String>,
}

/// What the rules must know of the original and the moment.
#[derive(Debug, Clone, Copy)]
pub struct RuleContext {
    /// The original's issue date.
    pub original_date: Date,
    /// The correction's date (today, in Vietnam).
    pub today: Date,
    /// The original is valid (deliverable): only a valid invoice is corrected.
    pub original_valid: bool,
    /// The original's symbol letter (position 4 of `KHHDon`).
    pub symbol_letter: char,
    /// The original is itself a correction (a replacement or an adjustment).
    pub is_correction: bool,
}

fn refused(code: &'static str, vi: String, en: String) -> Refused {
    Refused {
        code,
        message_vi: vi,
        message_en: en,
    }
}

impl Corrections {
    pub fn is_empty(&self) -> bool {
        self.links.is_empty() && self.cancelled.is_none() && self.notices.is_empty()
    }

    /// What the corrections make of the original now.
    pub fn standing(&self) -> Standing {
        let has =
            |m: Method, s: LinkState| self.links.iter().any(|l| l.method == m && l.state == s);
        if self.cancelled.is_some() {
            Standing::Cancelled
        } else if has(Method::Replacement, LinkState::Valid) {
            Standing::Replaced
        } else if has(Method::Replacement, LinkState::Pending) {
            Standing::ReplacementPending
        } else if has(Method::Adjustment, LinkState::Valid) {
            Standing::Adjusted
        } else {
            Standing::Issued
        }
    }

    /// The method used for the invoice: that of its first numbered correction, or a
    /// cancellation. Later corrections must use the same one.
    pub fn method(&self) -> Option<Method> {
        if self.cancelled.is_some() {
            return Some(Method::Cancellation);
        }
        self.links
            .iter()
            .find(|l| l.state != LinkState::Draft)
            .map(|l| l.method)
    }

    /// The replacement (drafted or issued), if any.
    pub fn replacement(&self) -> Option<&Link> {
        self.links.iter().find(|l| l.method == Method::Replacement)
    }

    /// Whether a correction by `method` may begin now, or the rule that refuses it.
    pub fn check(&self, method: Method, ctx: &RuleContext) -> Result<(), Refused> {
        if self.cancelled.is_some() {
            return Err(refused(
                "correction.cancelled",
                "Hóa đơn đã bị hủy, không điều chỉnh, thay thế hay thông báo thêm được.".into(),
                "The invoice is cancelled; it can no longer be corrected.".into(),
            ));
        }
        if let Some(r) = self.replacement() {
            let (vi, en) = match r.state {
                LinkState::Valid => (
                    "Hóa đơn đã bị thay thế (hóa đơn thay thế là hóa đơn hợp lệ), không sửa thêm được.",
                    "The invoice has been replaced; the replacement is the valid invoice now.",
                ),
                _ => (
                    "Hóa đơn đang được thay thế (mỗi hóa đơn chỉ được thay thế một lần).",
                    "A replacement of this invoice already exists (an invoice is replaced at most once).",
                ),
            };
            if method != Method::Explanation || r.state == LinkState::Valid {
                return Err(refused(
                    "correction.already_replaced",
                    format!("{vi} ({})", r.id),
                    format!("{en} ({})", r.id),
                ));
            }
        }
        if !ctx.original_valid {
            return Err(refused(
                "correction.not_valid",
                "Chỉ hóa đơn đã có hiệu lực (đã ký; đã được cấp mã với ký hiệu có mã) mới được điều chỉnh, thay thế hay hủy.".into(),
                "Only a valid invoice (signed; coded, for a coded series) can be corrected.".into(),
            ));
        }
        if let Some(used) = self.method()
            && used != method
            && method != Method::Explanation
        {
            return Err(refused(
                "correction.method_fixed",
                format!(
                    "Hóa đơn đã được xử lý bằng cách {}; các lần sau phải dùng cùng cách.",
                    used.label_vi()
                ),
                format!(
                    "The invoice was already corrected by {}; later corrections must use the same method.",
                    used.label_en()
                ),
            ));
        }
        match method {
            Method::Cancellation if ctx.is_correction => {
                return Err(refused(
                    "correction.cancel_a_correction",
                    "Hóa đơn điều chỉnh/thay thế không hủy được; hãy điều chỉnh hoặc thay thế nó."
                        .into(),
                    "A correction invoice is not cancelled; adjust or replace it instead.".into(),
                ));
            }
            Method::Cancellation => {
                let row = rule_at(
                    Rule::Cancellation,
                    Jurisdiction::Vn,
                    ctx.original_date,
                    ctx.today,
                );
                if !row.applies {
                    return Err(refused(
                        "correction.cancellation_not_allowed",
                        format!(
                            "Hóa đơn lập ngày {} theo {}: không được hủy; hãy điều chỉnh hoặc thay thế.",
                            ctx.original_date, row.basis
                        ),
                        format!(
                            "An invoice issued on {} falls under {}, which has no cancellation: adjust or replace it.",
                            ctx.original_date, row.basis
                        ),
                    ));
                }
            }
            Method::Adjustment if ctx.symbol_letter == 'M' => {
                let row = rule_at(
                    Rule::ReplacementOnlyForCashRegister,
                    Jurisdiction::Vn,
                    ctx.original_date,
                    ctx.today,
                );
                if row.applies {
                    return Err(refused(
                        "correction.replacement_only",
                        format!(
                            "Hóa đơn khởi tạo từ máy tính tiền chỉ được thay thế ({}).",
                            row.basis
                        ),
                        format!(
                            "A cash-register invoice can only be replaced ({}).",
                            row.basis
                        ),
                    ));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Begins a correction: checks it and records its draft.
    pub fn begin(
        &mut self,
        id: &str,
        method: Method,
        direction: Option<Direction>,
        ctx: &RuleContext,
    ) -> Result<(), Refused> {
        if !matches!(method, Method::Replacement | Method::Adjustment) {
            return Err(refused(
                "correction.method",
                "Chỉ hóa đơn thay thế hoặc điều chỉnh là một hóa đơn mới.".into(),
                "Only a replacement or an adjustment is a new invoice.".into(),
            ));
        }
        self.check(method, ctx)?;
        if self.links.iter().any(|l| l.id == id) {
            return Ok(());
        }
        self.links.push(Link {
            id: id.to_owned(),
            method,
            direction,
            state: LinkState::Draft,
        });
        Ok(())
    }

    /// Moves correction `id` to `to`: numbered (→ pending), valid, rejected, revised (→ pending).
    /// Moving to where it is already is a no-op (replies are retried).
    pub fn advance(&mut self, id: &str, to: LinkState) -> Result<(), Refused> {
        use LinkState as S;
        let link = self.links.iter_mut().find(|l| l.id == id).ok_or_else(|| {
            refused(
                "correction.unknown",
                "Hóa đơn này không ghi nhận chứng từ điều chỉnh/thay thế đó.".into(),
                "The invoice does not know that correction.".into(),
            )
        })?;
        // An uncoded correction is valid once signed (it went to the buyer): the authority's
        // later refusal of its data does not undo it; it is corrected like any issued invoice.
        if (link.state, to) == (S::Valid, S::Rejected) {
            return Ok(());
        }
        let ok = matches!(
            (link.state, to),
            (S::Draft, S::Pending)
                | (S::Pending, S::Valid | S::Rejected)
                | (S::Rejected, S::Pending)
        ) || link.state == to;
        if !ok {
            return Err(refused(
                "correction.state",
                format!("Không chuyển được từ {:?} sang {:?}.", link.state, to),
                format!(
                    "A correction cannot move from {:?} to {:?}.",
                    link.state, to
                ),
            ));
        }
        link.state = to;
        Ok(())
    }

    /// Correction `id` takes its number: from a draft, the rules are checked again against the
    /// *other* corrections (the invoice may have been corrected another way since the draft was
    /// made: the first numbered correction fixes the method); a revised one is pending again.
    pub fn number(&mut self, id: &str, ctx: &RuleContext) -> Result<(), Refused> {
        let link = self
            .links
            .iter()
            .find(|l| l.id == id)
            .cloned()
            .ok_or_else(|| {
                refused(
                    "correction.unknown",
                    "Hóa đơn này không ghi nhận chứng từ điều chỉnh/thay thế đó.".into(),
                    "The invoice does not know that correction.".into(),
                )
            })?;
        if link.state == LinkState::Draft {
            let others = Corrections {
                links: self.links.iter().filter(|l| l.id != id).cloned().collect(),
                cancelled: self.cancelled.clone(),
                notices: Vec::new(),
            };
            others.check(link.method, ctx)?;
        }
        self.advance(id, LinkState::Pending)
    }

    /// Forgets a correction that is still a draft (the draft was discarded).
    pub fn discard(&mut self, id: &str) -> Result<(), Refused> {
        match self.links.iter().position(|l| l.id == id) {
            Some(i) if self.links[i].state == LinkState::Draft => {
                self.links.remove(i);
                Ok(())
            }
            Some(_) => Err(refused(
                "correction.numbered",
                "Chứng từ đã được cấp số, không bỏ được.".into(),
                "The correction is numbered and cannot be discarded.".into(),
            )),
            None => Ok(()),
        }
    }

    /// Records a cancellation (after [`Corrections::check`] with [`Method::Cancellation`]).
    pub fn cancel(&mut self, c: Cancellation, ctx: &RuleContext) -> Result<(), Refused> {
        self.check(Method::Cancellation, ctx)?;
        if self.links.iter().any(|l| l.state != LinkState::Draft) {
            return Err(refused(
                "correction.method_fixed",
                "Hóa đơn đã có hóa đơn điều chỉnh/thay thế, không hủy được.".into(),
                "The invoice already has a correction invoice; it cannot be cancelled.".into(),
            ));
        }
        self.cancelled = Some(c);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(orig: &str, today: &str) -> RuleContext {
        RuleContext {
            original_date: orig.parse().unwrap(),
            today: today.parse().unwrap(),
            original_valid: true,
            symbol_letter: 'T',
            is_correction: false,
        }
    }

    fn code(r: Result<(), Refused>) -> &'static str {
        r.err().map_or("ok", |e| e.code)
    }

    #[test]
    fn a_replacement_is_reserved_by_its_draft_and_final_once_valid() {
        let c = ctx("2025-10-01", "2025-10-20");
        let mut k = Corrections::default();
        k.begin("r1", Method::Replacement, None, &c).unwrap();
        assert_eq!(k.standing(), Standing::Issued);
        assert_eq!(
            code(k.begin("r2", Method::Replacement, None, &c)),
            "correction.already_replaced"
        );
        k.advance("r1", LinkState::Pending).unwrap();
        assert_eq!(k.standing(), Standing::ReplacementPending);
        k.advance("r1", LinkState::Rejected).unwrap();
        assert_eq!(
            k.standing(),
            Standing::Issued,
            "a rejected replacement gives the standing back"
        );
        assert_eq!(
            code(k.begin("a1", Method::Adjustment, None, &c)),
            "correction.already_replaced"
        );
        k.advance("r1", LinkState::Pending).unwrap();
        k.advance("r1", LinkState::Valid).unwrap();
        assert_eq!(k.standing(), Standing::Replaced);
        assert_eq!(
            code(k.check(Method::Explanation, &c)),
            "correction.already_replaced"
        );
        assert_eq!(code(k.advance("r1", LinkState::Draft)), "correction.state");
        // The authority refusing a valid (uncoded, delivered) correction's data undoes nothing.
        k.advance("r1", LinkState::Rejected).unwrap();
        assert_eq!(k.standing(), Standing::Replaced);
    }

    #[test]
    fn adjustments_repeat_and_fix_the_method() {
        let c = ctx("2025-10-01", "2025-10-20");
        let mut k = Corrections::default();
        k.begin("a1", Method::Adjustment, Some(Direction::Increase), &c)
            .unwrap();
        // A draft alone fixes nothing: a replacement may still be drafted.
        assert_eq!(code(k.check(Method::Replacement, &c)), "ok");
        k.advance("a1", LinkState::Pending).unwrap();
        k.advance("a1", LinkState::Valid).unwrap();
        assert_eq!(k.standing(), Standing::Adjusted);
        k.begin("a2", Method::Adjustment, Some(Direction::Decrease), &c)
            .unwrap();
        assert_eq!(
            code(k.check(Method::Replacement, &c)),
            "correction.method_fixed"
        );
        assert_eq!(code(k.check(Method::Explanation, &c)), "ok");
        let cancel = Cancellation {
            ground: None,
            date: "2025-10-20".into(),
            reason: "x".into(),
            notice_id: "n".into(),
        };
        assert_eq!(code(k.cancel(cancel, &c)), "correction.method_fixed");
    }

    #[test]
    fn cancellation_only_for_the_decree_123_era() {
        let cancel = || Cancellation {
            ground: Some(super::super::CancelGround::NotSentToBuyer),
            date: "2025-07-01".into(),
            reason: "trả lại dịch vụ".into(),
            notice_id: "n1".into(),
        };
        let mut k = Corrections::default();
        let refused = k
            .cancel(cancel(), &ctx("2025-06-01", "2025-07-01"))
            .unwrap_err();
        assert_eq!(refused.code, "correction.cancellation_not_allowed");
        assert!(refused.message_vi.contains("70/2025") && refused.message_en.contains("70/2025"));
        k.cancel(cancel(), &ctx("2025-05-31", "2025-07-01"))
            .unwrap();
        assert_eq!(k.standing(), Standing::Cancelled);
        assert_eq!(
            code(k.check(Method::Adjustment, &ctx("2025-05-31", "2025-07-01"))),
            "correction.cancelled"
        );
    }

    #[test]
    fn the_first_numbered_correction_fixes_the_method() {
        let c = ctx("2025-10-01", "2025-10-20");
        let mut k = Corrections::default();
        k.begin("a1", Method::Adjustment, Some(Direction::Decrease), &c)
            .unwrap();
        k.begin("r1", Method::Replacement, None, &c).unwrap();
        // A replacement drafted reserves the invoice: nothing else is drafted or numbered
        // meanwhile (discard the replacement draft to adjust instead).
        assert_eq!(
            code(k.begin("a2", Method::Adjustment, Some(Direction::Increase), &c)),
            "correction.already_replaced"
        );
        assert_eq!(code(k.number("a1", &c)), "correction.already_replaced");
        k.discard("r1").unwrap();
        k.number("a1", &c).unwrap();
        assert_eq!(
            code(k.begin("r2", Method::Replacement, None, &c)),
            "correction.method_fixed"
        );
        assert_eq!(code(k.discard("a1")), "correction.numbered");
    }

    #[test]
    fn a_cash_register_invoice_is_only_replaced_from_decree_70() {
        let mut c = ctx("2025-05-01", "2025-05-31");
        c.symbol_letter = 'M';
        assert_eq!(
            code(Corrections::default().check(Method::Adjustment, &c)),
            "ok"
        );
        c.today = "2025-06-01".parse().unwrap();
        assert_eq!(
            code(Corrections::default().check(Method::Adjustment, &c)),
            "correction.replacement_only"
        );
        assert_eq!(
            code(Corrections::default().check(Method::Replacement, &c)),
            "ok"
        );
    }

    #[test]
    fn an_invoice_not_yet_valid_is_not_corrected() {
        let mut c = ctx("2025-10-01", "2025-10-20");
        c.original_valid = false;
        assert_eq!(
            code(Corrections::default().check(Method::Replacement, &c)),
            "correction.not_valid"
        );
    }
}

//! The books' rules (#18), shared by the server and the app: which workflow status an invoice
//! has, which actions the seed allows on it, and the amounts of the vouchers they propose.
//!
//! The seed (MISA's revenue recognition) leaves the books' correctness to the user; here an
//! adjustment's "create invoice record" proposes the voucher for its difference, and cancelling
//! or replacing an invoice whose revenue is recorded proposes the reversal of its voucher.

use crate::api::books::{
    BookAction, BookSettings, PlatformStatus, Recording, VoucherDraft, VoucherLine, Workflow,
};
use crate::import::ImportedLine;
use crate::model::TaxRate;
use crate::money::{Currency, round_money};
use rust_decimal::Decimal;

/// Whether the invoice's revenue is in the books after its recordings.
pub fn revenue_in_books(recordings: &[Recording]) -> bool {
    recordings.last().is_some_and(|r| r.revenue_in_books)
}

/// The recording made for the entry's current platform status, if any: an action is taken
/// once per status (a cancellation arriving later opens a new one).
pub fn done_for(status: PlatformStatus, recordings: &[Recording]) -> Option<&Recording> {
    recordings.iter().rev().find(|r| r.for_status == status)
}

/// The seed's workflow status. `original_in_books`: for a replacement, whether the invoice it
/// replaces has its revenue recorded.
pub fn workflow(
    status: PlatformStatus,
    recordings: &[Recording],
    original_in_books: bool,
) -> Workflow {
    if let Some(r) = done_for(status, recordings) {
        return match r.action {
            BookAction::SalesVoucher => Workflow::RevenueRecorded,
            BookAction::InvoiceRecord => Workflow::InvoiceCreated,
        };
    }
    match status {
        PlatformStatus::Original => Workflow::RevenueNotRecorded,
        PlatformStatus::Replacement if !original_in_books => Workflow::RevenueNotRecorded,
        PlatformStatus::Replacement | PlatformStatus::Adjustment | PlatformStatus::Cancelled => {
            Workflow::InvoiceNotCreated
        }
    }
}

/// The actions the seed allows: original → sales voucher; replacement → either; cancelled and
/// adjustment → invoice record. None once done for the current status.
pub fn actions(status: PlatformStatus, recordings: &[Recording]) -> Vec<BookAction> {
    if done_for(status, recordings).is_some() {
        return Vec::new();
    }
    match status {
        PlatformStatus::Original => vec![BookAction::SalesVoucher],
        PlatformStatus::Replacement => vec![BookAction::SalesVoucher, BookAction::InvoiceRecord],
        PlatformStatus::Adjustment | PlatformStatus::Cancelled => vec![BookAction::InvoiceRecord],
    }
}

/// [`workflow`] for an original that a replacement in the books names: not yet recorded, its
/// revenue must not be (the replacement's is the revenue), so only its invoice is recorded.
pub fn workflow_replaced(
    status: PlatformStatus,
    recordings: &[Recording],
    replaced: bool,
) -> Workflow {
    if replaced && status == PlatformStatus::Original && done_for(status, recordings).is_none() {
        return Workflow::InvoiceNotCreated;
    }
    workflow(status, recordings, false)
}

/// [`actions`] for an original that a replacement names: "create invoice record" only, never a
/// sale (which would count the revenue twice, once here and once on the replacement).
pub fn actions_replaced(
    status: PlatformStatus,
    recordings: &[Recording],
    replaced: bool,
) -> Vec<BookAction> {
    if replaced && status == PlatformStatus::Original && done_for(status, recordings).is_none() {
        return vec![BookAction::InvoiceRecord];
    }
    actions(status, recordings)
}

/// Why an amount could not be computed (past `decimal(21,6)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overflow;

/// The posting lines of an invoice, each amount multiplied by `sign` (1, or -1 for a decrease):
/// one line per goods and discount line (notes and promotions carry no revenue), the
/// revenue account from `accounts` (the product's own when it has one), VAT per line at its
/// rate with the rounding difference of each rate group put on that group's largest line, so
/// the VAT sums to the invoice's per-rate VAT; VND at `rate` the same way.
pub fn posting_lines(
    lines: &[ImportedLine],
    currency: Currency,
    exchange_rate: Decimal,
    sign: Decimal,
    revenue_account: &dyn Fn(usize) -> String,
    settings: &BookSettings,
) -> Result<Vec<VoucherLine>, Overflow> {
    let vnd = "VND".parse::<Currency>().map_err(|_| Overflow)?;
    let mut out: Vec<VoucherLine> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some(amount) = l.amount.filter(|a| !a.is_zero()) else {
            continue;
        };
        // Notes carry no amount; a promotion (khuyến mại) is given free: no revenue, as the
        // invoice's own totals leave it out.
        if l.nature == 4 || l.nature == 2 {
            continue;
        }
        let amount = if l.nature == 3 && amount > Decimal::ZERO {
            -amount
        } else {
            amount
        };
        let amount = round_money(amount.checked_mul(sign).ok_or(Overflow)?, currency);
        let rate = l.tax_rate.clone().unwrap_or_default();
        let percent = TaxRate::parse(&rate)
            .map(|r| r.percent())
            .unwrap_or_default();
        let vat = round_money(
            amount
                .checked_mul(percent)
                .ok_or(Overflow)?
                .checked_div(Decimal::ONE_HUNDRED)
                .ok_or(Overflow)?,
            currency,
        );
        out.push(VoucherLine {
            product_code: l.code.clone(),
            description: l.name.clone(),
            unit: l.unit.clone(),
            quantity: l.quantity,
            amount,
            amount_vnd: round_money(amount.checked_mul(exchange_rate).ok_or(Overflow)?, vnd),
            vat_rate: rate,
            vat,
            vat_vnd: round_money(vat.checked_mul(exchange_rate).ok_or(Overflow)?, vnd),
            revenue_account: revenue_account(i),
            vat_account: settings.output_vat.clone(),
        });
    }
    balance(&mut out, currency, exchange_rate)?;
    Ok(out)
}

/// Puts each rate group's rounding difference (VAT on the group total against the sum of the
/// lines' VAT; VND of the group against the sum of the lines' VND) on its largest line.
fn balance(lines: &mut [VoucherLine], currency: Currency, rate: Decimal) -> Result<(), Overflow> {
    let vnd = "VND".parse::<Currency>().map_err(|_| Overflow)?;
    let mut groups: Vec<String> = lines.iter().map(|l| l.vat_rate.clone()).collect();
    groups.sort();
    groups.dedup();
    for g in groups {
        let idx: Vec<usize> = (0..lines.len())
            .filter(|i| lines[*i].vat_rate == g)
            .collect();
        let sum = |lines: &[VoucherLine], f: &dyn Fn(&VoucherLine) -> Decimal| {
            idx.iter().try_fold(Decimal::ZERO, |a, i| {
                a.checked_add(f(&lines[*i])).ok_or(Overflow)
            })
        };
        let net = sum(lines, &|l| l.amount)?;
        let percent = TaxRate::parse(&g).map(|r| r.percent()).unwrap_or_default();
        let vat = round_money(
            net.checked_mul(percent).ok_or(Overflow)? / Decimal::ONE_HUNDRED,
            currency,
        );
        let net_vnd = round_money(net.checked_mul(rate).ok_or(Overflow)?, vnd);
        let vat_vnd = round_money(vat.checked_mul(rate).ok_or(Overflow)?, vnd);
        let Some(&big) = idx.iter().max_by_key(|i| lines[**i].amount.abs()) else {
            continue;
        };
        let d_vat = vat - sum(lines, &|l| l.vat)?;
        lines[big].vat += d_vat;
        for i in &idx {
            lines[*i].vat_vnd = round_money(lines[*i].vat.checked_mul(rate).ok_or(Overflow)?, vnd);
        }
        let d_vat_vnd = vat_vnd - sum(lines, &|l| l.vat_vnd)?;
        let d_net_vnd = net_vnd - sum(lines, &|l| l.amount_vnd)?;
        lines[big].vat_vnd += d_vat_vnd;
        lines[big].amount_vnd += d_net_vnd;
    }
    Ok(())
}

/// The reversal of a voucher: every amount negated, dated `date`, naming what it undoes.
pub fn reversal(of: &VoucherDraft, number: &str, date: &str) -> VoucherDraft {
    VoucherDraft {
        kind: crate::api::books::VoucherKind::Reversal,
        date: date.to_owned(),
        description: format!("Đảo bút toán {number} / reversal of {number}"),
        customer: of.customer.clone(),
        receivable_account: of.receivable_account.clone(),
        lines: of
            .lines
            .iter()
            .map(|l| VoucherLine {
                amount: -l.amount,
                amount_vnd: -l.amount_vnd,
                vat: -l.vat,
                vat_vnd: -l.vat_vnd,
                ..l.clone()
            })
            .collect(),
        reverses: Some(number.to_owned()),
    }
}

/// Sums of a voucher's lines: (amount, VAT, amount VND, VAT VND).
pub fn sums(v: &VoucherDraft) -> (Decimal, Decimal, Decimal, Decimal) {
    v.lines.iter().fold(
        (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, Decimal::ZERO),
        |(a, b, c, d), l| {
            (
                a.saturating_add(l.amount),
                b.saturating_add(l.vat),
                c.saturating_add(l.amount_vnd),
                d.saturating_add(l.vat_vnd),
            )
        },
    )
}

//! The books' rules (#18): the seed's workflow and actions, and the amounts of a voucher —
//! property-tested, since they must hold for any invoice: each rate group's VAT on the voucher is
//! the invoice's VAT for that rate, VND amounts add up to the converted totals, a reversal
//! undoes exactly.

use hoadon_core::api::books::{
    BookAction, BookSettings, PlatformStatus, Recording, VoucherCustomer, VoucherDraft,
    VoucherKind, Workflow,
};
use hoadon_core::books::{actions, posting_lines, reversal, sums, workflow};
use hoadon_core::import::ImportedLine;
use hoadon_core::money::{Currency, round_money};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn rec(action: BookAction, for_status: PlatformStatus, revenue: bool) -> Recording {
    Recording {
        action,
        for_status,
        vouchers: vec!["BH2025/000001".into()],
        revenue_in_books: revenue,
        at: 0,
        by: "t".into(),
    }
}

#[test]
fn workflow_and_actions_follow_the_seed() {
    use BookAction::*;
    use PlatformStatus::*;
    use Workflow::*;
    assert_eq!(workflow(Original, &[], false), RevenueNotRecorded);
    assert_eq!(actions(Original, &[]), [SalesVoucher]);
    let sold = [rec(SalesVoucher, Original, true)];
    assert_eq!(workflow(Original, &sold, false), RevenueRecorded);
    assert!(actions(Original, &sold).is_empty(), "once");
    // A replacement: by whether its original's revenue is in the books; either action.
    assert_eq!(workflow(Replacement, &[], false), RevenueNotRecorded);
    assert_eq!(workflow(Replacement, &[], true), InvoiceNotCreated);
    assert_eq!(actions(Replacement, &[]), [SalesVoucher, InvoiceRecord]);
    let recorded = [rec(InvoiceRecord, Replacement, false)];
    assert_eq!(workflow(Replacement, &recorded, true), InvoiceCreated);
    // Cancelled and adjustment: invoice record only.
    for s in [Cancelled, Adjustment] {
        assert_eq!(workflow(s, &[], false), InvoiceNotCreated);
        assert_eq!(actions(s, &[]), [InvoiceRecord]);
    }
    // Sold, then cancelled: a new step opens for the new status.
    assert_eq!(workflow(Cancelled, &sold, false), InvoiceNotCreated);
    assert_eq!(actions(Cancelled, &sold), [InvoiceRecord]);
    let undone = [sold[0].clone(), rec(InvoiceRecord, Cancelled, false)];
    assert_eq!(workflow(Cancelled, &undone, false), InvoiceCreated);
    assert!(actions(Cancelled, &undone).is_empty());
}

fn line(amount: Decimal, rate: &str, nature: u8) -> ImportedLine {
    ImportedLine {
        nature,
        code: None,
        name: "x".into(),
        unit: None,
        quantity: None,
        unit_price: None,
        amount: Some(amount),
        tax_rate: Some(rate.into()),
    }
}

const RATES: [&str; 6] = ["10%", "8%", "5%", "0%", "KCT", "KHAC:3.5%"];

fn percent(rate: &str) -> Decimal {
    hoadon_core::model::TaxRate::parse(rate).unwrap().percent()
}

proptest! {
    #[test]
    fn vouchers_add_up_to_the_invoice_rate_by_rate(
        raw in prop::collection::vec((1i64..5_000_000_000, 0usize..6, prop::bool::weighted(0.1)), 1..25),
        usd in any::<bool>(),
        xrate in 20_000i64..30_000,
    ) {
        let (currency, scale): (Currency, u32) = if usd { ("USD".parse().unwrap(), 2) } else { ("VND".parse().unwrap(), 0) };
        let vnd: Currency = "VND".parse().unwrap();
        let rate = if usd { Decimal::from(xrate) } else { Decimal::ONE };
        let lines: Vec<ImportedLine> = raw
            .iter()
            .map(|(a, r, discount)| line(Decimal::new(*a, scale), RATES[*r], if *discount { 3 } else { 1 }))
            .collect();
        let settings = BookSettings::default();
        let posted = posting_lines(&lines, currency, rate, Decimal::ONE, &|_| "5111".into(), &settings).unwrap();
        prop_assert_eq!(posted.len(), lines.len());
        for r in RATES {
            let group: Vec<_> = posted.iter().filter(|l| l.vat_rate == r).collect();
            if group.is_empty() { continue; }
            let net: Decimal = group.iter().map(|l| l.amount).sum();
            let vat = round_money(net * percent(r) / Decimal::ONE_HUNDRED, currency);
            prop_assert_eq!(group.iter().map(|l| l.vat).sum::<Decimal>(), vat, "VAT of {}", r);
            prop_assert_eq!(group.iter().map(|l| l.amount_vnd).sum::<Decimal>(), round_money(net * rate, vnd));
            prop_assert_eq!(group.iter().map(|l| l.vat_vnd).sum::<Decimal>(), round_money(vat * rate, vnd));
        }
        // Discount lines reduce revenue.
        for (p, (_, _, discount)) in posted.iter().zip(&raw) {
            prop_assert_eq!(p.amount < Decimal::ZERO, *discount);
        }
        // A reversal undoes exactly; a decrease is the negation.
        let v = VoucherDraft {
            kind: VoucherKind::Sale,
            date: "2025-10-15".into(),
            description: String::new(),
            customer: VoucherCustomer::default(),
            receivable_account: "131".into(),
            lines: posted.clone(),
            reverses: None,
        };
        let (a, b, c, d) = sums(&v);
        let (ra, rb, rc, rd) = sums(&reversal(&v, "BH2025/000001", "2025-10-20"));
        prop_assert_eq!((ra, rb, rc, rd), (-a, -b, -c, -d));
        let negative = posting_lines(&lines, currency, rate, -Decimal::ONE, &|_| "5111".into(), &settings).unwrap();
        let (na, nb, _, _) = sums(&VoucherDraft { lines: negative, ..v.clone() });
        prop_assert_eq!((na, nb), (-a, -b));
    }
}

#[test]
fn a_replaced_original_records_its_invoice_only() {
    use BookAction::*;
    use PlatformStatus::*;
    assert_eq!(
        hoadon_core::books::actions_replaced(Original, &[], true),
        [InvoiceRecord]
    );
    assert_eq!(
        hoadon_core::books::workflow_replaced(Original, &[], true),
        Workflow::InvoiceNotCreated
    );
    // Already sold before the replacement arrived: done; the replacement reverses it.
    let sold = [rec(SalesVoucher, Original, true)];
    assert!(hoadon_core::books::actions_replaced(Original, &sold, true).is_empty());
    assert_eq!(
        hoadon_core::books::workflow_replaced(Original, &sold, true),
        Workflow::RevenueRecorded
    );
}

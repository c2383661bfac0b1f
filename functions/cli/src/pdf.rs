//! `hoadon pdf [--converted-by NAME] [--bilingual] [--test] signed.xml > invoice.pdf`: the
//! invoice's PDF, drawn from the signed file alone by `hoadon-pdf`, on stdout.

use crate::{Refused, read_input};
use hoadon_core::api::delivery::{Labels, Template};
use hoadon_pdf::{Conversion, Options, PdfError, render};
use std::io::Write;

#[derive(clap::Args)]
pub struct PdfArgs {
    /// Print a converted paper copy ("hóa đơn chuyển đổi") converted today by NAME.
    #[arg(long, value_name = "NAME")]
    converted_by: Option<String>,
    /// Vietnamese labels with English ("Ngày / Date").
    #[arg(long)]
    bilingual: bool,
    /// Mark every page "TEST / HÓA ĐƠN THỬ NGHIỆM – KHÔNG CÓ GIÁ TRỊ".
    #[arg(long)]
    test: bool,
    /// The signed (or tax-authority coded) invoice; `-` reads stdin.
    #[arg(value_name = "SIGNED.xml")]
    file: String,
}

pub fn run(a: &PdfArgs) -> Result<(), Refused> {
    let xml = read_input(&a.file)?;
    let template = Template {
        labels: if a.bilingual {
            Labels::ViEn
        } else {
            Labels::Vi
        },
        ..Template::default()
    };
    let converted = match &a.converted_by {
        Some(name) => Some(Conversion {
            converter: name.clone(),
            date: crate::now_in_vietnam()?.date,
        }),
        None => None,
    };
    let opts = Options {
        template: &template,
        logo: None,
        test: a.test,
        converted,
        list: &[],
        cjk_font: None,
    };
    let pdf = render(&xml, &opts).map_err(|e| match e {
        PdfError::NotAnInvoice(why) => Refused(format!("{}: not an invoice: {why}", a.file)),
        other => Refused(format!("{}: {other}", a.file)),
    })?;
    std::io::stdout()
        .write_all(&pdf)
        .map_err(|e| Refused(format!("stdout: {e}")))
}

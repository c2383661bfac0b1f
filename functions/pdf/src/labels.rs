//! Labels: Vietnamese, or Vietnamese with English after or under it (`Labels::ViEn`), as the
//! series' template says.

use hoadon_core::api::delivery::Labels;

#[derive(Debug, Clone, Copy)]
pub struct L(pub Labels);

impl L {
    /// "Ngày lập" or "Ngày lập / Date".
    pub fn inline(self, vi: &str, en: &str) -> String {
        match self.0 {
            Labels::Vi => vi.to_owned(),
            Labels::ViEn => format!("{vi} / {en}"),
        }
    }

    /// A table heading: the English on its own line in brackets.
    pub fn stacked(self, vi: &str, en: &str) -> String {
        match self.0 {
            Labels::Vi => vi.to_owned(),
            Labels::ViEn => format!("{vi}\n({en})"),
        }
    }

    /// "Tên đơn vị bán hàng: " with the colon, ready to precede a value.
    pub fn field(self, vi: &str, en: &str) -> String {
        format!("{}: ", self.inline(vi, en))
    }
}

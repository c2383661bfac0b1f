//! An uploaded catalog file read into rows of text, whatever Excel saved it as: CSV in UTF-8
//! (with or without BOM), UTF-16 (Excel's "Unicode text") or Windows-1258 (Vietnamese Excel's
//! "CSV"), separated by `,`, `;` or tab as the user's locale makes Excel write it; or an `.xlsx`
//! workbook's first sheet. Nothing here knows the catalogs: [`super::import`] maps the columns.
//!
//! Each row keeps its line in the file (its row in the sheet), so a finding names the line the
//! user sees in the editor or in Excel even when blank lines or quoted line breaks come first.
//! Every limit is checked before the work it bounds: the upload's size before decoding, the
//! workbook's unpacked size before parsing its XML, the rows while they are read.

use crate::error::ApiError;
use calamine::{DataRef, Reader, Xlsx};
use encoding_rs::{Encoding, UTF_8, WINDOWS_1258};
use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use unicode_normalization::UnicodeNormalization;

/// Largest file accepted, as uploaded (before any decompression).
pub const MAX_FILE_BYTES: usize = 5 << 20;
/// Largest total a workbook may unpack to: a 5 MiB zip of repeated bytes can unpack to
/// gigabytes. A 50,000-row catalog is well under this.
pub const MAX_UNPACKED_BYTES: u64 = 64 << 20;
/// Most data rows a file may have (the header not counted).
pub const MAX_ROWS: usize = 50_000;
/// Most columns a sheet may use; a catalog has at most a dozen fields.
pub const MAX_COLUMNS: usize = 256;
/// Most parts a workbook may have (each costs a little even when empty).
const MAX_PARTS: usize = 10_000;

/// The `Content-Type` of an `.xlsx` workbook.
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Why a file is refused as a whole (row-level problems are findings, not these).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("the file is larger than {MAX_FILE_BYTES} bytes")]
    TooLarge,
    #[error("the workbook unpacks to more than {MAX_UNPACKED_BYTES} bytes")]
    UnpacksTooLarge,
    #[error("the file has more than {MAX_ROWS} rows")]
    TooManyRows,
    #[error("the sheet uses more than {MAX_COLUMNS} columns")]
    TooManyColumns,
    #[error("the file is empty")]
    Empty,
    #[error("this is an Excel 97-2003 (.xls) workbook: save it as .xlsx or CSV")]
    LegacyXls,
    #[error("the file cannot be read: {0}")]
    Unreadable(String),
}

impl From<FileError> for ApiError {
    /// Limits are `413 payload_too_large` (the same status as the transport's own limit), a
    /// file that is not a catalog table at all is `400 bad_request`.
    fn from(e: FileError) -> Self {
        match e {
            FileError::TooLarge
            | FileError::UnpacksTooLarge
            | FileError::TooManyRows
            | FileError::TooManyColumns => ApiError::TooLarge(e.to_string()),
            FileError::Empty | FileError::LegacyXls | FileError::Unreadable(_) => {
                ApiError::BadRequest(e.to_string())
            }
        }
    }
}

fn unreadable(e: impl std::fmt::Display) -> FileError {
    FileError::Unreadable(e.to_string())
}

/// A cell that has no text a catalog can take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellProblem {
    /// A date or time cell: no catalog field is a date.
    Date,
    /// An error cell such as `#N/A`.
    Error(String),
}

/// A cell's text, or why it has none.
pub type Cell = Result<String, CellProblem>;

/// One row and its line in the file (1-based; a sheet's row number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    pub cells: Vec<Cell>,
}

/// A file's first non-blank row (the header) and its data rows, blank rows left out.
#[derive(Debug)]
pub struct Table {
    pub header: Row,
    pub rows: Vec<Row>,
    /// Numbers are written with a decimal comma (a `;`-separated CSV, see
    /// [`super::import::decimal_comma`]).
    pub decimal_comma: bool,
}

/// Reads an uploaded file. The content is trusted over the declared type: a zip is a workbook
/// whatever the browser called it, and a declared workbook that is not a zip is refused rather
/// than read as text.
pub fn read(bytes: &[u8], content_type: Option<&str>) -> Result<Table, FileError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(FileError::TooLarge);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return xlsx(bytes);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(FileError::LegacyXls);
    }
    if content_type.is_some_and(|t| t.starts_with(XLSX_TYPE)) {
        return Err(unreadable("the file is not an .xlsx workbook"));
    }
    csv(&decode(bytes)?)
}

/// The file's text: a BOM says the encoding (UTF-8, UTF-16 LE or BE); without one, UTF-8 when
/// the bytes are valid UTF-8, else Windows-1258, the code page Vietnamese Windows and Excel
/// save "CSV" in (a Windows-1258 file of Vietnamese text is practically never valid UTF-8).
/// The text is normalised to NFC: Windows-1258 writes most tone marks as combining characters
/// (`a` + U+0301), and macOS files may be decomposed too, while users type precomposed letters,
/// so without this a name would not match what they search for.
pub fn decode(bytes: &[u8]) -> Result<String, FileError> {
    let (encoding, bom) =
        Encoding::for_bom(bytes).unwrap_or(if std::str::from_utf8(bytes).is_ok() {
            (UTF_8, 0)
        } else {
            (WINDOWS_1258, 0)
        });
    let (text, malformed) = encoding.decode_without_bom_handling(&bytes[bom..]);
    if malformed {
        return Err(unreadable(format!("it is not valid {}", encoding.name())));
    }
    Ok(text.nfc().collect())
}

/// The delimiter that splits the header line into the most fields, `,` on a tie. The header is
/// field names or labels, so the candidate that the user's Excel wrote wins; quoted text is
/// left to the CSV reader, so a label holding a comma does not count.
pub fn delimiter(text: &str) -> u8 {
    let fields = |d: u8| {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(d)
            .from_reader(text.as_bytes())
            .records()
            .next()
            .and_then(Result::ok)
            .map_or(0, |r| r.len())
    };
    [b',', b';', b'\t']
        .into_iter()
        .fold((b',', 0), |best, d| {
            let n = fields(d);
            if n > best.1 { (d, n) } else { best }
        })
        .0
}

/// CSV text (RFC 4180 quoting, quoted line breaks, CRLF or LF) in its detected delimiter.
fn csv(text: &str) -> Result<Table, FileError> {
    let delimiter = delimiter(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Rows::default();
    let mut record = csv::StringRecord::new();
    // The reader gives each record the position where it started reading, which can be before
    // the previous line break and the blank lines it skipped: the record's line is counted
    // from the first byte after those.
    let (mut counted_to, mut line) = (0, 1);
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let from = record.position().map_or(0, |p| p.byte() as usize);
                let skipped = text.as_bytes()[from..].iter();
                let start = from + skipped.take_while(|b| matches!(b, b'\r' | b'\n')).count();
                let counted = text.as_bytes()[counted_to..start].iter();
                line += counted.filter(|&&b| b == b'\n').count();
                counted_to = start;
                rows.push(line, record.iter().map(|c| Ok(c.to_owned())).collect())?;
            }
            Err(e) => return Err(unreadable(e)),
        }
    }
    rows.table(delimiter == b';')
}

/// Rows collected while reading, blank ones left out, the row limit checked as they come.
#[derive(Default)]
struct Rows(Vec<Row>);

impl Rows {
    fn push(&mut self, line: usize, cells: Vec<Cell>) -> Result<(), FileError> {
        if cells
            .iter()
            .all(|c| c.as_ref().is_ok_and(|t| t.trim().is_empty()))
        {
            return Ok(());
        }
        if self.0.len() > MAX_ROWS {
            return Err(FileError::TooManyRows);
        }
        self.0.push(Row { line, cells });
        Ok(())
    }

    fn table(self, decimal_comma: bool) -> Result<Table, FileError> {
        let mut rows = self.0.into_iter();
        let header = rows.next().ok_or(FileError::Empty)?;
        Ok(Table {
            header,
            rows: rows.collect(),
            decimal_comma,
        })
    }
}

/// The unpacked size of every part, by decompressing it (the sizes a zip declares can lie),
/// stopping as soon as the total passes [`MAX_UNPACKED_BYTES`].
fn check_unpacked_size(bytes: &[u8]) -> Result<(), FileError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    if zip.len() > MAX_PARTS {
        return Err(FileError::UnpacksTooLarge);
    }
    let mut left = MAX_UNPACKED_BYTES;
    for i in 0..zip.len() {
        let part = zip.by_index(i).map_err(unreadable)?;
        let n =
            std::io::copy(&mut part.take(left + 1), &mut std::io::sink()).map_err(unreadable)?;
        left = left.checked_sub(n).ok_or(FileError::UnpacksTooLarge)?;
    }
    Ok(())
}

/// The first sheet of a workbook, cell by cell (a sheet's declared size is not trusted either:
/// one cell at row 1,000,000 does not make a million rows).
fn xlsx(bytes: &[u8]) -> Result<Table, FileError> {
    check_unpacked_size(bytes)?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let first = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or(FileError::Empty)?;
    let mut cells = book.worksheet_cells_reader(&first).map_err(unreadable)?;
    let mut sheet: BTreeMap<u32, Vec<Cell>> = BTreeMap::new();
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        let (row, col) = cell.get_position();
        let col = col as usize;
        if col >= MAX_COLUMNS {
            return Err(FileError::TooManyColumns);
        }
        let value = match cell.get_value() {
            DataRef::Empty => continue,
            DataRef::String(s) => Ok(s.nfc().collect()),
            DataRef::SharedString(s) => Ok(s.nfc().collect()),
            DataRef::Int(i) => Ok(i.to_string()),
            DataRef::Float(f) => Ok(number_text(*f)),
            DataRef::Bool(b) => Ok(if *b { "TRUE" } else { "FALSE" }.to_owned()),
            DataRef::DateTime(_) | DataRef::DateTimeIso(_) | DataRef::DurationIso(_) => {
                Err(CellProblem::Date)
            }
            DataRef::Error(e) => Err(CellProblem::Error(e.to_string())),
        };
        if !sheet.contains_key(&row) && sheet.len() > MAX_ROWS {
            return Err(FileError::TooManyRows);
        }
        let cells = sheet.entry(row).or_default();
        if cells.len() <= col {
            cells.resize(col + 1, Ok(String::new()));
        }
        cells[col] = value;
    }
    let mut rows = Rows::default();
    for (row, cells) in sheet {
        rows.push(row as usize + 1, cells)?;
    }
    let mut table = rows.table(false)?;
    // Excel does not store a row's empty cells: a row is as wide as its last filled cell.
    let width = table.header.cells.len();
    for row in &mut table.rows {
        if row.cells.len() < width {
            row.cells.resize(width, Ok(String::new()));
        }
    }
    Ok(table)
}

/// A number cell's text as Excel shows it at full precision: Excel keeps 15 significant
/// digits, and a float's shortest form can carry binary noise past them (`=0.1+0.2` is stored
/// as 0.30000000000000004), so the value is rounded to 15 significant digits and printed in
/// its shortest form, without exponent or trailing zeros (68500 → `68500`, 68500.5 →
/// `68500.5`). The field's own rule (at most 6 decimals for a price) is then applied to that
/// text like to any other, so a value with more decimals is a finding, not a rounding.
pub fn number_text(f: f64) -> String {
    let rounded: f64 = format!("{f:.14e}").parse().unwrap_or(f);
    rounded.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(rows: &[Row]) -> Vec<(usize, Vec<String>)> {
        rows.iter()
            .map(|r| {
                let cells = r.cells.iter().map(|c| c.clone().unwrap()).collect();
                (r.line, cells)
            })
            .collect()
    }

    #[test]
    fn csv_keeps_quoting_and_each_rows_line() {
        let t = read(
            "\u{feff}code,name\r\nA,\"Công ty \"\"An Phát\"\", HN\"\r\n\r\nB,\"two\nlines\"\nC,x\n"
                .as_bytes(),
            None,
        )
        .unwrap();
        assert_eq!(
            texts(std::slice::from_ref(&t.header)),
            [(1, vec!["code".into(), "name".into()])]
        );
        assert_eq!(
            texts(&t.rows),
            [
                (2, vec!["A".into(), "Công ty \"An Phát\", HN".into()]),
                (4, vec!["B".into(), "two\nlines".into()]),
                (6, vec!["C".into(), "x".into()]),
            ]
        );
        assert!(!t.decimal_comma);
    }

    #[test]
    fn the_delimiter_is_the_one_that_splits_the_header() {
        assert_eq!(delimiter("code;name;unit_price\nA;B,C;1,5"), b';');
        assert_eq!(delimiter("code,name\nA;B;C;D"), b',');
        assert_eq!(delimiter("code\tname\n"), b'\t');
        assert_eq!(delimiter("\"Tên hàng hóa, dịch vụ\";code\n"), b';');
        assert_eq!(delimiter("code\n"), b',');
    }

    #[test]
    fn encodings_are_detected_and_text_is_nfc() {
        let name = "Công ty Đức Việt";
        let mut utf16le = vec![0xFF, 0xFE];
        utf16le.extend(name.encode_utf16().flat_map(u16::to_le_bytes));
        let mut utf16be = vec![0xFE, 0xFF];
        utf16be.extend(name.encode_utf16().flat_map(u16::to_be_bytes));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend(name.as_bytes());
        // Windows-1258 as Vietnamese Excel writes it: ư, ê, ô precomposed, tone marks combining.
        let cp1258 = b"C\xf4ng ty \xd0\xfd\xecc Vi\xea\xf2t".to_vec();
        for bytes in [name.as_bytes().to_vec(), bom, utf16le, utf16be, cp1258] {
            assert_eq!(decode(&bytes).unwrap(), name, "{bytes:?}");
        }
        assert_eq!(decode("Vie\u{302}\u{323}t".as_bytes()).unwrap(), "Việt");
        assert!(matches!(
            decode(&[0xFF, 0xFE, 0x41]),
            Err(FileError::Unreadable(_))
        ));
    }

    #[test]
    fn numbers_read_as_excel_shows_them() {
        assert_eq!(number_text(68500.0), "68500");
        assert_eq!(number_text(68500.5), "68500.5");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(25000.123456), "25000.123456");
        assert_eq!(number_text(1.0000001), "1.0000001");
        assert_eq!(number_text(123_456_789_012_345.0), "123456789012345");
    }

    #[test]
    fn files_are_refused_as_a_whole_for_their_size_or_kind() {
        assert_eq!(
            read(&vec![b'a'; MAX_FILE_BYTES + 1], None).unwrap_err(),
            FileError::TooLarge
        );
        assert_eq!(
            read(&[0xD0, 0xCF, 0x11, 0xE0, 0, 0], None).unwrap_err(),
            FileError::LegacyXls
        );
        assert!(matches!(
            read(b"code,name\n", Some(XLSX_TYPE)),
            Err(FileError::Unreadable(_))
        ));
        assert_eq!(read(b"\n \n", None).unwrap_err(), FileError::Empty);
        let many = format!("code\n{}", "A\n".repeat(MAX_ROWS + 1));
        assert_eq!(
            read(many.as_bytes(), None).unwrap_err(),
            FileError::TooManyRows
        );
    }
}

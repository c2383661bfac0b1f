//! `hoadon read FILE…`: what the importer understands of each file, as JSON (one object per
//! line, JSON Lines), so that a person or a script sees exactly what an import would record.

use super::Refused;
use hoadon_core::import::{Found, read_file};
use serde_json::{Value, json};

/// Prints one JSON object per file: `{"file", "found": [...]}` or `{"file", "refused": {...}}`.
/// Exit 1 when any file is refused or unreadable.
pub fn run(files: &[String]) -> Result<(), Refused> {
    let mut refused = 0;
    for path in files {
        let line = match std::fs::read(path) {
            Err(e) => {
                refused += 1;
                json!({"file": path, "refused": {"code": "import.io", "message_en": e.to_string()}})
            }
            Ok(bytes) => match read_file(&bytes) {
                Ok(found) => {
                    json!({"file": path, "found": found.iter().map(item).collect::<Vec<_>>()})
                }
                Err(r) => {
                    refused += 1;
                    json!({"file": path, "refused": r})
                }
            },
        };
        super::write_stdout(&format!("{line}\n"))?;
    }
    if refused > 0 {
        return Err(Refused(format!(
            "{refused} of {} files refused",
            files.len()
        )));
    }
    Ok(())
}

fn item(f: &Found) -> Value {
    serde_json::to_value(f).unwrap_or_else(|e| json!({"error": e.to_string()}))
}

//! Calendar dates as the GDT format writes them (`xs:date`, `YYYY-MM-DD`).
//!
//! A hand-written type rather than a date library: the core needs only parsing, ordering and the
//! year, it must build for wasm32 without a clock, and "today" is always passed in by the caller.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A valid proleptic Gregorian date between years 1900 and 9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

/// Why a date string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid date in the form YYYY-MM-DD")]
pub struct DateError;

impl Date {
    /// Builds a date, refusing impossible ones (30 February, month 13, …).
    pub fn new(year: u16, month: u8, day: u8) -> Result<Self, DateError> {
        if !(1900..=9999).contains(&year) || !(1..=12).contains(&month) || day == 0 {
            return Err(DateError);
        }
        if day > days_in_month(year, month) {
            return Err(DateError);
        }
        Ok(Date { year, month, day })
    }

    pub(crate) const fn from_parts(year: u16, month: u8, day: u8) -> Self {
        Date { year, month, day }
    }

    pub fn year(self) -> u16 {
        self.year
    }
    pub fn month(self) -> u8 {
        self.month
    }
    pub fn day(self) -> u8 {
        self.day
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        _ => 28,
    }
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, DateError> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(DateError);
        }
        let y = digits(&s[0..4]).ok_or(DateError)?;
        let m = digits(&s[5..7]).ok_or(DateError)?;
        let d = digits(&s[8..10]).ok_or(DateError)?;
        Date::new(y as u16, m as u8, d as u8)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A local date-time without zone, `YYYY-MM-DDThh:mm:ss`, as `SigningTime` carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    pub date: Date,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

impl DateTime {
    pub fn new(date: Date, hour: u8, minute: u8, second: u8) -> Result<Self, DateError> {
        if hour > 23 || minute > 59 || second > 59 {
            return Err(DateError);
        }
        Ok(DateTime {
            date,
            hour,
            minute,
            second,
        })
    }
}

impl DateTime {
    /// The civil date-time `seconds` after 1970-01-01T00:00:00 at UTC offset `offset_seconds`
    /// (Vietnam: +7 h). The caller reads the clock; the core only converts.
    pub fn from_unix(seconds: i64, offset_seconds: i64) -> Result<Self, DateError> {
        let t = seconds + offset_seconds;
        let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
        // Days to civil date (H. Hinnant's algorithm).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = yoe + era * 400 + i64::from(month <= 2);
        let date = Date::new(u16::try_from(year).map_err(|_| DateError)?, month, day)?;
        DateTime::new(
            date,
            (secs / 3600) as u8,
            (secs / 60 % 60) as u8,
            (secs % 60) as u8,
        )
    }
}

impl FromStr for DateTime {
    type Err = DateError;
    /// Accepts `YYYY-MM-DDThh:mm:ss` with optional fractional seconds and an optional `Z` or
    /// `±hh:mm` suffix, which real files carry; the zone is dropped (Vietnam local time is the
    /// convention, and the value is only reported, never used for a cryptographic verdict).
    fn from_str(s: &str) -> Result<Self, DateError> {
        let s = s.trim();
        if s.len() < 19 || s.as_bytes()[10] != b'T' {
            return Err(DateError);
        }
        let date: Date = s[..10].parse()?;
        let t = &s[11..19];
        let tb = t.as_bytes();
        if tb[2] != b':' || tb[5] != b':' {
            return Err(DateError);
        }
        let h = digits(&t[0..2]).ok_or(DateError)?;
        let m = digits(&t[3..5]).ok_or(DateError)?;
        let sec = digits(&t[6..8]).ok_or(DateError)?;
        DateTime::new(date, h as u8, m as u8, sec as u8)
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}T{:02}:{:02}:{:02}",
            self.date, self.hour, self.minute, self.second
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_iso_dates() {
        let d: Date = "2024-02-29".parse().unwrap();
        assert_eq!(d.to_string(), "2024-02-29");
        assert_eq!(d.year(), 2024);
    }

    #[test]
    fn refuses_impossible_dates() {
        for s in [
            "2023-02-29",
            "2025-13-01",
            "2025-04-31",
            "2025-4-1",
            "20250401",
            "1899-12-31",
        ] {
            assert!(s.parse::<Date>().is_err(), "{s}");
        }
    }

    #[test]
    fn unix_seconds_convert_to_vietnam_time() {
        let t = DateTime::from_unix(1_763_800_000, 7 * 3600).unwrap();
        assert_eq!(t.to_string(), "2025-11-22T15:26:40");
        let leap = DateTime::from_unix(951_782_400, 0).unwrap();
        assert_eq!(leap.to_string(), "2000-02-29T00:00:00");
    }

    #[test]
    fn date_times_accept_zones_and_fractions() {
        let t: DateTime = "2021-11-20T10:01:02.123+07:00".parse().unwrap();
        assert_eq!(t.to_string(), "2021-11-20T10:01:02");
        assert!("2021-11-20T24:00:00".parse::<DateTime>().is_err());
    }
}

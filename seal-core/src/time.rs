//! Points in time, as every check in `seal` takes them: explicitly.
//!
//! Verification never reads the clock by itself; callers pass a [`UnixTime`]
//! (usually [`UnixTime::now`]), as rustls does, so a result can be reproduced.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use der::DateTime;
use x509_cert::time::Time;

use crate::error::{Error, Result};

/// Seconds since the Unix epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixTime(u64);

impl UnixTime {
    /// The current time from the system clock.
    pub fn now() -> UnixTime {
        let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        UnixTime(secs)
    }

    /// A time from seconds since the epoch.
    pub const fn from_secs(secs: u64) -> UnixTime {
        UnixTime(secs)
    }

    /// Seconds since the epoch.
    pub const fn as_secs(self) -> u64 {
        self.0
    }

    /// This time plus `days` days (saturating).
    pub fn plus_days(self, days: u64) -> UnixTime {
        UnixTime(self.0.saturating_add(days.saturating_mul(86_400)))
    }

    /// This time plus `secs` seconds (saturating).
    pub fn plus_secs(self, secs: u64) -> UnixTime {
        UnixTime(self.0.saturating_add(secs))
    }

    /// This time as an X.509 `Time` (UTCTime until 2049, GeneralizedTime after, per RFC 5280 §4.1.2.5).
    pub fn to_x509(self) -> Result<Time> {
        let dt = DateTime::from_unix_duration(Duration::from_secs(self.0))
            .map_err(|e| Error::InvalidInput(format!("time out of range: {e}")))?;
        if dt.year() < 2050 {
            let utc = der::asn1::UtcTime::from_date_time(dt)
                .map_err(|e| Error::InvalidInput(format!("time out of range: {e}")))?;
            Ok(Time::UtcTime(utc))
        } else {
            Ok(Time::GeneralTime(der::asn1::GeneralizedTime::from_date_time(dt)))
        }
    }

    /// An X.509 `Time` as a `UnixTime`.
    pub fn from_x509(t: &Time) -> UnixTime {
        UnixTime(t.to_unix_duration().as_secs())
    }
}

impl fmt::Display for UnixTime {
    /// RFC 3339, e.g. `2026-11-22T19:11:49Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match DateTime::from_unix_duration(Duration::from_secs(self.0)) {
            Ok(dt) => write!(f, "{dt}"),
            Err(_) => write!(f, "@{}", self.0),
        }
    }
}

impl FromStr for UnixTime {
    type Err = Error;

    /// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339 in UTC) or `@SECONDS`.
    fn from_str(s: &str) -> Result<UnixTime> {
        let bad = || {
            Error::InvalidInput(format!(
                "invalid time {s:?}: expected YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or @SECONDS"
            ))
        };
        if let Some(secs) = s.strip_prefix('@') {
            return secs.parse().map(UnixTime).map_err(|_| bad());
        }
        let num = |range: std::ops::Range<usize>| -> Result<u16> {
            s.get(range)
                .filter(|p| p.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|p| p.parse().ok())
                .ok_or_else(bad)
        };
        let (date_ok, time_part) = match s.len() {
            10 => (true, None),
            20 => (s.as_bytes()[10] == b'T' && s.as_bytes()[19] == b'Z', Some(())),
            _ => (false, None),
        };
        if !date_ok || s.as_bytes()[4] != b'-' || s.as_bytes()[7] != b'-' {
            return Err(bad());
        }
        let (year, month, day) = (num(0..4)?, num(5..7)? as u8, num(8..10)? as u8);
        let (hour, minute, second) = if time_part.is_some() {
            if s.as_bytes()[13] != b':' || s.as_bytes()[16] != b':' {
                return Err(bad());
            }
            (num(11..13)? as u8, num(14..16)? as u8, num(17..19)? as u8)
        } else {
            (0, 0, 0)
        };
        let dt = DateTime::new(year, month, day, hour, minute, second).map_err(|_| bad())?;
        Ok(UnixTime(dt.unix_duration().as_secs()))
    }
}

impl serde::Serialize for UnixTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for UnixTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<UnixTime, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_rfc3339() {
        let t: UnixTime = "2026-11-22T19:11:49Z".parse().unwrap();
        assert_eq!(t.to_string(), "2026-11-22T19:11:49Z");
        let d: UnixTime = "2026-11-22".parse().unwrap();
        assert_eq!(d.to_string(), "2026-11-22T00:00:00Z");
        assert_eq!("@86400".parse::<UnixTime>().unwrap().to_string(), "1970-01-02T00:00:00Z");
    }

    #[test]
    fn rejects_garbage() {
        for s in [
            "",
            "2026",
            "2026-13-01",
            "2026-02-30",
            "2026-11-22 19:11:49",
            "2026-11-22T19:11:49+01:00",
            "@x",
            "２０２６-01-01",
        ] {
            assert!(s.parse::<UnixTime>().is_err(), "{s}");
        }
    }

    #[test]
    fn x509_time_switches_to_generalized_in_2050() {
        let t: UnixTime = "2049-12-31T23:59:59Z".parse().unwrap();
        assert!(matches!(t.to_x509().unwrap(), Time::UtcTime(_)));
        let t: UnixTime = "2050-01-01".parse().unwrap();
        assert!(matches!(t.to_x509().unwrap(), Time::GeneralTime(_)));
        assert_eq!(UnixTime::from_x509(&t.to_x509().unwrap()), t);
    }
}

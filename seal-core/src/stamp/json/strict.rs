//! JSON with one meaning (RFC 7493 I-JSON, as RFC 8785 requires of what it canonicalizes):
//! no member name twice in an object, and no number an IEEE 754 double cannot hold
//! exactly. Parsers disagree on both — some keep the first of two members, most the last;
//! 12345678901234567890 and 12345678901234567891 are the same double — so a stamp over
//! such a document would vouch for different content in different readers. seal refuses
//! to stamp or verify one, and says which member or number it is.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::error::{Error, Result};

/// The largest integer every JSON reader holds exactly (I-JSON §2.2).
const MAX_SAFE: i128 = (1 << 53) - 1;

/// Parses a JSON document, refusing duplicate member names and inexact numbers.
pub fn parse(data: &[u8]) -> Result<Value> {
    check_numbers(data)?;
    let mut de = serde_json::Deserializer::from_slice(data);
    let Strict(v) = Strict::deserialize(&mut de).map_err(|e| Error::decode("JSON document", e))?;
    de.end().map_err(|e| Error::decode("JSON document", e))?;
    Ok(v)
}

struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Strict, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> std::result::Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> std::result::Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> std::result::Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> std::result::Result<Value, E> {
        Number::from_f64(n)
            .map(Value::Number)
            .ok_or_else(|| E::custom("a number that is not finite"))
    }

    fn visit_str<E>(self, s: &str) -> std::result::Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> std::result::Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_unit<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(de::Error::custom(format!(
                    "member \"{key}\" appears twice in one object; readers disagree on which one \
                     counts (RFC 8785 and I-JSON forbid duplicates)"
                )));
            }
            let Strict(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

/// Every number literal outside strings must be one a double holds exactly.
fn check_numbers(data: &[u8]) -> Result<()> {
    let mut i = 0;
    while i < data.len() {
        match data[i] {
            b'"' => {
                i += 1;
                while i < data.len() && data[i] != b'"' {
                    i += if data[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < data.len()
                    && matches!(data[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    i += 1;
                }
                let lit = std::str::from_utf8(&data[start..i]).unwrap_or("");
                if let Some(why) = inexact(lit) {
                    return Err(Error::InvalidInput(format!(
                        "the number {lit} {why}; write it as a string (I-JSON, RFC 7493 §2.2)"
                    )));
                }
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// Why a number literal cannot be held exactly, if it cannot (malformed literals are left
/// to the parser).
fn inexact(lit: &str) -> Option<&'static str> {
    if !lit.contains(['.', 'e', 'E']) {
        let n: i128 = match lit.parse() {
            Ok(n) => n,
            Err(_) => return lit.parse::<f64>().is_ok().then_some("is beyond ±(2^53−1)"),
        };
        return (n.abs() > MAX_SAFE).then_some("is beyond ±(2^53−1), so readers round it");
    }
    let f: f64 = lit.parse().ok()?;
    if !f.is_finite() {
        return Some("is too large for a double");
    }
    (decimal(lit) != decimal(&format!("{f:e}"))).then_some("has more precision than a double holds")
}

/// A decimal literal as (significant digits, exponent of the last digit), zero as ("", 0).
fn decimal(lit: &str) -> (String, i64) {
    let lit = lit.trim_start_matches(['-', '+']);
    let (mantissa, exp) = match lit.find(['e', 'E']) {
        Some(k) => (&lit[..k], lit[k + 1..].parse::<i64>().unwrap_or(0)),
        None => (lit, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{int}{frac}");
    let mut exp = exp - frac.len() as i64;
    let trimmed = digits.trim_start_matches('0');
    let significant = trimmed.trim_end_matches('0');
    if significant.is_empty() {
        return (String::new(), 0);
    }
    exp += (trimmed.len() - significant.len()) as i64;
    (significant.to_owned(), exp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_and_inexact_numbers_are_refused() {
        assert!(parse(br#"{"a": 1, "b": {"c": [1.5, -0.0, 1e20, 9007199254740991]}}"#).is_ok());
        let e = parse(br#"{"number": "9999999999", "x": 1, "number": "0101234567"}"#).unwrap_err();
        assert!(e.to_string().contains("\"number\" appears twice"), "{e}");
        assert!(parse(br#"{"a": {"_stamps": [], "_stamps": []}}"#).is_err());
        for bad in [
            "12345678901234567890",
            "9007199254740993",
            "-9007199254740992",
            "0.10000000000000000001",
            "1e400",
            "123456789012345678901234567890",
        ] {
            let e = parse(format!(r#"{{"n": {bad}}}"#).as_bytes()).unwrap_err();
            assert!(e.to_string().contains(bad), "{bad}: {e}");
        }
        // Numbers inside strings are text.
        assert!(parse(br#"{"n": "12345678901234567890 \" 1e999"}"#).is_ok());
        assert!(parse(b"{\"a\": 1} x").is_err());
    }
}

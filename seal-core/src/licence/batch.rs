//! Issuing many licences at once, from JSON lines or CSV, in parallel.
//!
//! JSON lines: one [`LicenceData`] object per line. CSV: a header row with `number`,
//! `holder_name`, `holder_id`, `valid_until` and optionally `region`, `valid_from`,
//! `status_index`; every other column is an attribute, converted to the type its schema
//! gives it (lists are separated by `;`). An empty cell means the attribute is absent.

use std::path::Path;

use serde_json::{Map, Value};

use super::schema::Kind;
use super::{Holder, Licence, LicenceData, Schema, prepare, sign, to_text};
use crate::error::{Error, Result, ResultExt};
use crate::keys::Signer;
use crate::pki::Certificate;
use crate::time::UnixTime;

/// One record of a batch file: its line (or row) number and its data, or why it is unusable.
pub type Record = (usize, Result<LicenceData>);

/// Reads a batch file: `.csv` as CSV, anything else as JSON lines.
pub fn read(path: &Path, schema: &Schema) -> Result<Vec<Record>> {
    let data = crate::io::read(path)?;
    let is_csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if is_csv { read_csv(&data, schema).in_file(path) } else { Ok(read_jsonl(&data)) }
}

fn read_jsonl(data: &[u8]) -> Vec<Record> {
    String::from_utf8_lossy(data)
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| {
            (
                n + 1,
                serde_json::from_str(l).map_err(|e| Error::decode("licence data (JSON line)", e)),
            )
        })
        .collect()
}

fn read_csv(data: &[u8], schema: &Schema) -> Result<Vec<Record>> {
    let mut reader = csv::Reader::from_reader(data);
    let headers = reader.headers().map_err(|e| Error::decode("licence data (CSV)", e))?.clone();
    for required in ["number", "holder_name", "holder_id", "valid_until"] {
        if !headers.iter().any(|h| h == required) {
            return Err(Error::InvalidInput(format!("the CSV header has no {required} column")));
        }
    }
    let mut out = Vec::new();
    for (n, row) in reader.records().enumerate() {
        let line = n + 2;
        let record = row.map_err(|e| Error::decode("licence data (CSV)", e)).and_then(|row| {
            let get = |k: &str| {
                headers
                    .iter()
                    .position(|h| h == k)
                    .and_then(|i| row.get(i))
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
            };
            let mut attributes = Map::new();
            for (i, h) in headers.iter().enumerate() {
                if [
                    "number",
                    "holder_name",
                    "holder_id",
                    "valid_until",
                    "region",
                    "valid_from",
                    "status_index",
                ]
                .contains(&h)
                {
                    continue;
                }
                let Some(cell) = row.get(i).map(str::trim).filter(|v| !v.is_empty()) else {
                    continue;
                };
                let kind = schema.attributes.get(h).map(|s| s.kind).unwrap_or(Kind::String);
                attributes.insert(h.to_owned(), convert(h, cell, kind)?);
            }
            let status_index = get("status_index")
                .map(|s| {
                    s.parse::<u64>().map_err(|_| {
                        Error::InvalidInput(format!("status_index {s:?} is not a number"))
                    })
                })
                .transpose()?;
            Ok(LicenceData {
                number: get("number").unwrap_or_default().to_owned(),
                holder: Holder {
                    name: get("holder_name").unwrap_or_default().to_owned(),
                    id: get("holder_id").unwrap_or_default().to_owned(),
                },
                region: get("region").map(str::to_owned),
                valid_from: get("valid_from").map(str::to_owned),
                valid_until: get("valid_until").unwrap_or_default().to_owned(),
                attributes,
                status_index,
            })
        });
        out.push((line, record));
    }
    Ok(out)
}

fn convert(name: &str, cell: &str, kind: Kind) -> Result<Value> {
    let bad = || Error::InvalidInput(format!("{name} {cell:?} is not {kind:?}"));
    Ok(match kind {
        Kind::Boolean => Value::Bool(cell.parse().map_err(|_| bad())?),
        Kind::Integer => Value::from(cell.parse::<i64>().map_err(|_| bad())?),
        Kind::Number => serde_json::Number::from_f64(cell.parse::<f64>().map_err(|_| bad())?)
            .map(Value::Number)
            .ok_or_else(bad)?,
        Kind::StringList => {
            Value::Array(cell.split(';').map(|s| Value::String(s.trim().to_owned())).collect())
        }
        Kind::Date | Kind::String => Value::String(cell.to_owned()),
    })
}

/// Issues every usable record in parallel; each result is the licence and its text form,
/// or why that record failed (the others go on).
pub fn issue_many(
    records: Vec<Record>,
    schema: &Schema,
    signer: &dyn Signer,
    cert: &Certificate,
    now: UnixTime,
    progress: &(dyn Fn() + Sync),
) -> Vec<(usize, Result<(Licence, String)>)> {
    crate::par::map_owned(records, |(line, data)| {
        let r = data.and_then(|d| {
            let lic = prepare(schema, d, cert, now)?;
            let text = to_text(&sign(&lic, signer, cert)?)?;
            Ok((lic, text))
        });
        progress();
        (line, r)
    })
}

//! Licence types: each has a schema of required and optional typed attributes.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// The type of one attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// `true` or `false`.
    Boolean,
    /// A date, `YYYY-MM-DD`.
    Date,
    /// A whole number.
    Integer,
    /// Any number.
    Number,
    /// Text.
    String,
    /// A list of texts.
    StringList,
}

/// One attribute of a licence type.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AttributeSpec {
    /// Its type.
    #[serde(rename = "type")]
    pub kind: Kind,
    /// Whether every licence of the type must have it.
    #[serde(default)]
    pub required: bool,
}

/// A licence type and its attributes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Schema {
    /// The type's name, e.g. `business-licence`.
    #[serde(rename = "type")]
    pub licence_type: String,
    /// Its attributes by name.
    pub attributes: BTreeMap<String, AttributeSpec>,
}

impl Schema {
    /// The built-in licence types.
    pub fn builtin() -> Vec<Schema> {
        Schema::builtin_ref().to_vec()
    }

    /// The built-in licence types, made once.
    pub(crate) fn builtin_ref() -> &'static [Schema] {
        static BUILTIN: std::sync::OnceLock<Vec<Schema>> = std::sync::OnceLock::new();
        BUILTIN.get_or_init(Schema::make_builtin)
    }

    /// The built-in licence types, made once by [`Schema::builtin_ref`].
    fn make_builtin() -> Vec<Schema> {
        let spec = |list: &[(&str, Kind, bool)]| {
            list.iter()
                .map(|(n, k, r)| ((*n).to_owned(), AttributeSpec { kind: *k, required: *r }))
                .collect()
        };
        vec![
            Schema {
                licence_type: "business-licence".into(),
                attributes: spec(&[
                    ("company_type", Kind::String, true),
                    ("capital", Kind::Integer, true),
                    ("activities", Kind::StringList, true),
                    ("address", Kind::String, false),
                ]),
            },
            Schema {
                licence_type: "building-permit".into(),
                attributes: spec(&[
                    ("parcel", Kind::String, true),
                    ("floors", Kind::Integer, true),
                    ("area_m2", Kind::Number, true),
                    ("completion_by", Kind::Date, false),
                ]),
            },
            Schema {
                licence_type: "qualification".into(),
                attributes: spec(&[
                    ("profession", Kind::String, true),
                    ("level", Kind::String, true),
                    ("awarded", Kind::Date, true),
                    ("supervised", Kind::Boolean, false),
                ]),
            },
        ]
    }

    /// The built-in schema of a type, or an error listing the known types.
    pub fn find(licence_type: &str) -> Result<Schema> {
        let all = Schema::builtin_ref();
        all.iter().find(|s| s.licence_type == licence_type).cloned().ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|s| s.licence_type.as_str()).collect();
            Error::InvalidInput(format!(
                "unknown licence type {licence_type:?} (known: {}; or pass --schema FILE)",
                names.join(", ")
            ))
        })
    }

    /// Checks attributes against the schema; the error lists every problem.
    pub fn check(&self, attributes: &Map<String, Value>) -> Result<()> {
        let mut problems = Vec::new();
        for (name, spec) in &self.attributes {
            match attributes.get(name) {
                None if spec.required => problems.push(format!("{name} is missing")),
                None => {}
                Some(v) if !fits(spec.kind, v) => {
                    problems.push(format!("{name} must be {}, found {v}", describe(spec.kind)))
                }
                Some(_) => {}
            }
        }
        for name in attributes.keys() {
            if !self.attributes.contains_key(name) {
                problems.push(format!("{name} is not an attribute of {}", self.licence_type));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::InvalidInput(format!(
                "the {} data does not fit its schema: {}",
                self.licence_type,
                problems.join("; ")
            )))
        }
    }
}

fn fits(kind: Kind, v: &Value) -> bool {
    match kind {
        Kind::Boolean => v.is_boolean(),
        Kind::Date => {
            v.as_str().is_some_and(|s| s.len() == 10 && s.parse::<crate::time::UnixTime>().is_ok())
        }
        Kind::Integer => v.is_i64() || v.is_u64(),
        Kind::Number => v.is_number(),
        Kind::String => v.as_str().is_some_and(|s| !s.trim().is_empty()),
        Kind::StringList => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
    }
}

fn describe(kind: Kind) -> &'static str {
    match kind {
        Kind::Boolean => "true or false",
        Kind::Date => "a date YYYY-MM-DD",
        Kind::Integer => "a whole number",
        Kind::Number => "a number",
        Kind::String => "non-empty text",
        Kind::StringList => "a list of texts",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn schema_checks_say_what_is_wrong() {
        let s = Schema::find("business-licence").unwrap();
        let good = json!({"company_type": "LLC", "capital": 1000, "activities": ["retail"]});
        s.check(good.as_object().unwrap()).unwrap();
        let bad = json!({"company_type": "", "capital": "lots", "colour": "red"});
        let err = s.check(bad.as_object().unwrap()).unwrap_err().to_string();
        for needle in [
            "activities is missing",
            "capital must be a whole number",
            "company_type must be non-empty text",
            "colour is not an attribute",
        ] {
            assert!(err.contains(needle), "{err}");
        }
        assert!(Schema::find("fishing").unwrap_err().to_string().contains("business-licence"));
    }
}

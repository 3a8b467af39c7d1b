//! CBOR with one meaning (RFC 8949 §4.2 and §5.6): one data item and nothing after it,
//! no map with a key twice, and the preferred serialization (shortest lengths and
//! integers, definite lengths), so that two readers cannot see two licences in one.

use ciborium::Value as Cbor;

use crate::error::{Error, Result};

/// The deepest nesting read.
const MAX_DEPTH: usize = 32;

/// Decodes exactly one CBOR item from `bytes`, refusing trailing bytes, duplicate map keys
/// and encodings other than the preferred one. `what` names the item in errors.
pub(crate) fn strict(bytes: &[u8], what: &'static str) -> Result<Cbor> {
    let mut reader = bytes;
    let value: Cbor = ciborium::from_reader(&mut reader).map_err(|e| Error::decode(what, e))?;
    if !reader.is_empty() {
        return Err(Error::decode(
            what,
            format!("{} bytes follow the CBOR item: only one item is allowed", reader.len()),
        ));
    }
    no_duplicates(&value, what, 0)?;
    let mut again = Vec::new();
    ciborium::into_writer(&value, &mut again).map_err(|e| Error::decode(what, e))?;
    if again != bytes {
        return Err(Error::decode(
            what,
            "not in CBOR's preferred serialization (RFC 8949 §4.1: shortest lengths and \
             integers, definite lengths)",
        ));
    }
    Ok(value)
}

fn no_duplicates(v: &Cbor, what: &'static str, depth: usize) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(Error::decode(what, "nested too deeply"));
    }
    match v {
        Cbor::Map(entries) => {
            for (i, (k, val)) in entries.iter().enumerate() {
                if entries[..i].iter().any(|(other, _)| other == k) {
                    return Err(Error::decode(
                        what,
                        format!(
                            "the map key {k:?} appears twice: readers disagree on which counts"
                        ),
                    ));
                }
                no_duplicates(k, what, depth + 1)?;
                no_duplicates(val, what, depth + 1)?;
            }
            Ok(())
        }
        Cbor::Array(items) => items.iter().try_for_each(|x| no_duplicates(x, what, depth + 1)),
        Cbor::Tag(_, inner) => no_duplicates(inner, what, depth + 1),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_item_one_meaning() {
        let mut ok = Vec::new();
        ciborium::into_writer(
            &Cbor::Map(vec![(Cbor::Integer(4.into()), Cbor::Integer(5.into()))]),
            &mut ok,
        )
        .unwrap();
        assert!(strict(&ok, "claims").is_ok());
        let mut trailing = ok.clone();
        trailing.push(0x00);
        assert!(strict(&trailing, "claims").unwrap_err().to_string().contains("follow"));
        // {4: 5, 4: 6}
        let dup = [0xa2, 0x04, 0x05, 0x04, 0x06];
        assert!(strict(&dup, "claims").unwrap_err().to_string().contains("twice"));
        // {4: 5} with the 5 written in two bytes (0x18 0x05): not the shortest form.
        let long = [0xa1, 0x04, 0x18, 0x05];
        assert!(strict(&long, "claims").unwrap_err().to_string().contains("preferred"));
        // An indefinite-length map.
        let indefinite = [0xbf, 0x04, 0x05, 0xff];
        assert!(strict(&indefinite, "claims").is_err());
    }
}

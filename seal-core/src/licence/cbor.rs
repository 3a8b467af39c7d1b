//! CBOR with one meaning (RFC 8949 §4.2 and §5.6): one data item and nothing after it,
//! no map with a key twice, and the preferred serialization (shortest lengths and
//! integers, definite lengths), so that two readers cannot see two licences in one.
//!
//! seal writes the core deterministic encoding (§4.2.1: besides, every map's keys sorted
//! by their encoded bytes). On reading, keys in another order are accepted and reported:
//! once no key appears twice, their order carries no meaning, and other producers (cbor2,
//! pycose by default) keep insertion order.

use std::cmp::Ordering;

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

/// `v` with every map's entries in deterministic order (RFC 8949 §4.2.1).
pub(crate) fn deterministic(v: Cbor) -> Cbor {
    match v {
        Cbor::Map(entries) => {
            let mut entries: Vec<(Cbor, Cbor)> =
                entries.into_iter().map(|(k, v)| (deterministic(k), deterministic(v))).collect();
            entries.sort_by(|(a, _), (b, _)| key_order(a, b));
            Cbor::Map(entries)
        }
        Cbor::Array(items) => Cbor::Array(items.into_iter().map(deterministic).collect()),
        Cbor::Tag(t, inner) => Cbor::Tag(t, Box::new(deterministic(*inner))),
        other => other,
    }
}

/// True if every map in `v` has its keys in deterministic order (RFC 8949 §4.2.1).
pub(crate) fn is_deterministic(v: &Cbor) -> bool {
    match v {
        Cbor::Map(entries) => {
            entries.windows(2).all(|w| key_order(&w[0].0, &w[1].0) == Ordering::Less)
                && entries.iter().all(|(k, v)| is_deterministic(k) && is_deterministic(v))
        }
        Cbor::Array(items) => items.iter().all(is_deterministic),
        Cbor::Tag(_, inner) => is_deterministic(inner),
        _ => true,
    }
}

/// The bytewise order of two keys' preferred encodings, computed without encoding the
/// usual keys: integers and text.
fn key_order(a: &Cbor, b: &Cbor) -> Ordering {
    // (major type, argument): the encoding orders by its initial byte, then by the
    // argument's big-endian bytes, then by the content, and a shorter argument always
    // has a smaller initial byte.
    fn head(v: &Cbor) -> Option<(u8, u64)> {
        match v {
            Cbor::Integer(i) => {
                let i = i128::from(*i);
                if i >= 0 {
                    u64::try_from(i).ok().map(|n| (0, n))
                } else {
                    u64::try_from(-1 - i).ok().map(|n| (1, n))
                }
            }
            Cbor::Text(t) => Some((3, t.len() as u64)),
            _ => None,
        }
    }
    match (head(a), head(b)) {
        (Some(ha), Some(hb)) => ha.cmp(&hb).then_with(|| match (a, b) {
            (Cbor::Text(x), Cbor::Text(y)) => x.as_bytes().cmp(y.as_bytes()),
            _ => Ordering::Equal,
        }),
        _ => {
            let enc = |v: &Cbor| {
                let mut out = Vec::new();
                let _ = ciborium::into_writer(v, &mut out);
                out
            };
            enc(a).cmp(&enc(b))
        }
    }
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

    fn encode(v: &Cbor) -> Vec<u8> {
        let mut out = Vec::new();
        ciborium::into_writer(v, &mut out).unwrap();
        out
    }

    #[test]
    fn deterministic_order_is_the_order_of_the_encoded_keys() {
        let keys = [
            Cbor::Integer(1.into()),
            Cbor::Integer(24.into()),
            Cbor::Integer(1000.into()),
            Cbor::Integer((-1).into()),
            Cbor::Integer((-300).into()),
            Cbor::Bytes(vec![1]),
            Cbor::Text("z".into()),
            Cbor::Text("aa".into()),
            Cbor::Text("capital".into()),
            Cbor::Text("activities".into()),
            Cbor::Array(vec![]),
            Cbor::Bool(false),
        ];
        for a in &keys {
            for b in &keys {
                assert_eq!(key_order(a, b), encode(a).cmp(&encode(b)), "{a:?} {b:?}");
            }
        }
        let mut reversed: Vec<(Cbor, Cbor)> = keys
            .iter()
            .rev()
            .map(|k| {
                (
                    k.clone(),
                    Cbor::Map(vec![
                        (Cbor::Text("b".into()), Cbor::Null),
                        (Cbor::Text("a".into()), Cbor::Null),
                    ]),
                )
            })
            .collect();
        reversed.push((Cbor::Text("inner".into()), Cbor::Null));
        let v = Cbor::Map(reversed);
        assert!(!is_deterministic(&v));
        let sorted = deterministic(v);
        assert!(is_deterministic(&sorted));
        let Cbor::Map(entries) = &sorted else { panic!() };
        let bytes: Vec<Vec<u8>> = entries.iter().map(|(k, _)| encode(k)).collect();
        assert!(bytes.windows(2).all(|w| w[0] < w[1]));
    }
}

use super::*;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn t(s: &str) -> Cbor {
    Cbor::text(s)
}

/// RFC 8949 Appendix A: every example in its preferred serialization, decoded strictly and
/// written back byte for byte.
#[test]
fn rfc8949_appendix_a() {
    let i = |n: i128| Cbor::Integer(n);
    let cases: Vec<(Cbor, &str)> = vec![
        (i(0), "00"),
        (i(1), "01"),
        (i(10), "0a"),
        (i(23), "17"),
        (i(24), "1818"),
        (i(25), "1819"),
        (i(100), "1864"),
        (i(1000), "1903e8"),
        (i(1_000_000), "1a000f4240"),
        (i(1_000_000_000_000), "1b000000e8d4a51000"),
        (i(18_446_744_073_709_551_615), "1bffffffffffffffff"),
        (i(-18_446_744_073_709_551_616), "3bffffffffffffffff"),
        (i(-1), "20"),
        (i(-10), "29"),
        (i(-100), "3863"),
        (i(-1000), "3903e7"),
        (Cbor::Float(0.0), "f90000"),
        (Cbor::Float(-0.0), "f98000"),
        (Cbor::Float(1.0), "f93c00"),
        (Cbor::Float(1.1), "fb3ff199999999999a"),
        (Cbor::Float(1.5), "f93e00"),
        (Cbor::Float(65504.0), "f97bff"),
        (Cbor::Float(100000.0), "fa47c35000"),
        (Cbor::Float(3.4028234663852886e+38), "fa7f7fffff"),
        (Cbor::Float(1.0e+300), "fb7e37e43c8800759c"),
        (Cbor::Float(5.960464477539063e-8), "f90001"),
        (Cbor::Float(0.00006103515625), "f90400"),
        (Cbor::Float(-4.0), "f9c400"),
        (Cbor::Float(-4.1), "fbc010666666666666"),
        (Cbor::Float(f64::INFINITY), "f97c00"),
        (Cbor::Float(f64::NEG_INFINITY), "f9fc00"),
        (Cbor::Bool(false), "f4"),
        (Cbor::Bool(true), "f5"),
        (Cbor::Null, "f6"),
        (Cbor::Undefined, "f7"),
        (Cbor::Simple(16), "f0"),
        (Cbor::Simple(255), "f8ff"),
        (
            Cbor::Tag(0, Box::new(t("2013-03-21T20:04:00Z"))),
            "c074323031332d30332d32315432303a30343a30305a",
        ),
        (Cbor::Tag(1, Box::new(i(1363896240))), "c11a514b67b0"),
        (Cbor::Bytes(vec![]), "40"),
        (Cbor::Bytes(vec![1, 2, 3, 4]), "4401020304"),
        (t(""), "60"),
        (t("a"), "6161"),
        (t("IETF"), "6449455446"),
        (t("\"\\"), "62225c"),
        (t("\u{fc}"), "62c3bc"),
        (t("\u{6c34}"), "63e6b0b4"),
        (Cbor::Array(vec![]), "80"),
        (Cbor::Array(vec![i(1), i(2), i(3)]), "83010203"),
        (
            Cbor::Array(vec![i(1), Cbor::Array(vec![i(2), i(3)]), Cbor::Array(vec![i(4), i(5)])]),
            "8301820203820405",
        ),
        (Cbor::Map(vec![]), "a0"),
        (Cbor::Map(vec![(i(1), i(2)), (i(3), i(4))]), "a201020304"),
        (
            Cbor::Map(vec![(t("a"), i(1)), (t("b"), Cbor::Array(vec![i(2), i(3)]))]),
            "a26161016162820203",
        ),
    ];
    for (value, bytes) in cases {
        let bytes = hex(bytes);
        assert_eq!(encode(&value), bytes, "{value:?}");
        let back = strict(&bytes, "test").unwrap_or_else(|e| panic!("{value:?}: {e}"));
        match (&back, &value) {
            (Cbor::Float(a), Cbor::Float(b)) => assert_eq!(a.to_bits(), b.to_bits()),
            _ => assert_eq!(back, value),
        }
    }
    let nan = strict(&hex("f97e00"), "test").unwrap();
    assert!(matches!(nan, Cbor::Float(f) if f.is_nan()));
    assert_eq!(encode(&Cbor::Float(f64::NAN)), hex("f97e00"));
}

/// The Appendix A examples in other encodings: read leniently to the same value, refused by
/// the strict reader with the byte where the encoding is not the preferred one.
#[test]
fn other_encodings_are_read_leniently_and_refused_strictly() {
    let i = |n: i128| Cbor::Integer(n);
    let cases: Vec<(&str, Cbor)> = vec![
        ("5f42010243030405ff", Cbor::Bytes(vec![1, 2, 3, 4, 5])),
        ("7f657374726561646d696e67ff", t("streaming")),
        ("9fff", Cbor::Array(vec![])),
        (
            "9f018202039f0405ffff",
            Cbor::Array(vec![i(1), Cbor::Array(vec![i(2), i(3)]), Cbor::Array(vec![i(4), i(5)])]),
        ),
        (
            "bf61610161629f0203ffff",
            Cbor::Map(vec![(t("a"), i(1)), (t("b"), Cbor::Array(vec![i(2), i(3)]))]),
        ),
        ("1805", i(5)),
        ("190005", i(5)),
        ("3a00000005", i(-6)),
        ("fb3ff8000000000000", Cbor::Float(1.5)),
        ("fa3fc00000", Cbor::Float(1.5)),
        ("fb4059000000000000", Cbor::Float(100.0)),
    ];
    for (bytes, value) in cases {
        let bytes = hex(bytes);
        let (back, used) = lenient(&bytes, "test").unwrap();
        assert_eq!((back, used), (value.clone(), bytes.len()), "{value:?}");
        let e = strict(&bytes, "test").unwrap_err().to_string();
        assert!(e.contains("preferred") && e.contains("at byte"), "{e}");
    }
}

#[test]
fn one_item_one_meaning() {
    let ok = encode(&Cbor::Map(vec![(Cbor::int(4), Cbor::int(5))]));
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

/// What is not well-formed CBOR at all (RFC 8949 Appendix F) is refused by both readers,
/// without a panic and without allocating what a length only announces.
#[test]
fn malformed_items_are_refused() {
    let cases = [
        "",                   // nothing
        "18",                 // a one-byte argument missing
        "1a0000",             // a four-byte argument cut short
        "1c",                 // reserved additional information
        "1f",                 // an indefinite integer
        "ff",                 // a break alone
        "f818",               // simple value 24 in two bytes
        "4401",               // a byte string cut short
        "7b7fffffffffffffff", // a text string announcing 2^63 bytes
        "9bffffffffffffffff", // an array announcing 2^64 - 1 items
        "bb7fffffffffffffff", // a map announcing 2^63 entries
        "62c328",             // text that is not UTF-8
        "5f4101610261ff",     // an indefinite byte string with a text chunk
        "5f5f4100ffff",       // an indefinite chunk inside an indefinite string
        "9f01",               // an indefinite array never closed
        "c6",                 // a tag with nothing after it
        "df",                 // an indefinite tag
    ];
    for case in cases {
        let bytes = hex(case);
        assert!(lenient(&bytes, "test").is_err(), "{case}");
        assert!(strict(&bytes, "test").is_err(), "{case}");
    }
    let deep = vec![0x81u8; 64];
    assert!(lenient(&deep, "test").unwrap_err().to_string().contains("deep"));
    let tags = vec![0xc6u8; 64];
    assert!(lenient(&tags, "test").unwrap_err().to_string().contains("deep"));
}

/// Our writer agrees byte for byte with an independent one (ciborium) on values of every
/// kind, including floats at each precision's edges.
#[test]
fn the_writer_agrees_with_ciborium() {
    use ciborium::Value as C;
    fn mirror(v: &Cbor) -> C {
        match v {
            Cbor::Integer(i) => C::Integer((*i).try_into().unwrap()),
            Cbor::Bytes(b) => C::Bytes(b.clone()),
            Cbor::Text(t) => C::Text(t.clone()),
            Cbor::Array(a) => C::Array(a.iter().map(mirror).collect()),
            Cbor::Map(m) => C::Map(m.iter().map(|(k, v)| (mirror(k), mirror(v))).collect()),
            Cbor::Tag(t, v) => C::Tag(*t, Box::new(mirror(v))),
            Cbor::Bool(b) => C::Bool(*b),
            Cbor::Null => C::Null,
            Cbor::Float(f) => C::Float(*f),
            Cbor::Undefined | Cbor::Simple(_) => unreachable!(),
        }
    }
    let mut values = vec![];
    for e in -30..=40 {
        for m in [1.0, 1.5, 1.25, 1.0009765625, 1.00048828125, 1.9990234375, 3.0 / 3.1] {
            let f: f64 = m * 2f64.powi(e);
            values.push(Cbor::Float(f));
            values.push(Cbor::Float(-f));
        }
    }
    for n in [0i128, 23, 24, 255, 256, 65535, 65536, 4294967295, 4294967296, -1, -24, -25, -257] {
        values.push(Cbor::Integer(n));
    }
    values.push(Cbor::Tag(
        18,
        Box::new(Cbor::Array(vec![
            Cbor::Bytes(vec![0xa1, 0x01, 0x26]),
            Cbor::Map(vec![(Cbor::int(4), Cbor::Bytes(vec![7; 300]))]),
            Cbor::Text("x".repeat(70_000)),
            Cbor::Null,
        ])),
    ));
    for v in &values {
        let mut theirs = Vec::new();
        ciborium::into_writer(&mirror(v), &mut theirs).unwrap();
        assert_eq!(encode(v), theirs, "{v:?}");
        let back = strict(&theirs, "test").unwrap();
        assert_eq!(encode(&back), theirs);
    }
}

#[test]
fn deterministic_order_is_the_order_of_the_encoded_keys() {
    let keys = [
        Cbor::int(1),
        Cbor::int(24),
        Cbor::int(1000),
        Cbor::int(-1),
        Cbor::int(-300),
        Cbor::Bytes(vec![1]),
        t("z"),
        t("aa"),
        t("capital"),
        t("activities"),
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
        .map(|k| (k.clone(), Cbor::Map(vec![(t("b"), Cbor::Null), (t("a"), Cbor::Null)])))
        .collect();
    reversed.push((t("inner"), Cbor::Null));
    let v = Cbor::Map(reversed);
    assert!(!is_deterministic(&v));
    let sorted = deterministic(v);
    assert!(is_deterministic(&sorted));
    let Cbor::Map(entries) = &sorted else { panic!() };
    let bytes: Vec<Vec<u8>> = entries.iter().map(|(k, _)| encode(k)).collect();
    assert!(bytes.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn json_round_trips_and_what_json_cannot_hold_is_named() {
    let j = serde_json::json!({"a": [1, -2, 2.5, "x", null, true], "b": {"c": 18446744073709551615u64}});
    assert_eq!(to_json(&from_json(&j)).unwrap(), j);
    assert!(to_json(&Cbor::Bytes(vec![1])).unwrap_err().contains("JSON"));
    assert!(
        to_json(&Cbor::Map(vec![(Cbor::int(1), Cbor::Null)])).unwrap_err().contains("not text")
    );
    assert!(to_json(&Cbor::Float(f64::NAN)).is_err());
}

/// A map of many entries is checked for a repeated key in n log n: 200,000 entries (the
/// size a 1 MB licence can hold) take milliseconds, where comparing every pair would take
/// minutes. NaN keys twice count as the same key.
#[test]
fn repeated_keys_are_found_in_large_maps_quickly() {
    let mut entries: Vec<(Cbor, Cbor)> = (0..200_000).map(|i| (Cbor::int(i), Cbor::Null)).collect();
    let big = encode(&Cbor::Map(entries.clone()));
    assert!(strict(&big, "test").is_ok());
    entries.push((Cbor::int(123_456), Cbor::Bool(true)));
    let e = strict(&encode(&Cbor::Map(entries)), "test").unwrap_err().to_string();
    assert!(e.contains("Integer(123456)") && e.contains("twice"), "{e}");
    let nan =
        Cbor::Map(vec![(Cbor::Float(f64::NAN), Cbor::Null), (Cbor::Float(f64::NAN), Cbor::Null)]);
    assert!(strict(&encode(&nan), "test").unwrap_err().to_string().contains("twice"));
}

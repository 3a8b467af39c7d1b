//! Licence numbers with an ISO/IEC 7064 MOD 37,36 check character.
//!
//! The hybrid system MOD 37,36 works over the 36 characters `0-9A-Z` and catches every
//! single-character error and every transposition of adjacent characters. Separators
//! (`-`, ` `, `/`) are ignored when computing and checking.

use crate::error::{Error, Result};

const ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const M: u32 = 36;

fn value(c: char) -> Option<u32> {
    let c = c.to_ascii_uppercase();
    ALPHABET.iter().position(|&a| a as char == c).map(|p| p as u32)
}

fn significant(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().filter(|c| !matches!(c, '-' | ' ' | '/'))
}

/// The check character for `number` (ISO/IEC 7064 MOD 37,36).
pub fn check_char(number: &str) -> Result<char> {
    let mut p = M;
    let mut n = 0;
    for c in significant(number) {
        let v = value(c).ok_or_else(|| {
            Error::InvalidInput(format!("licence number {number:?}: {c:?} is not 0-9 or A-Z"))
        })?;
        let mut s = (p + v) % M;
        if s == 0 {
            s = M;
        }
        p = (2 * s) % (M + 1);
        n += 1;
    }
    if n == 0 {
        return Err(Error::InvalidInput("the licence number is empty".into()));
    }
    let check = (M + 1 - p) % M;
    Ok(ALPHABET[check as usize] as char)
}

/// `number` with its check character appended after a `-`.
pub fn with_check(number: &str) -> Result<String> {
    Ok(format!("{number}-{}", check_char(number)?))
}

/// Checks a number whose last significant character is its check character.
pub fn verify(full: &str) -> Result<()> {
    let chars: Vec<char> = significant(full).collect();
    let Some((&last, body)) = chars.split_last() else {
        return Err(Error::InvalidInput("the licence number is empty".into()));
    };
    let body: String = body.iter().collect();
    let expected = check_char(&body)?;
    if expected != last.to_ascii_uppercase() {
        return Err(Error::InvalidInput(format!(
            "licence number {full:?} has check character {last:?}, expected {expected:?}: a typing error?"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_characters_catch_single_errors_and_transpositions() {
        let base = "BL2026000123";
        let full = with_check(base).unwrap();
        verify(&full).unwrap();
        verify(&full.to_lowercase()).unwrap();
        let chars: Vec<char> = base.chars().collect();
        // Every single substitution is caught.
        for i in 0..chars.len() {
            for &a in ALPHABET {
                let a = a as char;
                if a == chars[i] {
                    continue;
                }
                let mut c = chars.clone();
                c[i] = a;
                let wrong: String = c.iter().collect();
                assert!(
                    verify(&format!("{wrong}-{}", check_char(base).unwrap())).is_err(),
                    "{wrong}"
                );
            }
        }
        // Every adjacent transposition of different characters is caught.
        for i in 0..chars.len() - 1 {
            if chars[i] == chars[i + 1] {
                continue;
            }
            let mut c = chars.clone();
            c.swap(i, i + 1);
            let wrong: String = c.iter().collect();
            assert!(verify(&format!("{wrong}-{}", check_char(base).unwrap())).is_err(), "{wrong}");
        }
        assert!(check_char("").is_err());
        assert!(check_char("AB*1").is_err());
    }
}

//! The shape of French place codes, checked before any lookup.

/// A La Poste postcode: five digits.
pub fn is_postcode(s: &str) -> bool {
    s.len() == 5 && s.bytes().all(|b| b.is_ascii_digit())
}

/// An INSEE commune code: five digits, or 2A/2B and three digits in Corsica.
pub fn is_commune_code(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5
        && (b.iter().all(u8::is_ascii_digit)
            || (b[0] == b'2'
                && matches!(b[1], b'A' | b'B')
                && b[2..].iter().all(u8::is_ascii_digit)))
}

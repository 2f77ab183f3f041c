//! Text folding for accent- and case-insensitive search, and bytes written as text.

/// Lower case, accents removed, every run of non-alphanumerics turned into one space,
/// "st"/"ste" expanded so that "st etienne" finds "Saint-Étienne" (but not as the last word,
/// which may be the start of "Strasbourg" being typed).
pub fn fold(input: &str) -> String {
    let ascii = deunicode::deunicode(input).to_lowercase();
    let words: Vec<&str> = ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let last = words.len().saturating_sub(1);
    words
        .iter()
        .enumerate()
        .map(|(i, w)| match *w {
            "st" if i < last => "saint",
            "ste" if i < last => "sainte",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether each of `words` (folded) starts a word of `folded`, as the staff lists search.
pub fn starts_words(folded: &str, words: &[String]) -> bool {
    words
        .iter()
        .all(|word| folded.split(' ').any(|w| w.starts_with(word.as_str())))
}

/// An anchor or address word: folded, words joined by hyphens ("Que faire maintenant" ->
/// `que-faire-maintenant`).
pub fn slug(input: &str) -> String {
    deunicode::deunicode(input)
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// The first letter in upper case (`suspendu` -> `Suspendu`).
pub fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Bytes in lower-case hexadecimal (digests, tokens, signatures).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_accents_case_and_punctuation() {
        assert_eq!(fold("Saint-Étienne"), "saint etienne");
        assert_eq!(fold("ST ETIENNE"), "saint etienne");
        assert_eq!(fold("L'Haÿ-les-Roses"), "l hay les roses");
        assert_eq!(fold("  Béziers "), "beziers");
        assert_eq!(fold("st"), "st");
    }
}

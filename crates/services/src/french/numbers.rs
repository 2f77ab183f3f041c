//! Numbers as French writes them: thousands grouped with a narrow no-break space (U+202F) so a
//! number never wraps, a decimal comma, the minus sign U+2212, U+202F before "%".

/// An integer as French writes it: "1 234 567", thousands separated by a narrow no-break space
/// (U+202F) so a number never wraps.
pub fn number_fr(n: u64) -> String {
    group(&n.to_string())
}

/// A change in percent as French writes it: "+35 %", "−12 %" (minus sign U+2212), "+3,5 %",
/// "0 %", with U+202F before "%". Empty for NaN or infinity (no meaningful change).
pub fn change_fr(percent: f64) -> String {
    if !percent.is_finite() {
        return String::new();
    }
    let r = (percent * 10.0).round() / 10.0;
    let sign = if r > 0.0 { "+" } else { "" };
    format!("{sign}{}\u{202F}%", value_fr(r))
}

/// A share in percent: whole above 1 % ("62 %"), one decimal below ("0,4 %"), and "< 0,1 %"
/// rather than a misleading "0 %" for a tiny non-zero share.
pub fn share_fr(p: f64) -> String {
    if p > 0.0 && p < 0.05 {
        "<\u{202F}0,1\u{202F}%".to_owned()
    } else if p < 1.0 {
        format!("{}\u{202F}%", decimal_fr(p, 1))
    } else {
        format!("{}\u{202F}%", decimal_fr(p, 0))
    }
}

/// A measured value: whole if it is, else one decimal ("12,5").
pub fn value_fr(v: f64) -> String {
    let decimals = if ((v * 10.0).round() / 10.0).fract() == 0.0 {
        0
    } else {
        1
    };
    decimal_fr(v, decimals)
}

/// `v` with `decimals` decimals, French style: grouped thousands, decimal comma, minus sign
/// U+2212, and no "−0".
pub fn decimal_fr(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return String::new();
    }
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let mut out = String::new();
    if v < 0.0 && s.bytes().any(|c| (b'1'..=b'9').contains(&c)) {
        out.push('\u{2212}');
    }
    out.push_str(&group(int));
    if !frac.is_empty() {
        out.push(',');
        out.push_str(frac);
    }
    out
}

/// Groups a string of digits by three with U+202F.
pub fn group(digits: &str) -> String {
    let len = digits.chars().count();
    let mut out = String::with_capacity(digits.len() + len / 3 * 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (len - i).is_multiple_of(3) {
            out.push('\u{202F}');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_in_french() {
        assert_eq!(number_fr(0), "0");
        assert_eq!(number_fr(1234), "1\u{202F}234");
        assert_eq!(number_fr(1_234_567), "1\u{202F}234\u{202F}567");
        assert_eq!(decimal_fr(-1234.5, 1), "\u{2212}1\u{202F}234,5");
        assert_eq!(decimal_fr(-0.01, 1), "0,0");
        assert_eq!(value_fr(12.0), "12");
        assert_eq!(value_fr(12.34), "12,3");
        assert_eq!(change_fr(35.0), "+35\u{202F}%");
        assert_eq!(change_fr(-12.0), "\u{2212}12\u{202F}%");
        assert_eq!(change_fr(f64::NAN), "");
        assert_eq!(share_fr(62.0), "62\u{202F}%");
        assert_eq!(share_fr(0.01), "<\u{202F}0,1\u{202F}%");
    }
}

//! SIRET numbers: 14 digits (SIREN + NIC) passing the Luhn check, except La Poste's
//! establishments (SIREN 356000000), whose SIRETs follow a digit-sum rule instead.

const LA_POSTE_SIREN: &str = "356000000";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SiretError {
    #[error("le SIRET doit comporter exactement 14 chiffres")]
    Format,
    #[error("le SIRET n'est pas valide (clé de contrôle incorrecte)")]
    Checksum,
}

/// Accepts spaces between digit groups ("123 456 789 00012") and returns the 14 digits.
pub fn parse_siret(input: &str) -> Result<String, SiretError> {
    let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != 14 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SiretError::Format);
    }
    let valid = if digits.starts_with(LA_POSTE_SIREN) {
        // La Poste has more establishments than the Luhn key allows: the rule is that the sum
        // of the digits is a multiple of 5 (the head office 35600000000048 passes Luhn too).
        digit_sum(&digits).is_multiple_of(5) || luhn_valid(&digits)
    } else {
        luhn_valid(&digits)
    };
    if valid {
        Ok(digits)
    } else {
        Err(SiretError::Checksum)
    }
}

fn digit_sum(digits: &str) -> u32 {
    digits.bytes().map(|b| u32::from(b - b'0')).sum()
}

/// Luhn check over ASCII digits.
pub fn luhn_valid(digits: &str) -> bool {
    luhn_sum(digits).is_multiple_of(10)
}

fn luhn_sum(digits: &str) -> u32 {
    digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum()
}

/// The digit to append to `digits` so that the whole passes Luhn (used to generate demo data).
pub fn luhn_check_digit(digits: &str) -> char {
    let with_zero = format!("{digits}0");
    let rest = luhn_sum(&with_zero) % 10;
    char::from(b'0' + ((10 - rest) % 10) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_sirets() {
        // Known public SIRETs (head offices).
        assert_eq!(
            parse_siret("73282932000074").as_deref(),
            Ok("73282932000074")
        );
        assert_eq!(
            parse_siret("552 100 554 00021").as_deref(),
            Ok("55210055400021")
        );
    }

    #[test]
    fn rejects_bad_key_and_format() {
        assert_eq!(parse_siret("73282932000075"), Err(SiretError::Checksum));
        assert_eq!(parse_siret("7328293200007"), Err(SiretError::Format));
        assert_eq!(parse_siret("7328293200007A"), Err(SiretError::Format));
        assert_eq!(parse_siret(""), Err(SiretError::Format));
    }

    #[test]
    fn la_poste_establishments_use_the_digit_sum_rule() {
        // 35600000049837: a La Poste office; fails Luhn, digit sum 45.
        assert!(!luhn_valid("35600000049837"));
        assert_eq!(
            parse_siret("35600000049837").as_deref(),
            Ok("35600000049837")
        );
        assert_eq!(parse_siret("35600000049838"), Err(SiretError::Checksum));
    }

    #[test]
    fn check_digit_completes_a_valid_number() {
        let siren = format!("12345678{}", luhn_check_digit("12345678"));
        assert!(luhn_valid(&siren));
        let head = format!("{siren}0001");
        let siret = format!("{head}{}", luhn_check_digit(&head));
        assert_eq!(parse_siret(&siret), Ok(siret.clone()));
    }
}

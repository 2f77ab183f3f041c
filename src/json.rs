//! JSON input helpers shared by the inputs of the API: JSON has one number type, so a whole
//! number may arrive as `5` or `5.0`; both are read as the integer they are (`5.5` is not).

use serde::{Deserialize, Deserializer, de::Error};

/// A whole number, from `5` or `5.0`.
pub fn whole<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64>,
{
    let number = serde_json::Number::deserialize(deserializer)?;
    to_whole(&number)
        .ok_or_else(|| D::Error::custom(format!("{number} is not a whole number in range")))
}

/// An optional whole number, from `5`, `5.0` or `null`.
pub fn whole_opt<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64>,
{
    match Option::<serde_json::Number>::deserialize(deserializer)? {
        None => Ok(None),
        Some(number) => to_whole(&number)
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("{number} is not a whole number in range"))),
    }
}

fn to_whole<T: TryFrom<i64>>(number: &serde_json::Number) -> Option<T> {
    let n = match number.as_i64() {
        Some(n) => n,
        None => {
            let f = number.as_f64()?;
            // Whole, and within i64 (as an f64 compares).
            if f.fract() != 0.0 || !(-9.2e18..=9.2e18).contains(&f) {
                return None;
            }
            f as i64
        }
    };
    T::try_from(n).ok()
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Input {
        #[serde(deserialize_with = "super::whole")]
        n: i32,
        #[serde(default, deserialize_with = "super::whole_opt")]
        m: Option<i32>,
    }

    fn read(json: &str) -> Option<(i32, Option<i32>)> {
        serde_json::from_str::<Input>(json).ok().map(|i| (i.n, i.m))
    }

    #[test]
    fn whole_numbers_are_read_from_integers_and_integral_floats_only() {
        assert_eq!(read(r#"{"n": 5}"#), Some((5, None)));
        assert_eq!(read(r#"{"n": 5.0, "m": 2.0}"#), Some((5, Some(2))));
        assert_eq!(read(r#"{"n": 5, "m": null}"#), Some((5, None)));
        assert_eq!(read(r#"{"n": 5.5}"#), None);
        assert_eq!(read(r#"{"n": 3000000000}"#), None, "out of i32");
        assert_eq!(read(r#"{"n": 1e300}"#), None);
        assert_eq!(read(r#"{"n": "5"}"#), None);
    }
}

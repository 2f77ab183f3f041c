//! JSON input helpers shared by the inputs of the API: JSON has one number type, so a whole
//! number may arrive as `5` or `5.0`; both are read as the integer they are (`5.5` is not).
//! And serde reads a struct from an array too (its fields in order): [`Object`] takes only the
//! object the API document describes.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{MapAccess, Visitor, value::MapAccessDeserializer};
use serde::{Deserialize, Deserializer, de::Error};

/// What serde says it expected when a body is not an object (`api::unreadable` words it).
pub const EXPECTED_OBJECT: &str = "a JSON object";

/// A `T` read from a JSON object only, in one pass.
#[derive(Debug)]
pub struct Object<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Fields<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for Fields<T> {
            type Value = T;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(EXPECTED_OBJECT)
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map))
            }
        }

        deserializer
            .deserialize_map(Fields(PhantomData))
            .map(Object)
    }
}

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

    #[derive(Debug, Default, Deserialize)]
    #[serde(default, deny_unknown_fields)]
    struct Optional {
        a: Option<String>,
        b: Option<String>,
    }

    #[test]
    fn an_object_is_read_and_anything_else_refused() {
        let read = |json: &str| serde_json::from_str::<super::Object<Optional>>(json);
        let object = read(r#"{"b": "y"}"#).expect("an object").0;
        assert_eq!((object.a, object.b.as_deref()), (None, Some("y")));
        assert!(read("{}").is_ok());
        // Serde alone reads this struct from an array, its fields in order.
        assert!(serde_json::from_str::<Optional>(r#"["x", "y"]"#).is_ok());
        for other in [r#"["x", "y"]"#, "[]", r#""x""#, "1", "null"] {
            let error = read(other).expect_err(other).to_string();
            assert!(error.contains(super::EXPECTED_OBJECT), "{other}: {error}");
        }
        let unknown = read(r#"{"c": 1}"#).expect_err("unknown field").to_string();
        assert!(unknown.contains("unknown field `c`"), "{unknown}");
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

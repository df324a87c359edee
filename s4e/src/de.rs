//! Field decoders shared by every response model.
//!
//! The models follow two rules, and these helpers are how they keep them:
//!
//! * **`null` means absent.** A field the API may leave out decodes the same
//!   from `null`: an `Option` becomes `None` (serde does that by itself), and
//!   a collection, map, flag or text with a default becomes that default
//!   through [`null_as_default`]. So `"headers": null` is an empty map and
//!   `"tags": null` an empty list, whatever the field.
//! * **A count is a count.** Numbers that count things (findings, steps,
//!   minutes, pages) decode through [`opt_u32`] and friends: any whole,
//!   non-negative JSON number is accepted, and one beyond the Rust type's range
//!   saturates at its maximum instead of failing the whole answer (serde_json
//!   reads an integer past `u64` as a float, which a plain `u32` refuses).

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// `null` or absent (with `#[serde(default)]`) decode as `T::default()`.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Option::<T>::deserialize(deserializer).map(Option::unwrap_or_default)
}

/// A flag whose default is `true` (a webhook's `active`): `null` is `true`.
pub(crate) fn null_as_true<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    Option::<bool>::deserialize(deserializer).map(|flag| flag.unwrap_or(true))
}

/// A field that is there is `Some`, even when it is `null` (then `T` decides
/// what `null` means; with `#[serde(default)]` only an absent field is
/// `None`). An action parameter whose default is `null` has a default,
/// unlike one that sends no `default`; an envelope's `"data": null` is not a
/// bare object.
pub(crate) fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

/// A whole, non-negative number, saturated at `u64::MAX`.
struct Count;

impl Visitor<'_> for Count {
    type Value = u64;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a whole non-negative number")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
        u64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
        // An integer too large for u64 arrives here as a float; so does `3.0`.
        if v.is_finite() && v >= 0.0 && v.fract() == 0.0 {
            // `as` saturates at u64::MAX for floats beyond its range.
            Ok(v as u64)
        } else {
            Err(E::invalid_value(de::Unexpected::Float(v), &self))
        }
    }
}

struct OptCount;

impl<'de> Visitor<'de> for OptCount {
    type Value = Option<u64>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a whole non-negative number or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(Count).map(Some)
    }
}

/// `Option<u64>` from a count, `null` or absent (with `#[serde(default)]`).
pub(crate) fn opt_u64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    deserializer.deserialize_option(OptCount)
}

/// `Option<u32>` from a count (saturated at `u32::MAX`), `null` or absent.
pub(crate) fn opt_u32<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    opt_u64(deserializer).map(|count| count.map(saturate_u32))
}

/// `u32` from a count (saturated), with `null` or absent as 0.
pub(crate) fn u32_or_zero<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    opt_u32(deserializer).map(Option::unwrap_or_default)
}

pub(crate) fn saturate_u32(count: u64) -> u32 {
    u32::try_from(count).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq, Default)]
    struct Model {
        #[serde(default, deserialize_with = "super::null_as_default")]
        tags: Vec<String>,
        #[serde(default, deserialize_with = "super::null_as_default")]
        headers: BTreeMap<String, String>,
        #[serde(default, deserialize_with = "super::opt_u32")]
        count: Option<u32>,
        #[serde(default, deserialize_with = "super::opt_u64")]
        total: Option<u64>,
        #[serde(default, deserialize_with = "super::u32_or_zero")]
        low: u32,
    }

    #[test]
    fn null_and_absent_are_empty() {
        let absent: Model = serde_json::from_str("{}").unwrap();
        let null: Model = serde_json::from_str(
            r#"{"tags":null,"headers":null,"count":null,"total":null,"low":null}"#,
        )
        .unwrap();
        assert_eq!(absent, Model::default());
        assert_eq!(null, Model::default());
    }

    #[test]
    fn counts_saturate_and_refuse_what_is_not_a_count() {
        let m: Model = serde_json::from_str(
            r#"{"count":5000000000,"total":123456789012345678901234567890,"low":7.0}"#,
        )
        .unwrap();
        assert_eq!(
            (m.count, m.total, m.low),
            (Some(u32::MAX), Some(u64::MAX), 7)
        );
        for bad in [r#"{"count":-1}"#, r#"{"count":1.5}"#, r#"{"count":"3"}"#] {
            let err = serde_json::from_str::<Model>(bad).unwrap_err();
            assert!(
                err.to_string().contains("whole non-negative"),
                "{bad}: {err}"
            );
        }
    }
}

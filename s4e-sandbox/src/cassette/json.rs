//! JSON that keeps its object keys in the order they arrived.
//!
//! The cassette stores an answer's JSON body as a tree (so it diffs well in
//! review) and replays it by writing that tree back compactly. With
//! `serde_json::Value` (keys sorted, as this workspace builds serde_json) a
//! replayed body would differ from the recorded bytes whenever the server
//! did not sort its keys; this tree keeps them as they came.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Number, Value};

/// A JSON value whose objects keep their key order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum OrderedJson {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<OrderedJson>),
    Object(Vec<(String, OrderedJson)>),
}

impl OrderedJson {
    /// Parses `bytes`, or `None` when they are not one JSON value.
    pub(crate) fn parse(bytes: &[u8]) -> Option<OrderedJson> {
        serde_json::from_slice(bytes).ok()
    }

    /// The compact text, as `serde_json::to_vec` writes it.
    pub(crate) fn to_compact(&self) -> Vec<u8> {
        // Serializing a tree of strings and numbers into a Vec cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// The same value with sorted keys, for comparing as JSON.
    pub(crate) fn to_value(&self) -> Value {
        match self {
            OrderedJson::Null => Value::Null,
            OrderedJson::Bool(b) => Value::Bool(*b),
            OrderedJson::Number(n) => Value::Number(n.clone()),
            OrderedJson::String(s) => Value::String(s.clone()),
            OrderedJson::Array(items) => Value::Array(items.iter().map(Self::to_value).collect()),
            OrderedJson::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_value()))
                    .collect(),
            ),
        }
    }

    /// Calls `f` on every object member, depth first, so it can rewrite values.
    pub(crate) fn visit_members_mut(&mut self, f: &mut impl FnMut(&str, &mut OrderedJson)) {
        match self {
            OrderedJson::Array(items) => {
                for item in items {
                    item.visit_members_mut(f);
                }
            }
            OrderedJson::Object(fields) => {
                for (key, value) in fields {
                    f(key, value);
                    value.visit_members_mut(f);
                }
            }
            _ => {}
        }
    }
}

impl Serialize for OrderedJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            OrderedJson::Null => serializer.serialize_unit(),
            OrderedJson::Bool(b) => serializer.serialize_bool(*b),
            OrderedJson::Number(n) => n.serialize(serializer),
            OrderedJson::String(s) => serializer.serialize_str(s),
            OrderedJson::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            OrderedJson::Object(fields) => {
                let mut map = serializer.serialize_map(Some(fields.len()))?;
                for (key, value) in fields {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for OrderedJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(OrderedVisitor)
    }
}

struct OrderedVisitor;

impl<'de> Visitor<'de> for OrderedVisitor {
    type Value = OrderedJson;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<OrderedJson, E> {
        Ok(OrderedJson::Null)
    }

    fn visit_none<E>(self) -> Result<OrderedJson, E> {
        Ok(OrderedJson::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<OrderedJson, D::Error> {
        OrderedJson::deserialize(d)
    }

    fn visit_bool<E>(self, b: bool) -> Result<OrderedJson, E> {
        Ok(OrderedJson::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<OrderedJson, E> {
        Ok(OrderedJson::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<OrderedJson, E> {
        Ok(OrderedJson::Number(n.into()))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<OrderedJson, E> {
        Number::from_f64(n)
            .map(OrderedJson::Number)
            .ok_or_else(|| E::custom("a number JSON cannot hold"))
    }

    fn visit_str<E>(self, s: &str) -> Result<OrderedJson, E> {
        Ok(OrderedJson::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<OrderedJson, E> {
        Ok(OrderedJson::String(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OrderedJson, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(OrderedJson::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedJson, A::Error> {
        let mut fields = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, OrderedJson>()? {
            fields.push((key, value));
        }
        Ok(OrderedJson::Object(fields))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_key_order_and_round_trips_compact_text() {
        let text = br#"{"z":1,"a":[true,null,{"m":"x","b":2.5}],"k":-3}"#;
        let json = OrderedJson::parse(text).unwrap();
        assert_eq!(json.to_compact(), text.to_vec());
        assert_eq!(
            json.to_value(),
            serde_json::json!({"a":[true,null,{"b":2.5,"m":"x"}],"k":-3,"z":1})
        );
    }

    #[test]
    fn spaced_text_does_not_round_trip_so_the_caller_can_tell() {
        let text = br#"{ "a": 1 }"#;
        assert_ne!(
            OrderedJson::parse(text).unwrap().to_compact(),
            text.to_vec()
        );
        assert!(OrderedJson::parse(b"not json").is_none());
    }
}

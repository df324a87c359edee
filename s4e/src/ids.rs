//! Identifier newtypes: opaque strings that some deployments send as numbers.

/// Declares an opaque ID newtype.
macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        ///
        /// Opaque: compare and print it, never parse it. Built from `&str` or
        /// `String`; decodes from a JSON string or number.
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an ID.
            ///
            /// ```
            #[doc = concat!("let id = s4e::", stringify!($name), "::new(\"id-1001\");")]
            /// assert_eq!(id, "id-1001");
            /// ```
            pub fn new(id: impl Into<String>) -> Self {
                $name(id.into())
            }

            /// The ID as text.
            ///
            /// ```
            #[doc = concat!("let id = s4e::", stringify!($name), "::from(\"id-1001\");")]
            /// let text: &str = id.as_str();
            /// assert_eq!(text, "id-1001");
            /// ```
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The ID as an owned string.
            ///
            /// ```
            #[doc = concat!("let id = s4e::", stringify!($name), "::from(\"id-1001\");")]
            /// let text: String = id.into_string();
            /// assert_eq!(text, "id-1001");
            /// ```
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                $name(id.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                $name(id)
            }
        }

        impl From<&String> for $name {
            fn from(id: &String) -> Self {
                $name(id.clone())
            }
        }

        impl From<&$name> for $name {
            fn from(id: &$name) -> Self {
                id.clone()
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::ids::string_or_number(deserializer).map($name)
            }
        }
    };
}

/// Accepts `"a-1001"` or `1001` (kept as `"1001"`).
pub(crate) fn string_or_number<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<String, D::Error> {
    struct Visitor;

    impl serde::de::Visitor<'_> for Visitor {
        type Value = String;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an ID as a string or a number")
        }

        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }

        fn visit_string<E: serde::de::Error>(self, v: String) -> Result<String, E> {
            Ok(v)
        }

        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }

        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }

        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<String, E> {
            if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.007_199_254_740_992e15 {
                Ok(format!("{v:.0}"))
            } else {
                Err(E::invalid_value(serde::de::Unexpected::Float(v), &self))
            }
        }
    }

    deserializer.deserialize_any(Visitor)
}

id_type!(
    /// The ID of a finding (`f-91827`).
    FindingId
);
id_type!(
    /// The ID of an asset (`a-1001`).
    AssetId
);
id_type!(
    /// The ID of a scan (`sc-44021`).
    ScanId
);
id_type!(
    /// The ID of an action (`act-block-ip`).
    ActionId
);
id_type!(
    /// The ID of one execution of an action (`exec-…`).
    ExecutionId
);
id_type!(
    /// The ID of a playbook (`pb-tls-expiry`).
    PlaybookId
);
id_type!(
    /// The ID of one run of a playbook.
    RunId
);
id_type!(
    /// The ID of a webhook subscription (`wh-001`).
    WebhookId
);
id_type!(
    /// The ID of a webhook event delivery (`evt-…`).
    EventId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_decode_from_strings_and_numbers() {
        let id: AssetId = serde_json::from_str("\"a-1\"").unwrap();
        assert_eq!(id, "a-1");
        let id: AssetId = serde_json::from_str("1001").unwrap();
        assert_eq!(id.as_str(), "1001");
        assert!(serde_json::from_str::<AssetId>("1.5").is_err());
        assert!(serde_json::from_str::<AssetId>("null").is_err());
        assert_eq!(
            serde_json::to_string(&ScanId::from("sc-1")).unwrap(),
            "\"sc-1\""
        );
    }
}

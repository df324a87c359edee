//! String enums that keep values this SDK does not know yet.

/// Declares a `#[non_exhaustive]` string enum with an `Other(String)` variant
/// that keeps unknown server values, so they decode and round-trip unchanged.
/// Extra spellings after `|` decode to the same variant.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the SDK does not know, kept as sent.
            Other(String),
        }

        impl $name {
            /// Every value this version of the SDK knows, as the API spells
            /// them (for a command line's choices, a form's options).
            /// The example of [`as_str`](Self::as_str) shows them.
            pub const VALUES: &'static [&'static str] = &[$($wire),+];

            /// The value as the API spells it.
            ///
            /// ```
            /// # use s4e::{*, actions::*, assets::*, findings::*, playbooks::*, scans::*, webhooks::*};
            #[doc = concat!("for text in [", stringify!($($wire),+), "] {")]
            #[doc = concat!("    assert_eq!(", stringify!($name), "::from(text).as_str(), text);")]
            /// }
            #[doc = concat!("assert_eq!(", stringify!($name), "::VALUES, [", stringify!($($wire),+), "]);")]
            #[doc = concat!("let unknown = ", stringify!($name), "::from(\"not-yet-known\");")]
            /// assert_eq!(unknown.as_str(), "not-yet-known");
            /// ```
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Other(other) => other,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Ok(match text {
                    $( $wire $(| $alias)* => $name::$variant, )+
                    other => $name::Other(other.to_owned()),
                })
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                match text.parse() {
                    Ok(value) => value,
                    Err(never) => match never {},
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                // A visitor rather than `String`: known values decode without
                // allocating.
                struct Visitor;

                impl serde::de::Visitor<'_> for Visitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " string"))
                    }

                    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<$name, E> {
                        Ok($name::from(text))
                    }
                }

                deserializer.deserialize_str(Visitor)
            }
        }
    };
}

pub(crate) use string_enum;

#[cfg(test)]
#[allow(unreachable_pub)]
mod tests {
    string_enum!(
        /// A test enum.
        Color {
            /// Red.
            Red = "red" | "rouge",
            /// Blue.
            Blue = "blue",
        }
    );

    #[test]
    fn known_aliases_and_unknown_values() {
        let c: Vec<Color> = serde_json::from_str(r#"["red","rouge","blue","teal"]"#).unwrap();
        assert_eq!(
            c,
            [
                Color::Red,
                Color::Red,
                Color::Blue,
                Color::Other("teal".into())
            ]
        );
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"["red","red","blue","teal"]"#
        );
        assert_eq!(format!("{:<5}|", Color::Blue), "blue |");
        assert!(serde_json::from_str::<Color>("3").is_err());
        // Aliases decode, but the values listed are the API's spellings.
        assert_eq!(Color::VALUES, ["red", "blue"]);
    }
}

string_enum!(
    /// Sort direction of a list.
    SortOrder {
        /// Smallest first.
        Asc = "asc",
        /// Largest first (the API's default).
        Desc = "desc",
    }
);

//! Enum-valued flags checked by clap from the SDK's own enums: a value the
//! SDK does not know is a usage error (exit 2) listing the possible values,
//! before any request, and completions offer them.
//!
//! The SDK's enums keep unknown server values (`Other`), so their `FromStr`
//! accepts anything; the choices come from their `VALUES` instead.

use clap::builder::{PossibleValuesParser, TypedValueParser};

/// An SDK enum a flag can take.
pub(crate) trait Choice: for<'a> From<&'a str> + Clone + Send + Sync + 'static {
    /// Every value the SDK knows, as the API spells them.
    const VALUES: &'static [&'static str];
}

macro_rules! choices {
    ($($ty:ty),+ $(,)?) => {
        $(impl Choice for $ty {
            const VALUES: &'static [&'static str] = <$ty>::VALUES;
        })+
    };
}

choices!(
    s4e::actions::ActionType,
    s4e::assets::AssetStatus,
    s4e::assets::AssetType,
    s4e::findings::FindingSortBy,
    s4e::findings::FindingStatus,
    s4e::findings::Severity,
    s4e::scans::ScanStatus,
    s4e::scans::ScanType,
    s4e::SortOrder,
    s4e::webhooks::EventType,
);

/// The value parser of a flag taking one of `T`'s values.
pub(crate) fn one_of<T: Choice>() -> impl TypedValueParser<Value = T> {
    PossibleValuesParser::new(T::VALUES.iter().copied()).map(|text| T::from(text.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Arg, Command};

    #[test]
    fn an_unknown_value_is_refused_with_the_possible_values() {
        let command = Command::new("t").arg(
            Arg::new("severity")
                .long("severity")
                .value_delimiter(',')
                .value_parser(one_of::<s4e::Severity>()),
        );
        let matches = command
            .clone()
            .try_get_matches_from(["t", "--severity", "critical,high"])
            .unwrap();
        let given: Vec<&s4e::Severity> = matches.get_many("severity").unwrap().collect();
        assert_eq!(given, [&s4e::Severity::Critical, &s4e::Severity::High]);
        let refused = command
            .try_get_matches_from(["t", "--severity", "urgent"])
            .unwrap_err();
        assert_eq!(refused.kind(), clap::error::ErrorKind::InvalidValue);
        let text = refused.to_string();
        assert!(
            text.contains("[possible values: critical, high, medium, low, info]"),
            "{text}"
        );
    }
}

//! The contract's enums (API.md §4), each with its wire spelling.

/// An enum with a fixed set of wire names.
pub(crate) trait Wire: Sized + Copy + 'static {
    /// Every value, in the contract's order.
    const ALL: &'static [Self];
    fn as_str(self) -> &'static str;
    fn parse(s: &str) -> Option<Self>;

    /// `a, b, c`: for error messages.
    fn expected() -> String {
        Self::ALL
            .iter()
            .map(|v| v.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

macro_rules! wire_enum {
    ($name:ident { $($var:ident = $s:literal $(| $alias:literal)*),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub(crate) enum $name { $($var),+ }

        impl Wire for $name {
            const ALL: &'static [Self] = &[$($name::$var),+];
            fn as_str(self) -> &'static str {
                match self { $($name::$var => $s),+ }
            }
            fn parse(s: &str) -> Option<Self> {
                match s { $($s $(| $alias)* => Some($name::$var),)+ _ => None }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

wire_enum!(AssetType { Domain = "domain", Ip = "ip", Url = "url", Network = "network" });
wire_enum!(AssetStatus {
    Active = "active",
    Inactive = "inactive",
    PendingVerification = "pending_verification",
});
wire_enum!(AssetSort { Name = "name", Type = "type", CreatedAt = "created_at", RiskScore = "risk_score" });
wire_enum!(ScanType {
    Full = "full",
    Quick = "quick",
    Custom = "custom",
    WebApp = "web_app",
    Network = "network",
    Api = "api",
    ApiDiscovery = "api_discovery",
    Ssl = "ssl",
    Dns = "dns",
    Port = "port",
});
wire_enum!(ScanStatus {
    Queued = "queued",
    Running = "running",
    Completed = "completed",
    Failed = "failed",
    Cancelled = "cancelled",
});
wire_enum!(Priority { Low = "low", Normal = "normal", High = "high" });
wire_enum!(Depth { Shallow = "shallow", Normal = "normal", Deep = "deep" });
// Declared from most to least severe: `Ord` ranks them.
wire_enum!(Severity { Critical = "critical", High = "high", Medium = "medium", Low = "low", Info = "info" });
wire_enum!(FindingStatus {
    Open = "open",
    Confirmed = "confirmed",
    Resolved = "resolved",
    FalsePositive = "false_positive",
    AcceptedRisk = "accepted_risk" | "accepted",
});
wire_enum!(FindingSort { Severity = "severity", Cvss = "cvss", DiscoveredAt = "discovered_at", Title = "title" });
wire_enum!(ExportFormat { Csv = "csv", Json = "json" });
wire_enum!(ActionType {
    Notification = "notification",
    Remediation = "remediation",
    Webhook = "webhook",
    Script = "script",
    Approval = "approval",
});
wire_enum!(Executor { Local = "local", Remote = "remote", Opservant = "opservant", Webhook = "webhook" });
wire_enum!(ParamType {
    String = "string",
    Integer = "integer",
    Boolean = "boolean",
    Enum = "enum",
    Secret = "secret",
});
wire_enum!(ExecStatus { Queued = "queued", Running = "running", Completed = "completed", Failed = "failed" });
wire_enum!(RunStatus { Pending = "pending", Running = "running", Completed = "completed", Failed = "failed" });
wire_enum!(StepStatus {
    Pending = "pending",
    Running = "running",
    Completed = "completed",
    Failed = "failed",
    Waiting = "waiting",
    Skipped = "skipped",
});
wire_enum!(OnFailure { Abort = "abort", Continue = "continue" });
wire_enum!(SortOrder { Asc = "asc", Desc = "desc" });

impl Severity {
    /// The CVSS band of this severity.
    pub(crate) fn cvss_band(self) -> (f64, f64) {
        match self {
            Severity::Critical => (9.0, 10.0),
            Severity::High => (7.0, 8.9),
            Severity::Medium => (4.0, 6.9),
            Severity::Low => (0.1, 3.9),
            Severity::Info => (0.0, 0.0),
        }
    }
}

impl FindingStatus {
    /// Still needs attention: counted in an asset's summary and risk score.
    pub(crate) fn is_live(self) -> bool {
        matches!(self, FindingStatus::Open | FindingStatus::Confirmed)
    }
}

impl ScanStatus {
    pub(crate) fn is_final(self) -> bool {
        matches!(
            self,
            ScanStatus::Completed | ScanStatus::Failed | ScanStatus::Cancelled
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_aliases() {
        for v in ScanType::ALL {
            assert_eq!(ScanType::parse(v.as_str()), Some(*v));
        }
        assert_eq!(
            FindingStatus::parse("accepted"),
            Some(FindingStatus::AcceptedRisk)
        );
        assert_eq!(FindingStatus::AcceptedRisk.as_str(), "accepted_risk");
        assert_eq!(Severity::parse("fatal"), None);
        assert!(Severity::Critical < Severity::Info);
        assert_eq!(Priority::expected(), "low, normal, high");
    }
}

//! Where the key may go: the base URL's origin, and which hosts plain
//! `http` may reach.

use reqwest::Url;

/// Scheme, host and port: where the key may go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Origin {
    scheme: String,
    pub(crate) host: Option<String>,
    pub(crate) port: Option<u16>,
}

impl Origin {
    pub(crate) fn of(url: &Url) -> Origin {
        Origin {
            scheme: url.scheme().to_owned(),
            host: url.host_str().map(str::to_owned),
            port: url.port_or_known_default(),
        }
    }

    pub(crate) fn contains(&self, url: &Url) -> bool {
        self.scheme == url.scheme()
            && self.host.as_deref() == url.host_str()
            && self.port == url.port_or_known_default()
    }
}

/// `localhost`, `127.0.0.0/8` or `::1`: traffic that never leaves the machine.
pub(crate) fn is_loopback(url: &reqwest::Url) -> bool {
    url.host_str().is_some_and(|host| {
        host.eq_ignore_ascii_case("localhost")
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    })
}

#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod admin;
mod api;
pub mod cassette;
mod catalog;
#[cfg(feature = "cli")]
#[cfg_attr(docsrs, doc(cfg(feature = "cli")))]
pub mod cli;
mod clock;
mod controls;
mod delivery;
mod enums;
mod pipeline;
mod resources;
mod rng;
mod sandbox;
mod seed;
mod server;
mod state;

pub use controls::{
    Controls, DeliveryRecord, Fault, FaultKind, KeyKind, LimitedEndpoint, RequestRecord,
};
pub use sandbox::{
    DEFAULT_API_KEY, DEFAULT_READ_ONLY_KEY, DEFAULT_SCAN_SPEED, DEFAULT_SEED, Error, Sandbox,
    SandboxBuilder,
};

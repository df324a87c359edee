//! Every listed model's identity for auto-pagination: its ID. One place, so
//! that a model whose ID field changes name shows up here.

use std::hash::Hash;

use crate::Identified;
use crate::actions::{Action, ActionExecution};
use crate::assets::Asset;
use crate::findings::Finding;
use crate::playbooks::{Playbook, PlaybookRun};
use crate::scans::Scan;
use crate::webhooks::{Event, Webhook};

/// Implements [`Identified`] as a borrow of one ID field.
macro_rules! identified_by {
    ($($model:ty => $field:ident),* $(,)?) => {$(
        impl Identified for $model {
            #[doc = concat!("The `", stringify!($field), "`.")]
            fn identity(&self) -> impl Hash {
                &self.$field
            }
        }
    )*};
}

identified_by!(
    Finding => id,
    Asset => id,
    Scan => id,
    Action => id,
    ActionExecution => id,
    Playbook => id,
    PlaybookRun => id,
    Webhook => id,
    Event => id,
);

//! Webhook signature verification on arbitrary headers and bodies.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&str, &[u8])| {
    let (header, body) = input;
    let _ = s4e::webhooks::verify(body, header, "whsec_fuzz");
});

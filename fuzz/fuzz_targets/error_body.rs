//! The error-body parser on arbitrary bytes and statuses.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u16, &[u8])| {
    let (status, body) = input;
    let error = s4e::__private::parse_error_body(status, body);
    assert_eq!(error.status(), status);
});

//! Every model decoder on arbitrary bytes: a value or a typed error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use s4e::__private::{RawResponse, decode_json};

fn raw(body: &[u8]) -> RawResponse<'_> {
    RawResponse {
        status: 200,
        body,
        request_id: None,
        page: None,
    }
}

fuzz_target!(|body: &[u8]| {
    let _ = decode_json::<s4e::Finding>(raw(body));
    let _ = decode_json::<s4e::Asset>(raw(body));
    let _ = decode_json::<s4e::Scan>(raw(body));
    let _ = decode_json::<s4e::Action>(raw(body));
    let _ = decode_json::<s4e::ActionExecution>(raw(body));
    let _ = decode_json::<s4e::Playbook>(raw(body));
    let _ = decode_json::<s4e::PlaybookRun>(raw(body));
    let _ = decode_json::<s4e::Webhook>(raw(body));
    let _ = decode_json::<s4e::Event>(raw(body));
});

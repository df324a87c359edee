//! The tolerant page decoder on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use s4e::__private::{RawResponse, decode_page};

fuzz_target!(|body: &[u8]| {
    let raw = RawResponse {
        status: 200,
        body,
        request_id: None,
        page: Some(s4e::PageRequest::new(3, Some(20))),
    };
    if let Ok(page) = decode_page::<s4e::Finding>(raw) {
        // The derived paging facts must be usable whatever the meta said.
        let _ = page.next_page();
        let _ = page.is_last();
    }
    let _ = decode_page::<serde_json::Value>(raw);
});

//! Feature `sonic-rs`: the structured, batch and Event Grid decoders on arbitrary bodies, their
//! one pass parsed by `sonic-rs` and by `serde_json`, must give the same answer (the same
//! accept or reject, the same events, the same rejection) for every data type the check uses.

#![no_main]

use libfuzzer_sys::fuzz_target;
use webhook_runtime::__private::sonic_agrees;

fuzz_target!(|body: &[u8]| {
    if let Err(difference) = sonic_agrees(body) {
        panic!("{difference}");
    }
});

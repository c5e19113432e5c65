//! cargo-fuzz target `response`: see `skillgate_fuzz::check_response` for the properties
//! checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| skillgate_fuzz::check_response(data));

//! cargo-fuzz target `nlu_match`: see `skillgate_fuzz::check_nlu_match` for the properties
//! checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| skillgate_fuzz::check_nlu_match(data));

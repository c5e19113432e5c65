//! cargo-fuzz target `nlu_model`: see `skillgate_fuzz::check_nlu_model` for the properties
//! checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| skillgate_fuzz::check_nlu_model(data));

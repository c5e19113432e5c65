//! cargo-fuzz target `nlu`: see `skillgate_fuzz::check_nlu` for the properties checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| skillgate_fuzz::check_nlu(data));

//! cargo-fuzz target `verify`: see `skillgate_fuzz::check_verify` for the properties checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| skillgate_fuzz::check_verify(data));

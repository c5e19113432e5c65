//! cargo-fuzz target `envelope`: see `skillgate_fuzz::check_envelope` for the properties checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| skillgate_fuzz::check_envelope(data));

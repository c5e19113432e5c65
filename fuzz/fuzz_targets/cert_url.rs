//! cargo-fuzz target `cert_url`: see `skillgate_fuzz::check_cert_url` for the properties checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| skillgate_fuzz::check_cert_url(data));

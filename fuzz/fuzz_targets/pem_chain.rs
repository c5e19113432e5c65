//! cargo-fuzz target `pem_chain`: see `skillgate_fuzz::check_pem_chain` for the properties checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| skillgate_fuzz::check_pem_chain(data));

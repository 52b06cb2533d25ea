#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| openrouter_signin::fuzzing::callback(data));

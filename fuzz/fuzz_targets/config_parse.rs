//! Configuration parsing: a TOML document → `RawConfig` (serde, unknown keys
//! refused) → `Config` (validation). Whatever the text, the answer is a
//! configuration or an error naming the problem, never a panic.
//!
//! This is the path `crates/gazette/src/config.rs` takes for a file (the
//! binary crate has no library to call; its extra steps are the environment
//! overlay and error formatting).
#![no_main]

use gazette_core::config::RawConfig;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let raw: RawConfig = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            // The binary turns the span into a line number.
            if let Some(span) = e.span() {
                let _ = text[..span.start.min(text.len())].matches('\n').count();
            }
            return;
        }
    };
    match raw.validate() {
        Ok(config) => {
            // A valid configuration validates again to the same thing.
            let again = format!("{config:?}");
            let config2 = raw.validate().expect("validation is deterministic");
            assert_eq!(again, format!("{config2:?}"));
        }
        Err(e) => {
            assert!(!e.to_string().is_empty(), "an error without a message");
        }
    }
});

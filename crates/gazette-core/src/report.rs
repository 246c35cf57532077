//! Showing errors to people.
//!
//! gazette's error types follow one rule: an error's message says what went
//! wrong at its level and does not repeat its cause, which it returns from
//! [`std::error::Error::source`]. [`chain`] prints the whole story, outermost
//! first, as `anyhow`'s `{:#}` does in the binary.
//!
//! ```
//! #[derive(Debug, thiserror::Error)]
//! #[error("cannot read the feed")]
//! struct Outer(#[source] std::io::Error);
//! let e = Outer(std::io::Error::other("disk on fire"));
//! assert_eq!(gazette_core::report::chain(&e), "cannot read the feed: disk on fire");
//! ```

use std::error::Error;

/// The error's message followed by its causes', joined by `": "`.
pub fn chain(error: &(dyn Error + 'static)) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        source = cause.source();
    }
    out
}

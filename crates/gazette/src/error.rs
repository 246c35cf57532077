//! Exit codes: 0 success, 2 bad usage or input, 1 any other failure.
//!
//! Commands return `anyhow::Result`; an error that is the user's to fix (a bad
//! flag value, an unreadable input file, an invalid configuration) is a
//! [`UsageError`] somewhere in the chain and exits with 2. Its message names
//! the file, line or key at fault and what to do.

use std::fmt;

/// An error in what the user gave: exits with code 2.
#[derive(Debug)]
pub struct UsageError(String);

impl UsageError {
    pub fn new(message: impl Into<String>) -> Self {
        UsageError(message.into())
    }
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Shorthand: `return Err(usage!("…"))`.
#[macro_export]
macro_rules! usage {
    ($($arg:tt)*) => {
        anyhow::Error::new($crate::error::UsageError::new(format!($($arg)*)))
    };
}

/// The process exit code for an error.
pub fn exit_code(error: &anyhow::Error) -> i32 {
    if error.chain().any(|e| e.is::<UsageError>()) {
        2
    } else {
        1
    }
}

//! The `stdout` sink: writes each part to standard output (or any writer),
//! followed by a newline when it does not end with one.
//!
//! Useful under a supervisor that collects output, and for `gazette edition send`
//! in a terminal. Writes are small and synchronous.
//!
//! ```
//! use gazette_deliver::sinks::stdout::StdoutSink;
//! let to_terminal = StdoutSink::new();
//! let to_stderr = StdoutSink::with_writer(Box::new(std::io::stderr()));
//! ```

use std::io::{self, Write};
use std::sync::{Mutex, PoisonError};

use async_trait::async_trait;
use gazette_core::Delivery;

use crate::{Receipt, SendError, Sink};

/// The recipient of every `stdout` row.
pub const RECIPIENT: &str = "stdout";

/// Writes parts to a writer, standard output by default.
pub struct StdoutSink {
    out: Mutex<Box<dyn Write + Send>>,
}

impl StdoutSink {
    /// A sink writing to the process's standard output.
    pub fn new() -> StdoutSink {
        StdoutSink::with_writer(Box::new(io::stdout()))
    }

    /// A sink writing to `writer` (tests capture output this way).
    pub fn with_writer(writer: Box<dyn Write + Send>) -> StdoutSink {
        StdoutSink {
            out: Mutex::new(writer),
        }
    }

    fn write(&self, body: &str) -> io::Result<()> {
        let mut out = self.out.lock().unwrap_or_else(PoisonError::into_inner);
        out.write_all(body.as_bytes())?;
        if !body.ends_with('\n') {
            out.write_all(b"\n")?;
        }
        out.flush()
    }
}

impl Default for StdoutSink {
    fn default() -> Self {
        StdoutSink::new()
    }
}

#[async_trait]
impl Sink for StdoutSink {
    /// Writes the part; a write error (a closed pipe, a full disk behind a
    /// redirection) is retried with backoff.
    async fn send(&self, delivery: &Delivery) -> Result<Receipt, SendError> {
        self.write(&delivery.delivery.body)
            .map_err(|e| SendError::backoff(format!("cannot write to standard output: {e}")))?;
        Ok(Receipt::default())
    }
}

#[cfg(test)]
mod tests;

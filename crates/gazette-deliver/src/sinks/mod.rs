//! The sink kinds, one folder each. The kinds are the variants of
//! [`SinkConfig`]; this module is the one place that maps each variant to its
//! implementation and to what queueing needs (format and recipient).
//!
//! | kind | recipient | remote id |
//! |---|---|---|
//! | [`stdout`] | `stdout` | none |
//! | [`file`](mod@file) | the file name stem `<channel>-<slot as YYYY-MM-DDTHHMM>` | the file's path |

pub mod file;
pub mod stdout;

use gazette_core::config::SinkConfig;
use gazette_core::{Format, NewEdition};

use crate::Sink;

/// How queueing addresses a configured sink for one edition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub format: Format,
    /// The same for every part of the edition, so that parts are ordered.
    pub recipient: String,
}

/// The sink a configuration describes.
pub(crate) fn build(config: &SinkConfig) -> Box<dyn Sink> {
    match config {
        SinkConfig::Stdout { .. } => Box::new(stdout::StdoutSink::new()),
        SinkConfig::File { dir, format, .. } => Box::new(file::FileSink::new(dir.clone(), *format)),
    }
}

/// Where and in which format a configured sink takes `edition`.
pub(crate) fn target(config: &SinkConfig, edition: &NewEdition) -> Target {
    match config {
        SinkConfig::Stdout { format, .. } => Target {
            format: *format,
            recipient: stdout::RECIPIENT.to_string(),
        },
        SinkConfig::File { format, .. } => Target {
            format: *format,
            recipient: file::recipient(edition),
        },
    }
}

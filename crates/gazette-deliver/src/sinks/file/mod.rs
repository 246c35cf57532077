//! The `file` sink: writes each part to its own file in a directory.
//!
//! A part goes to `<dir>/<channel>-<slot>-part<N>.<ext>`, where the slot is its
//! local time as `YYYY-MM-DDTHHMM`, `N` counts parts from 1 and the extension
//! follows the format (`txt`, `json`, `html` for HTML and Telegram). The file
//! is written atomically (a temporary file in the same directory, synced, then
//! renamed), so a reader never sees half an edition, and a repeated delivery
//! rewrites the same file. The directory is created when missing.
//!
//! ```
//! use gazette_core::Format;
//! use gazette_deliver::sinks::file::FileSink;
//! let sink = FileSink::new("/var/lib/gazette/editions".into(), Format::Html);
//! ```

use std::io;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use gazette_core::Format;
use gazette_core::{Delivery, NewEdition};
use tokio::io::AsyncWriteExt;

use crate::{Receipt, SendError, Sink};

/// Writes parts as files in a directory.
#[derive(Debug, Clone)]
pub struct FileSink {
    dir: PathBuf,
    extension: &'static str,
}

/// The recipient of an edition's rows: the file name stem
/// `<channel>-<slot as YYYY-MM-DDTHHMM>`, e.g. `briefing-2026-01-15T0730`.
pub fn recipient(edition: &NewEdition) -> String {
    format!(
        "{}-{}",
        edition.channel,
        edition.slot.strftime("%Y-%m-%dT%H%M")
    )
}

impl FileSink {
    /// A sink writing into `dir` files with the extension of `format`.
    pub fn new(dir: PathBuf, format: Format) -> FileSink {
        let extension = match format {
            Format::Text => "txt",
            Format::Json => "json",
            Format::Telegram | Format::Html | Format::Email => "html",
            Format::Atom => "xml",
        };
        FileSink { dir, extension }
    }

    /// The file of a part. The recipient must be a plain file name stem (as
    /// [`recipient`] makes them), so a row can never write outside `dir`.
    fn path_of(&self, delivery: &Delivery) -> Result<PathBuf, SendError> {
        let stem = &delivery.delivery.recipient;
        let plain = !stem.is_empty()
            && stem
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !plain {
            return Err(SendError::never(format!(
                "recipient {stem:?} is not a file name stem (letters, digits, '-', '_')"
            )));
        }
        let number = u64::from(delivery.delivery.part) + 1;
        Ok(self
            .dir
            .join(format!("{stem}-part{number}.{}", self.extension)))
    }
}

#[async_trait]
impl Sink for FileSink {
    /// Writes the part's file; I/O errors (permissions, a full disk) are retried with backoff.
    async fn send(&self, delivery: &Delivery) -> Result<Receipt, SendError> {
        let path = self.path_of(delivery)?;
        write_atomically(&path, delivery.delivery.body.as_bytes())
            .await
            .map_err(|e| SendError::backoff(format!("cannot write {}: {e}", path.display())))?;
        Ok(Receipt {
            remote_id: Some(path.display().to_string()),
        })
    }
}

/// Writes `contents` to `path` through a synced temporary file in the same
/// directory and a rename, creating the directory if needed.
async fn write_atomically(path: &Path, contents: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .expect("a part's path is inside the sink's directory");
    let name = path.file_name().expect("a part's path has a file name");
    tokio::fs::create_dir_all(dir).await?;
    let temporary = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = async {
        let mut file = tokio::fs::File::create(&temporary).await?;
        file.write_all(contents).await?;
        file.sync_all().await?;
        tokio::fs::rename(&temporary, path).await
    }
    .await;
    if written.is_err() {
        // Best effort: the error that matters is the one being returned.
        let _ = tokio::fs::remove_file(&temporary).await;
    }
    written
}

#[cfg(test)]
mod tests;

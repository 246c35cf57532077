//! Progress of long work: a bar on a terminal, plain lines otherwise.
//!
//! On a terminal, an `indicatif` bar on standard error; otherwise (CI, a pipe, a
//! supervisor's log) one line at the start, about every tenth of the way, and at
//! the end, so logs stay readable.

use std::io::IsTerminal;
use std::sync::Mutex;

use gazette_ingest::Progress;
use indicatif::{ProgressBar, ProgressStyle};

/// Reports progress to standard error, choosing the form from the terminal.
pub struct Reporter {
    inner: Mutex<State>,
    quiet: bool,
}

struct State {
    bar: Option<ProgressBar>,
    label: String,
    total: u64,
    done: u64,
    next_line_at: u64,
}

impl Reporter {
    /// `quiet`: report nothing (e.g. `-q`, or output that must stay clean).
    pub fn new(quiet: bool) -> Self {
        Reporter {
            inner: Mutex::new(State {
                bar: None,
                label: String::new(),
                total: 0,
                done: 0,
                next_line_at: 0,
            }),
            quiet,
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock only loses progress output.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Progress for Reporter {
    fn start(&self, total: u64, label: &str) {
        if self.quiet {
            return;
        }
        let mut s = self.state();
        s.label = label.to_string();
        s.total = total;
        s.done = 0;
        s.next_line_at = 0;
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {wide_msg}")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            bar.set_prefix(label.to_string());
            s.bar = Some(bar);
        } else {
            eprintln!("{label}: 0/{total}");
            s.next_line_at = (total / 10).max(1);
        }
    }

    fn advance(&self, message: &str) {
        if self.quiet {
            return;
        }
        let mut s = self.state();
        s.done += 1;
        if let Some(bar) = &s.bar {
            bar.set_message(message.to_string());
            bar.inc(1);
        } else if s.done >= s.next_line_at && s.done < s.total {
            eprintln!("{}: {}/{} {message}", s.label, s.done, s.total);
            s.next_line_at = s.done + (s.total / 10).max(1);
        }
    }

    fn finish(&self) {
        if self.quiet {
            return;
        }
        let mut s = self.state();
        match s.bar.take() {
            Some(bar) => bar.finish_and_clear(),
            None => eprintln!("{}: {}/{} done", s.label, s.done, s.total),
        }
    }
}

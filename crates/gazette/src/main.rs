//! `gazette`: the command line, the daemon and the wiring of the pipeline's crates.
//!
//! This is the only crate that uses `anyhow`, reads the environment, or knows
//! about terminals. See `ARCHITECTURE.md` for the map of the workspace.

mod app;
mod cli;
mod commands;
mod config;
mod demo;
mod error;
mod pipeline;
mod progress;
mod web;

use std::io::IsTerminal;

use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() {
    let cli = cli::Cli::parse();
    if !matches!(cli.command, cli::Command::Run(_)) {
        quiet_broken_pipe();
    }
    init_logging(&cli);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("gazette: cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    };
    let result = runtime.block_on(commands::run(cli));
    // Do not wait for background tasks (servers, pollers) on the way out.
    runtime.shutdown_background();
    if let Err(error) = result {
        eprintln!("gazette: error: {error:#}");
        std::process::exit(error::exit_code(&error));
    }
}

/// `gazette feeds parse … | head`: when the reader of standard output goes
/// away, stop quietly as Unix tools do, instead of panicking in `println!`
/// (Rust ignores SIGPIPE by default). Sockets are unaffected: Rust and tokio
/// send with `MSG_NOSIGNAL`. The daemon (`run`) keeps the default anyway.
fn quiet_broken_pipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in `main`, before any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Logs go to standard error: warnings by default, more with -v, less with -q,
/// or exactly what `GAZETTE_LOG` says (a `tracing` filter such as `gazette=debug`).
fn init_logging(cli: &cli::Cli) {
    let default = match (cli.quiet, cli.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        (false, _) => "trace",
    };
    let filter = EnvFilter::try_from_env("GAZETTE_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

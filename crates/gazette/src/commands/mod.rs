//! One module per subcommand; [`run()`] dispatches.

mod analyze;
mod bench;
mod bench_analyze;
mod bench_cluster;
mod bench_edition;
mod bench_extract;
mod bench_pipeline;
mod cluster;
mod edition;
mod extract;
mod feeds;
mod ingest;
mod init;
mod run;
mod stories;
mod telegram;

use crate::app::App;
use crate::cli::{Cli, Command};
use crate::config;

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let quiet = cli.quiet;
    match cli.command {
        Command::Demo(args) => crate::demo::run(args, quiet).await,
        Command::Init(args) => init::run(args),
        Command::Bench(cmd) => bench::run(cmd, cli.config.as_deref(), quiet).await,
        Command::Analyze { input } => analyze::run(&input),
        Command::Cluster(args) => {
            let config = config::load(cli.config.as_deref(), std::env::vars())?;
            cluster::run(&config.stories, &args)
        }
        Command::Extract(args) => extract::run(cli.config.as_deref(), args).await,
        Command::Feeds(crate::cli::FeedsCommand::Parse { inputs }) => {
            let config = config::load(cli.config.as_deref(), std::env::vars())?;
            feeds::parse(&config, &inputs).await
        }
        command => {
            let config = config::load(cli.config.as_deref(), std::env::vars())?;
            let app = App::open(config).await?;
            match command {
                Command::Feeds(cmd) => feeds::run(&app, cmd, quiet).await,
                Command::Ingest(args) => ingest::run(&app, args, quiet).await,
                Command::Stories(args) => stories::run(&app, args).await,
                Command::Edition(cmd) => edition::run(&app, cmd).await,
                Command::Run(args) => run::run(&app, args, quiet).await,
                Command::Telegram(cmd) => telegram::run(&app, cmd).await,
                Command::Demo(_)
                | Command::Init(_)
                | Command::Bench(_)
                | Command::Cluster(_)
                | Command::Analyze { .. }
                | Command::Extract(_) => {
                    unreachable!("handled above")
                }
            }
        }
    }
}

/// "1 outlet", "3 outlets".
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Parses a period such as `12h`, `3d` or `90m`.
pub fn parse_period(flag: &str, text: &str) -> anyhow::Result<jiff::SignedDuration> {
    let span: jiff::Span = text.parse().map_err(|_| {
        crate::usage!("{flag}: expected a period such as 12h, 3d or 90m, found {text:?}")
    })?;
    let d = span
        .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
        .map_err(|_| crate::usage!("{flag}: {text:?} is not a fixed length of time"))?;
    if d.is_negative() {
        return Err(crate::usage!(
            "{flag}: expected a positive period, found {text:?}"
        ));
    }
    Ok(d)
}

/// A short "3h ago" / "in 12m" / "now" rendering of an instant relative to `now`.
pub fn relative(t: jiff::Timestamp, now: jiff::Timestamp) -> String {
    let secs = now.duration_since(t).as_secs();
    if secs.abs() < 1 {
        return "now".to_string();
    }
    let (abs, past) = (secs.unsigned_abs(), secs >= 0);
    let amount = match abs {
        0..60 => format!("{abs}s"),
        60..3600 => format!("{}m", abs / 60),
        3600..86400 => format!("{}h", abs / 3600),
        _ => format!("{}d", abs / 86400),
    };
    if past {
        format!("{amount} ago")
    } else {
        format!("in {amount}")
    }
}

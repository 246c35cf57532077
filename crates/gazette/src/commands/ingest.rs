//! `gazette ingest [--once]`: poll what is due, store new articles, group them into stories.

use std::time::Duration;

use gazette_ingest::IngestReport;
use jiff::Timestamp;

use crate::app::App;
use crate::cli::IngestArgs;
use crate::pipeline;
use crate::progress::Reporter;

/// Longest sleep between passes when polling continuously.
const MAX_SLEEP: Duration = Duration::from_secs(60);

pub async fn run(app: &App, args: IngestArgs, quiet: bool) -> anyhow::Result<()> {
    let ingester = app.ingester()?;
    let progress = Reporter::new(quiet);
    // Grouping takes the scheduler's lock under a name of its own: a daemon
    // of this process's host would otherwise share it.
    let node = format!("{}-ingest", pipeline::node_name());
    loop {
        let now = Timestamp::now();
        let report = ingester.run_once(now, &progress).await?;
        let grouped =
            pipeline::group_articles_exclusive(app.store.as_ref(), &app.config, now, &node).await?;
        print_report(&report, grouped);
        if args.once {
            return Ok(());
        }
        let next_due = app
            .store
            .sources()
            .await?
            .iter()
            .filter(|s| s.poll.status == gazette_core::SourceStatus::Active)
            .map(|s| s.poll.next_poll_at)
            .min();
        let wait = next_due
            .map(|t| {
                Duration::try_from(t.duration_since(Timestamp::now())).unwrap_or(Duration::ZERO)
            })
            .unwrap_or(MAX_SLEEP)
            .clamp(Duration::from_secs(1), MAX_SLEEP);
        tokio::select! {
            _ = tokio::signal::ctrl_c() => return Ok(()),
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

fn print_report(report: &IngestReport, grouped: Option<pipeline::GroupReport>) {
    let grouped = match grouped {
        Some(g) => format!(
            "{} articles grouped, {} new stories, {} copies of an earlier article, {} stories merged",
            g.assigned, g.new_stories, g.duplicates, g.merged
        ),
        None => "grouping left to the running scheduler (`gazette run` holds its lock)".into(),
    };
    println!(
        "polled {} feeds ({} not modified, {} failed, {} disabled): {} new entries, {} new articles ({} pages fetched); {grouped}",
        report.polled,
        report.not_modified,
        report.failed,
        report.disabled,
        report.new_entries,
        report.new_articles,
        report.pages_fetched,
    );
    for failure in &report.errors {
        eprintln!("  {}: {}", failure.url, failure.message);
    }
}

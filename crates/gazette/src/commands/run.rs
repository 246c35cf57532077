//! `gazette run`: the daemon. Three loops, each optional by role:
//!
//! - **fetch**: polls the feeds that are due, then groups new articles into stories;
//! - **schedule**: composes each channel's edition once its slot has come (once per
//!   slot, stored) and queues it in the outbox;
//! - **deliver**: sends what the outbox holds;
//! - **bot**: the Telegram subscriber bot, when `telegram.bot.mode` is not `off`;
//! - **web**: the web server ([`crate::web`]), with `--role web`, or in `all` when `web.listen` is set.
//!
//! After composing, the schedule loop also queues editions for the bot's
//! subscribers whose own delivery time has come.
//!
//! Every step is idempotent and its state is in the store, so a restart (or a
//! crash) resumes where it stopped: an edition already composed is reused, a
//! delivery already sent is never sent again. SIGINT or SIGTERM stops the loops
//! between steps.

use std::collections::HashSet;
use std::time::Duration;

use std::sync::Arc;

use gazette_deliver::telegram::Telegram;
use gazette_editions::Renderer;
use gazette_ingest::NoProgress;
use jiff::{SignedDuration, Timestamp};
use tokio::sync::watch;

use crate::app::App;
use crate::cli::{Role, RunArgs};
use crate::pipeline;

/// An edition is still composed this long after its slot (e.g. after downtime).
const GRACE: SignedDuration = SignedDuration::from_hours(3);

/// An error with its causes (`{:#}` shows them only for `anyhow` errors).
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A tick from the configuration (`[run]`; validated positive).
fn tick(every: SignedDuration) -> Duration {
    every.unsigned_abs()
}

pub async fn run(app: &App, args: RunArgs, _quiet: bool) -> anyhow::Result<()> {
    let role = args.role;
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("stopping");
        let _ = stop_tx.send(true);
    });
    tracing::info!(?role, store = %app.store_location, channels = app.config.channels.len(), "gazette running");
    if role == Role::Bot && app.config.telegram.bot.mode == gazette_core::config::BotMode::Off {
        return Err(crate::usage!(
            "--role bot: telegram.bot.mode is \"off\"; set it to \"polling\" or \"webhook\""
        ));
    }
    let telegram = if matches!(role, Role::All | Role::Deliver | Role::Bot) {
        super::telegram::context(app)?
    } else {
        None
    };
    let fetch = async {
        if matches!(role, Role::All | Role::Fetch) {
            fetch_loop(app, stop_rx.clone()).await
        } else {
            Ok(())
        }
    };
    let schedule = async {
        if matches!(role, Role::All | Role::Schedule) {
            schedule_loop(app, stop_rx.clone()).await
        } else {
            Ok(())
        }
    };
    let deliver = async {
        if matches!(role, Role::All | Role::Deliver) {
            deliver_loop(app, telegram.clone(), stop_rx.clone()).await
        } else {
            Ok(())
        }
    };
    let bot = async {
        match (&telegram, role) {
            (Some(telegram), Role::All | Role::Bot) => {
                let mut stop = stop_rx.clone();
                let stopped = async move {
                    let _ = stop.wait_for(|stopping| *stopping).await;
                };
                super::telegram::run_bot(app, telegram.clone(), pipeline::node_name(), stopped)
                    .await
            }
            _ => Ok(()),
        }
    };
    let web = async {
        let wanted = role == Role::Web || (role == Role::All && app.config.web.enabled);
        if !wanted {
            return Ok(());
        }
        let listen = app.config.web.listen;
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| crate::usage!("web.listen: cannot listen on {listen}: {e}"))?;
        let mut stop = stop_rx.clone();
        let stopped = async move {
            let _ = stop.wait_for(|stopping| *stopping).await;
        };
        crate::web::serve(Arc::new(app.clone()), listener, stopped).await
    };
    let (a, b, c, d, e) = tokio::join!(fetch, schedule, deliver, bot, web);
    a.and(b).and(c).and(d).and(e)
}

/// Completes on SIGINT or SIGTERM.
pub async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Sleeps for `tick` unless asked to stop; returns true when stopping.
async fn pause(stop: &mut watch::Receiver<bool>, tick: Duration) -> bool {
    if *stop.borrow() {
        return true;
    }
    tokio::select! {
        _ = stop.changed() => true,
        _ = tokio::time::sleep(tick) => *stop.borrow(),
    }
}

async fn fetch_loop(app: &App, mut stop: watch::Receiver<bool>) -> anyhow::Result<()> {
    let ingester = app.ingester()?;
    loop {
        let now = Timestamp::now();
        match ingester.run_once(now, &NoProgress).await {
            Ok(report) => tracing::info!(?report, "ingest pass"),
            Err(e) => tracing::error!(error = chain(&e), "ingest pass failed"),
        }
        // Grouping into stories is the scheduler's (one node at a time): two
        // clusterers on one store would each open stories for the same articles.
        if pause(&mut stop, tick(app.config.run.fetch_every)).await {
            return Ok(());
        }
    }
}

async fn schedule_loop(app: &App, mut stop: watch::Receiver<bool>) -> anyhow::Result<()> {
    let renderer = Renderer::new(None)?;
    // Slots already handled by this process (queued or quiet): not recomposed every tick.
    let mut handled: HashSet<(String, Timestamp)> = HashSet::new();
    let node = pipeline::node_name();
    let mut holding = false;
    // What the last grouping pass left, for the next (rebuilt from the
    // store when another node grouped meanwhile).
    let mut grouping = pipeline::GroupState::default();
    loop {
        let now = Timestamp::now();
        // One scheduler at a time across the nodes sharing the store: the
        // others wait for its lock, which lapses when its node dies.
        match app
            .store
            .try_lock_scheduler(&node, now, app.config.run.lock_lease)
            .await
        {
            Ok(true) => {
                if !holding {
                    tracing::info!(%node, "this node schedules (scheduler lock taken)");
                }
                holding = true;
            }
            Ok(false) => {
                if holding {
                    tracing::warn!(%node, "scheduler lock lost to another node");
                }
                holding = false;
            }
            Err(e) => {
                tracing::error!(
                    error = format!("{e:#}"),
                    "scheduler lock failed; will retry"
                );
                holding = false;
            }
        }
        if !holding {
            if pause(&mut stop, tick(app.config.run.schedule_every)).await {
                return Ok(());
            }
            continue;
        }
        let tick_started = std::time::Instant::now();
        let mut keeper = pipeline::LockKeeper::new(&node, app.config.run.lock_lease);
        match pipeline::group_articles_locked(
            app.store.as_ref(),
            &app.config,
            now,
            Some(&mut keeper),
            &mut grouping,
        )
        .await
        {
            Ok(report) => tracing::debug!(?report, "grouping pass"),
            Err(e) => tracing::error!(error = format!("{e:#}"), "grouping failed"),
        }
        for channel in &app.config.channels {
            // Renewed before each step: a long step must not let the lease
            // lapse under the next one (another node would schedule too).
            if !still_holding(app, &node).await {
                holding = false;
                break;
            }
            if compose_slot(app, &renderer, channel, &mut handled, now).await {
                // Subscribers whose own time has come get the edition due then
                // (composed above for a slot that came now).
                if let Err(e) = gazette_deliver::telegram::queue_subscribers(
                    app.store.as_ref(),
                    &renderer,
                    channel,
                    now,
                )
                .await
                {
                    tracing::error!(channel = %channel.name, error = %e, "queueing for subscribers failed; will retry");
                }
            }
        }
        let took = tick_started.elapsed();
        if took > tick(app.config.run.lock_lease) / 2 {
            tracing::warn!(
                ?took,
                lease = %app.config.run.lock_lease,
                "a scheduler tick took more than half the lock's lease (run.lock_lease): \
                 another node may take the lock over while it runs"
            );
        }
        if pause(&mut stop, tick(app.config.run.schedule_every)).await {
            if let Err(e) = app.store.unlock_scheduler(&node).await {
                tracing::warn!(
                    error = format!("{e:#}"),
                    "could not release the scheduler lock; it lapses by itself"
                );
            }
            return Ok(());
        }
    }
}

/// Renews the scheduler's lock between the steps of a tick; false (and
/// logged) when another node took it over meanwhile.
async fn still_holding(app: &App, node: &str) -> bool {
    match app
        .store
        .try_lock_scheduler(node, Timestamp::now(), app.config.run.lock_lease)
        .await
    {
        Ok(true) => true,
        Ok(false) => {
            tracing::warn!(%node, "scheduler lock lost to another node during a tick");
            false
        }
        Err(e) => {
            tracing::error!(
                error = format!("{e:#}"),
                "scheduler lock failed; will retry"
            );
            false
        }
    }
}

/// Composes and queues the channel's edition for its latest slot unless done
/// already (or too late). Returns false when composing failed (it is retried
/// at the next tick).
async fn compose_slot(
    app: &App,
    renderer: &Renderer,
    channel: &gazette_core::config::ChannelConfig,
    handled: &mut HashSet<(String, Timestamp)>,
    now: Timestamp,
) -> bool {
    let slot = gazette_editions::latest_slot(channel, now);
    let key = (channel.name.clone(), slot.timestamp());
    if now.duration_since(slot.timestamp()) > GRACE || handled.contains(&key) {
        return true;
    }
    let result = async {
                match pipeline::edition_for_slot(app.store.as_ref(), &app.config, channel, &slot, now).await? {
                    Some(edition) => {
                        let queued = gazette_deliver::queue_edition(
                            app.store.as_ref(),
                            renderer,
                            channel,
                            &edition,
                            now,
                        )
                        .await?;
                        tracing::info!(channel = %channel.name, %slot, edition = %edition.id, queued, "edition queued");
                    }
                    None => {
                        tracing::info!(channel = %channel.name, %slot, "quiet slot: no edition")
                    }
                }
                anyhow::Ok(())
            }
            .await;
    match result {
        Ok(()) => {
            handled.insert(key);
            true
        }
        Err(e) => {
            tracing::error!(channel = %channel.name, %slot, error = format!("{e:#}"), "composing failed; will retry");
            false
        }
    }
}

async fn deliver_loop(
    app: &App,
    telegram: Option<Arc<Telegram>>,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let outbox = super::telegram::outbox(app, telegram)?;
    loop {
        // The wall clock for every claim and record: a pass may last minutes
        // when Telegram's limits pace it.
        match outbox.run(app.store.as_ref(), &Timestamp::now).await {
            Ok(report) => tracing::debug!(?report, "delivery pass"),
            Err(e) => tracing::error!(error = chain(&e), "delivery pass failed"),
        }
        if pause(&mut stop, tick(app.config.run.deliver_every)).await {
            return Ok(());
        }
    }
}

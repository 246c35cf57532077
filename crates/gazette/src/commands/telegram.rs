//! `gazette telegram check|bot`, and the Telegram pieces the daemon shares:
//! one client and one limiter per process, so that editions and the bot's
//! answers count against the same limits.

use std::future::Future;
use std::sync::Arc;

use gazette_core::config::{BotMode, ChannelConfig, ChatTarget, SinkConfig};
use gazette_deliver::telegram::api::ApiError;
use gazette_deliver::telegram::{Bot, Telegram, fanout};
use gazette_deliver::{Outbox, OutboxConfig, SinkContext};
use gazette_editions::Renderer;

use crate::app::App;
use crate::cli::TelegramCommand;
use crate::usage;

pub async fn run(app: &App, cmd: TelegramCommand) -> anyhow::Result<()> {
    match cmd {
        TelegramCommand::Check { chat } => check(app, chat.as_deref()).await,
        TelegramCommand::Bot => {
            let telegram = client(app)?;
            if app.config.telegram.bot.mode == BotMode::Off {
                return Err(usage!(
                    "telegram.bot.mode is \"off\": set it to \"polling\" or \"webhook\" to run the bot"
                ));
            }
            let node = crate::pipeline::node_name();
            run_bot(app, telegram, node, crate::commands::run::wait_for_signal()).await
        }
    }
}

/// The configured bot's client; a usage error without a token.
fn client(app: &App) -> anyhow::Result<Arc<Telegram>> {
    match Telegram::new(&app.config.telegram) {
        Ok(telegram) => Ok(Arc::new(telegram)),
        Err(e @ ApiError::NoToken) => Err(usage!("{e}")),
        Err(e) => Err(e.into()),
    }
}

/// The bot's client when something needs it: a `telegram` sink, or the bot.
pub fn context(app: &App) -> anyhow::Result<Option<Arc<Telegram>>> {
    let needed = app.config.telegram.bot.mode != BotMode::Off
        || app
            .config
            .channels
            .iter()
            .flat_map(|c| &c.sinks)
            .any(|s| matches!(s, SinkConfig::Telegram { .. }));
    needed.then(|| client(app)).transpose()
}

/// The outbox with every configured sink and the `[deliver]` settings.
pub fn outbox(app: &App, telegram: Option<Arc<Telegram>>) -> anyhow::Result<Outbox> {
    let context = SinkContext {
        telegram,
        store: Some(app.store.clone()),
    };
    Ok(Outbox::build(&app.config.channels, &context)?
        .with_config(OutboxConfig::from(&app.config.deliver)))
}

/// The channel whose telegram sink serves the bot's subscribers.
fn bot_channel(app: &App) -> anyhow::Result<&ChannelConfig> {
    app.config
        .channels
        .iter()
        .find(|c| fanout::subscriber_sink(c).is_some())
        .ok_or_else(|| {
            usage!(
                "the bot needs a channel with a telegram sink that has subscribers = true (see [[channels.sinks]])"
            )
        })
}

/// Runs the subscriber bot as configured (polling or webhook) until `stop`;
/// returns at once when the bot is off. It polls only while `node` holds the polling lock (`run.lock_lease`), so that several
/// nodes on one store never poll at once.
pub async fn run_bot(
    app: &App,
    telegram: Arc<Telegram>,
    node: String,
    stop: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let bot_config = &app.config.telegram.bot;
    if bot_config.mode == BotMode::Off {
        return Ok(());
    }
    let channel = bot_channel(app)?.clone();
    let bot = Arc::new(
        Bot::new(
            telegram,
            app.store.clone(),
            channel,
            Arc::new(Renderer::new(None)?),
        )
        .with_poll_lock(node, app.config.run.lock_lease),
    );
    bot.start().await?;
    match &bot_config.mode {
        BotMode::Off => Ok(()),
        BotMode::Polling => Ok(bot.poll(bot_config.poll_timeout, stop).await?),
        BotMode::Webhook {
            url,
            listen,
            secret,
        } => Ok(bot
            .serve_webhook(url, *listen, secret.clone(), stop)
            .await?),
    }
}

/// `getMe`, then a test message to `chat` when given.
async fn check(app: &App, chat: Option<&str>) -> anyhow::Result<()> {
    let telegram = client(app)?;
    let target = chat
        .map(|c| c.parse::<ChatTarget>().map_err(|e| usage!("--chat: {e}")))
        .transpose()?;
    let me = telegram.api.get_me().await?;
    println!(
        "token OK: bot @{} (id {}) on {}",
        me.username.as_deref().unwrap_or("?"),
        me.id,
        telegram.api.base()
    );
    if let Some(target) = target {
        let text = "✅ <b>gazette</b>: test message. Editions will arrive like this one.";
        let message = telegram.send_html(&target, text, None).await?;
        println!(
            "test message sent to {target} (chat {}, message {})",
            message.chat.id, message.message_id
        );
    }
    Ok(())
}

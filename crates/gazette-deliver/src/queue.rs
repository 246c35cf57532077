//! Queueing an edition: rendering it for each sink and storing outbox rows.

use gazette_core::config::ChannelConfig;
use gazette_core::{Edition, NewDelivery, Store};
use gazette_editions::Renderer;
use jiff::Timestamp;

use crate::{DeliverError, sink_key, sinks};

/// Renders `edition` for each sink of `channel` and queues one outbox row per
/// part (`sink` = `"<channel>/<sink name>"`, `recipient` as the sink
/// understands it, `part` from 0). Returns how many rows were created.
///
/// Idempotent: rows that already exist for the same (edition, sink,
/// recipient, part) are left as they are, so queueing twice queues once.
pub async fn queue_edition(
    store: &dyn Store,
    renderer: &Renderer,
    channel: &ChannelConfig,
    edition: &Edition,
    now: Timestamp,
) -> Result<usize, DeliverError> {
    if edition.edition.channel != channel.name {
        return Err(DeliverError::WrongChannel {
            edition: edition.id,
            edition_channel: edition.edition.channel.clone(),
            channel: channel.name.clone(),
        });
    }
    let mut rows = Vec::new();
    for config in &channel.sinks {
        let key = sink_key(&channel.name, config.name());
        let target = sinks::target(config, &edition.edition);
        let rendered = renderer
            .render(&edition.edition, &channel.title, target.format)
            .map_err(|source| DeliverError::Render {
                edition: edition.id,
                sink: key.clone(),
                source,
            })?;
        rows.extend((0..).zip(rendered.parts).map(|(part, body)| NewDelivery {
            edition_id: edition.id,
            sink: key.clone(),
            recipient: target.recipient.clone(),
            part,
            body,
        }));
    }
    let created = store.enqueue_deliveries(&rows, now).await?;
    tracing::info!(
        edition = %edition.id,
        channel = %channel.name,
        rows = rows.len(),
        created,
        "edition queued"
    );
    Ok(created)
}

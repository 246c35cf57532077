//! Queueing an edition: rendering it for each sink and storing outbox rows.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use gazette_core::config::{ChannelConfig, SinkConfig};
use gazette_core::{Edition, Format, NewDelivery, Store};
use gazette_editions::Renderer;
use jiff::Timestamp;

use crate::{DeliverError, sink_key, sinks};

/// Renders `edition` for each sink of `channel` and queues one outbox row per
/// part and recipient (`sink` = `"<channel>/<sink name>"`, `recipient` as the
/// sink understands it, `part` from 0). Returns how many rows were created.
/// The bot's subscribers are not queued here but at their own times
/// ([`queue_subscribers`](crate::telegram::queue_subscribers)).
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
    // By format, and whether it is a whole e-mail (an `email` sink's body).
    let mut rendered: HashMap<(Format, bool), Vec<String>> = HashMap::new();
    for config in &channel.sinks {
        let key = sink_key(&channel.name, config.name());
        let is_email = matches!(config, SinkConfig::Email { .. });
        for target in sinks::targets(config, &edition.edition) {
            let parts = match rendered.entry((target.format, is_email)) {
                Entry::Occupied(parts) => parts.into_mut(),
                Entry::Vacant(slot) => {
                    let parts = if is_email {
                        sinks::email::body(renderer, &edition.edition, &channel.title)
                            .map(|body| vec![body])
                    } else {
                        renderer
                            .render(&edition.edition, &channel.title, target.format)
                            .map(|r| r.parts)
                    };
                    slot.insert(parts.map_err(|source| DeliverError::Render {
                        edition: edition.id,
                        sink: key.clone(),
                        source,
                    })?)
                }
            };
            rows.extend((0..).zip(parts.iter()).map(|(part, body)| NewDelivery {
                edition_id: edition.id,
                sink: key.clone(),
                recipient: target.recipient.clone(),
                part,
                body: body.clone(),
            }));
        }
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

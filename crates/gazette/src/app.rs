//! The application context shared by commands: configuration and the open store.

use std::sync::Arc;

use anyhow::Context;
use gazette_core::Store;
use gazette_core::config::{ChannelConfig, Config, StoreLocation};
use gazette_ingest::{Fetcher, Ingester};
use gazette_store::{PgStore, SqliteStore};

use crate::usage;

/// What every command that touches state needs.
#[derive(Clone)]
pub struct App {
    pub config: Config,
    pub store: Arc<dyn Store>,
    /// Where the store is, for messages.
    pub store_location: String,
}

impl App {
    /// Creates the data directory and opens (and migrates) the store: the
    /// SQLite file, or the PostgreSQL database of a `postgres://` URL.
    pub async fn open(config: Config) -> anyhow::Result<App> {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!(
                "cannot create the data directory {} (set data_dir in the configuration)",
                config.data_dir.display()
            )
        })?;
        let (store, store_location): (Arc<dyn Store>, String) = match &config.store {
            StoreLocation::Sqlite(path) => (
                Arc::new(SqliteStore::open(path)?),
                path.display().to_string(),
            ),
            StoreLocation::Postgres(url) => {
                let store = PgStore::connect(url).await?;
                let location = store.location().to_owned();
                (Arc::new(store), location)
            }
        };
        Ok(App {
            config,
            store,
            store_location,
        })
    }

    /// An ingester over this app's store, with the configured fetch and poll policies.
    pub fn ingester(&self) -> anyhow::Result<Ingester> {
        let fetcher = Fetcher::new(&self.config.fetch).context("cannot set up the HTTP client")?;
        Ok(Ingester::new(
            self.store.clone(),
            fetcher,
            self.config.fetch.clone(),
            self.config.poll.clone(),
        ))
    }

    /// The channel with this name, or a usage error listing the known ones.
    pub fn channel(&self, name: &str) -> anyhow::Result<&ChannelConfig> {
        self.config
            .channels
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| {
                let known: Vec<&str> = self.config.channels.iter().map(|c| c.name.as_str()).collect();
                if known.is_empty() {
                    usage!("no channel named {name:?}: the configuration has no [[channels]] (see `gazette init`)")
                } else {
                    usage!("no channel named {name:?}; configured channels: {}", known.join(", "))
                }
            })
    }
}

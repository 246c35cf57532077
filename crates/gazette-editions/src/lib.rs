//! Editions: when a channel's editions are due, which stories go in them, and
//! how they look in each output format.
//!
//! - [`schedule`]: slots of a channel's schedule in its time zone, correct across
//!   DST changes ([`latest_slot`], [`next_slot`], [`slots_between`], [`slot_label`]).
//! - [`compose`](mod@compose): the window of an edition and its stories, without repeats
//!   ([`window_start`], [`compose()`], [`ComposeInput`]).
//! - [`render`]: text, JSON, Telegram HTML and HTML fragments through
//!   templates that users may override ([`Renderer`]).
//!
//! The crate is pure: it takes values and a configuration and returns values,
//! with the time passed in (`now`), never read from the clock.
//!
//! ```
//! # use gazette_core::config::RawConfig;
//! use gazette_editions::{ComposeInput, Renderer, compose, latest_slot, window_start};
//! # let raw: RawConfig = serde_json::from_str(r#"{"channels": [{"name": "briefing", "min_stories": 0}]}"#).unwrap();
//! # let channel = &raw.validate().unwrap().channels[0];
//! let now: jiff::Timestamp = "2026-01-15T08:00:00Z".parse().unwrap();
//! let slot = latest_slot(channel, now);
//! let edition = compose(ComposeInput {
//!     channel,
//!     window_start: window_start(channel, &slot, None),
//!     slot,
//!     now,
//!     history: &[],
//!     ranked: vec![],
//! })
//! .expect("min_stories = 0: an empty edition");
//! let rendered = Renderer::new(None)
//!     .unwrap()
//!     .render(&edition, &channel.title, gazette_core::Format::Telegram)
//!     .unwrap();
//! assert_eq!(rendered.parts.len(), 1);
//! ```

pub mod compose;
pub mod render;
pub mod schedule;

pub use compose::{ComposeInput, compose, window_start};
pub use render::{EmailParts, RenderError, Renderer, atom_id};
pub use schedule::{latest_slot, next_slot, slot_label, slots_between};

//! Stories for gazette: grouping articles about one event across outlets, and
//! ranking the stories with the reasons for their place. Pure: no I/O, no
//! clock (time is passed in), no models.
//!
//! - [`Clusterer`] decides, one article at a time in arrival order, whether an
//!   article joins an open story or starts a new one ([`Assignment`]);
//!   TF-IDF cosine against story centroids, gated by a time window.
//! - [`rank()`] scores [`StoryInput`]s from explainable signals (outlets,
//!   velocity, recency, languages) and fills every [`RankedStory`] field:
//!   sources, a one-to-three sentence summary, a key quote.
//! - [`choose_lead`] picks the article whose headline best names the story.
//!
//! ```
//! use gazette_core::{config::StoriesConfig, StoryId};
//! use gazette_stories::{Assignment, Clusterer};
//! # let article = |id: i64, title: &str| gazette_core::Article {
//! #     id: gazette_core::ArticleId(id), source_id: gazette_core::SourceId(1), entry_id: None,
//! #     url: format!("https://news.example/{id}").parse().unwrap(), outlet: "news.example".into(),
//! #     title: title.into(), discovered_at: jiff::Timestamp::UNIX_EPOCH,
//! #     content: gazette_core::ArticleContent { lang: Some("en".into()), ..Default::default() },
//! # };
//! let mut clusterer = Clusterer::new(&StoriesConfig::default());
//! let first = article(1, "Earthquake strikes northern Japan");
//! assert!(matches!(clusterer.assign(&first), Assignment::New { .. }));
//! clusterer.add_member(StoryId(1), &first);
//! let second = article(2, "Strong earthquake shakes northern Japan");
//! assert!(matches!(clusterer.assign(&second), Assignment::Join { story: StoryId(1), .. }));
//! ```
//!
//! [`RankedStory`]: gazette_core::RankedStory

pub mod cluster;
pub mod dedup;
pub mod embed;
mod features;
pub mod lead;
pub mod rank;
pub mod stream;
mod summary;

pub use cluster::{Assignment, Clusterer, Features};
pub use embed::{Embedder, NoEmbedder};
pub use lead::choose_lead;
pub use rank::{RankContext, Scored, StoryInput, rank, rank_scores, score, sort_ranked, summarise};
pub use stream::{Placed, StoryStream, assign_with_embedder, merge_bridged};

#[cfg(test)]
mod test_support {
    use gazette_core::{Article, ArticleContent, ArticleId, SourceId};
    use jiff::{SignedDuration, Timestamp};

    /// `h` hours after a fixed instant.
    pub(crate) fn at_hours(h: i64) -> Timestamp {
        Timestamp::UNIX_EPOCH + SignedDuration::from_hours(480_000 + h)
    }

    /// Two articles that open two stories (no shared term), and a maker of
    /// articles (by ID) that bridge them: the stories of a merge.
    pub(crate) fn forked() -> (Article, Article, impl Fn(i64) -> Article) {
        let flood = article(
            1,
            "a.example",
            Some("en"),
            "Floods hit Valencia",
            "Heavy rain flooded the streets of Valencia on Tuesday.",
        );
        let dam = article(
            2,
            "b.example",
            Some("en"),
            "Dam breaks near the Albufera lagoon",
            "A dam broke near the Albufera lagoon after the storms, rescue teams said.",
        );
        let bridge = |id| {
            article(
                id,
                "c.example",
                Some("en"),
                "Valencia floods: dam breaks near the Albufera lagoon",
                "Heavy rain flooded Valencia and a dam broke near the Albufera lagoon, \
                 rescue teams said.",
            )
        };
        (flood, dam, bridge)
    }

    /// An article discovered at `at_hours(0)`, without a publication date.
    pub(crate) fn article(
        id: i64,
        outlet: &str,
        lang: Option<&str>,
        title: &str,
        text: &str,
    ) -> Article {
        Article {
            id: ArticleId(id),
            source_id: SourceId(1),
            entry_id: None,
            url: format!("https://{outlet}/articles/{id}")
                .parse()
                .expect("valid URL"),
            outlet: outlet.into(),
            title: title.into(),
            discovered_at: at_hours(0),
            content: ArticleContent {
                lang: lang.map(str::to_string),
                text: text.into(),
                ..ArticleContent::default()
            },
        }
    }
}

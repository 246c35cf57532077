//! One pass over a stream of articles: each one placed in a story on arrival.
//!
//! [`StoryStream`] is what `gazette cluster` and `gazette bench cluster` drive:
//! it owns a [`Clusterer`], numbers new stories itself (1, 2, 3, … in order of
//! creation, never reused, so a story keeps its ID for as long as it lives) and
//! evicts stories that fell out of the time window before each article, which
//! bounds memory however long the stream is.
//!
//! ```
//! use gazette_core::config::StoriesConfig;
//! use gazette_stories::StoryStream;
//! # let article = |id: i64, title: &str| gazette_core::Article {
//! #     id: gazette_core::ArticleId(id), source_id: gazette_core::SourceId(1), entry_id: None,
//! #     url: format!("https://news.example/{id}").parse().unwrap(), outlet: "news.example".into(),
//! #     title: title.into(), discovered_at: jiff::Timestamp::UNIX_EPOCH,
//! #     content: gazette_core::ArticleContent { lang: Some("en".into()), ..Default::default() },
//! # };
//! let mut stream = StoryStream::new(&StoriesConfig::default());
//! let a = stream.push(&article(1, "Earthquake strikes northern Japan"));
//! let b = stream.push(&article(2, "Strong earthquake shakes northern Japan"));
//! let c = stream.push(&article(3, "Voters head to the polls in Brazil"));
//! assert_eq!(a.story, b.story);
//! assert_ne!(a.story, c.story);
//! ```

use gazette_core::config::StoriesConfig;
use gazette_core::{Article, StoryId};

use crate::cluster::{Assignment, Clusterer};

/// Places articles in stories, one at a time (see the [module docs](self)).
#[derive(Debug)]
pub struct StoryStream {
    clusterer: Clusterer,
    last_id: i64,
}

/// Where [`StoryStream::push`] placed an article, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub story: StoryId,
    /// Whether the article opened `story`.
    pub new: bool,
    pub assignment: Assignment,
}

impl StoryStream {
    /// An empty stream with the window and thresholds of `config`.
    pub fn new(config: &StoriesConfig) -> Self {
        StoryStream {
            clusterer: Clusterer::new(config),
            last_id: 0,
        }
    }

    /// Places `article`: evicts the stories closed at its time, then joins it
    /// to the best open story or opens a new one.
    pub fn push(&mut self, article: &Article) -> Placed {
        self.clusterer.evict(article.effective_time());
        let assignment = self.clusterer.assign(article);
        let (story, new) = match &assignment {
            Assignment::Join { story, .. } => (*story, false),
            Assignment::New { .. } => {
                self.last_id += 1;
                (StoryId(self.last_id), true)
            }
        };
        self.clusterer.add_member(story, article);
        Placed {
            story,
            new,
            assignment,
        }
    }

    /// The clusterer, to inspect open stories.
    pub fn clusterer(&self) -> &Clusterer {
        &self.clusterer
    }
}

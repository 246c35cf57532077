//! Choosing a story's lead: the article whose headline best says what the
//! story is about.
//!
//! The first article to arrive is often not the best headline (a dateline such
//! as "July 2, 2013 07:44", a teaser, a live page). A headline is *central*
//! when the other articles of the story talk about what it names: its
//! **support** is the average, over the other members, of the share of the
//! headline's terms found in that member's title and opening text. Headlines
//! with fewer than `FULL_LENGTH` content terms are scaled down (a headline of
//! one or two words says little, whatever the support). Number-only terms do
//! not count, so a date is not a headline. The score is then multiplied by the
//! outlet's source weight, so a trusted outlet's headline wins a near tie. Ties
//! go to the earliest article, then the lowest ID, so the choice is stable.
//!
//! ```
//! # use gazette_core::{Article, ArticleContent, ArticleId, SourceId};
//! # let article = |id: i64, title: &str, text: &str| Article {
//! #     id: ArticleId(id), source_id: SourceId(1), entry_id: None,
//! #     url: format!("https://news.example/{id}").parse().unwrap(), outlet: "news.example".into(),
//! #     title: title.into(), discovered_at: jiff::Timestamp::UNIX_EPOCH,
//! #     content: ArticleContent { lang: Some("en".into()), text: text.into(), ..Default::default() },
//! # };
//! let articles = [
//!     article(1, "July 2, 2013 07:44", "A strong earthquake struck Aceh in Indonesia."),
//!     article(2, "Strong earthquake strikes Aceh, Indonesia", "The quake hit Aceh province."),
//!     article(3, "Quake in Indonesia kills one", "An earthquake struck Aceh on Tuesday."),
//! ];
//! assert_eq!(gazette_stories::choose_lead(&articles, |_| 1.0), Some(ArticleId(2)));
//! ```

use std::collections::BTreeSet;

use gazette_core::{Article, ArticleId};
use gazette_text::{detect_lang, terms};

/// Content terms a headline needs to count fully.
const FULL_LENGTH: usize = 4;
/// How much of each member's text is compared with a headline, in characters.
const OPENING_CHARS: usize = 1500;

/// The most central article of a story, given each outlet's source weight (see
/// the [module docs](self)); `None` when `articles` is empty.
pub fn choose_lead(articles: &[Article], weight: impl Fn(&str) -> f64) -> Option<ArticleId> {
    let langs: Vec<String> = articles.iter().map(language).collect();
    let headlines: Vec<BTreeSet<String>> = articles
        .iter()
        .zip(&langs)
        .map(|(a, lang)| content_terms(&a.title, lang))
        .collect();
    let openings: Vec<BTreeSet<String>> = articles
        .iter()
        .zip(&langs)
        .map(|(a, lang)| {
            let opening: String = a.content.text.chars().take(OPENING_CHARS).collect();
            content_terms(&format!("{}\n{opening}", a.title), lang)
        })
        .collect();
    let score = |i: usize| -> f64 {
        let headline = &headlines[i];
        if headline.is_empty() {
            return 0.0;
        }
        let others = articles.len() - 1;
        let support = if others == 0 {
            1.0
        } else {
            let found: f64 = (0..articles.len())
                .filter(|&j| j != i)
                .map(|j| headline.intersection(&openings[j]).count() as f64 / headline.len() as f64)
                .sum();
            found / others as f64
        };
        support
            * (headline.len().min(FULL_LENGTH) as f64 / FULL_LENGTH as f64)
            * weight(&articles[i].outlet)
    };
    (0..articles.len())
        .map(|i| (score(i), &articles[i]))
        .max_by(|(sa, a), (sb, b)| {
            sa.total_cmp(sb)
                .then_with(|| b.effective_time().cmp(&a.effective_time()))
                .then_with(|| b.id.cmp(&a.id))
        })
        .map(|(_, a)| a.id)
}

fn language(article: &Article) -> String {
    article
        .content
        .lang
        .clone()
        .or_else(|| detect_lang(&article.title).map(str::to_string))
        .unwrap_or_else(|| "und".to_string())
}

/// Index terms that carry meaning in a headline: no stop words, no numbers.
fn content_terms(text: &str, lang: &str) -> BTreeSet<String> {
    terms(text, Some(lang))
        .into_iter()
        .filter(|t| t.chars().any(char::is_alphabetic))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::article;

    fn with_text(id: i64, title: &str, text: &str) -> Article {
        article(id, "news.example", Some("en"), title, text)
    }

    #[test]
    fn a_dateline_title_does_not_become_the_lead() {
        let articles = [
            with_text(
                1,
                "3 July 2013 Last updated at 13:38 GMT",
                "Rescue operations are under way after an earthquake hit Aceh, Indonesia.",
            ),
            with_text(
                2,
                "Indonesia earthquake: 24 dead in Aceh",
                "A magnitude 6.1 earthquake struck Aceh province in Indonesia.",
            ),
            with_text(
                3,
                "Five dead in Indonesia quake",
                "The earthquake in Aceh, Indonesia, killed at least five people.",
            ),
        ];
        assert_eq!(choose_lead(&articles, |_| 1.0), Some(ArticleId(2)));
    }

    #[test]
    fn a_single_article_is_its_own_lead() {
        assert_eq!(
            choose_lead(&[with_text(7, "Anything", "")], |_| 1.0),
            Some(ArticleId(7))
        );
        assert_eq!(choose_lead(&[], |_| 1.0), None);
    }

    #[test]
    fn ties_go_to_the_earliest_article() {
        let articles = [
            with_text(2, "Storm hits Brittany coast", "storm brittany coast"),
            with_text(1, "Storm hits Brittany coast", "storm brittany coast"),
        ];
        // Same discovery time in the fixture: the lower ID wins.
        assert_eq!(choose_lead(&articles, |_| 1.0), Some(ArticleId(1)));
    }

    #[test]
    fn a_heavier_source_wins_a_near_tie() {
        let mut trusted = with_text(2, "Storm hits Brittany coast", "storm brittany coast");
        trusted.outlet = "trusted.example".into();
        let articles = [
            with_text(1, "Storm hits Brittany coast", "storm brittany coast"),
            trusted,
        ];
        let weight = |outlet: &str| {
            if outlet == "trusted.example" {
                1.5
            } else {
                1.0
            }
        };
        assert_eq!(choose_lead(&articles, weight), Some(ArticleId(2)));
    }
}

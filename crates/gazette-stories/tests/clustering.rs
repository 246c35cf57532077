//! The clusterer on real articles: a sample of ECB+ (see `fixtures/ecbplus-SOURCE.md`)
//! holding two pairs of look-alike events (two actresses entering rehab; a UN school
//! shelled in Gaza and a refugee camp bombed in South Sudan).

#[path = "support/dataset.rs"]
mod dataset;

use std::collections::BTreeMap;

use gazette_core::StoryId;
use gazette_core::config::StoriesConfig;

const SAMPLE: &str = include_str!("fixtures/ecbplus-sample.jsonl");

/// Gold story → predicted story → the ids of its articles.
type Table = BTreeMap<String, BTreeMap<StoryId, Vec<String>>>;

fn contingency(config: &StoriesConfig) -> Table {
    let articles = dataset::parse(SAMPLE).expect("fixture parses");
    assert_eq!(articles.len(), 30);
    let predicted = dataset::cluster(&articles, config);
    let mut table = Table::new();
    for (labelled, story) in articles.into_iter().zip(predicted) {
        let gold = labelled.story.expect("fixture lines are labelled");
        table
            .entry(gold)
            .or_default()
            .entry(story)
            .or_default()
            .push(labelled.id);
    }
    table
}

/// The default configuration, whose threshold was tuned on the shared evaluation sets.
fn tuned() -> StoriesConfig {
    StoriesConfig::default()
}

#[test]
fn articles_about_one_event_end_up_together() {
    let table = contingency(&tuned());
    assert_eq!(table.len(), 4);
    for (gold, predicted) in &table {
        let total: usize = predicted.values().map(Vec::len).sum();
        let largest = predicted.values().map(Vec::len).max().unwrap_or(0);
        // A single pass may leave an odd article alone, but the story holds together.
        assert!(
            largest * 10 >= total * 8,
            "{gold} is scattered: {predicted:?}"
        );
    }
}

#[test]
fn look_alike_events_stay_apart() {
    let table = contingency(&tuned());
    let mut owner: BTreeMap<StoryId, &str> = BTreeMap::new();
    for (gold, predicted) in &table {
        for story in predicted.keys() {
            if let Some(other) = owner.insert(*story, gold) {
                panic!("story {story} mixes {other} and {gold}: {table:?}");
            }
        }
    }
}

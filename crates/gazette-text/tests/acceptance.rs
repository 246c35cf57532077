//! Issue 4's acceptance on `tests/fixtures/000_f56d7c6173bc8283.txt` (the
//! project's shared fixture: a Sputnik France article on a press conference by
//! Sergueï Lavrov, with a photo credit run into a headline and a promo footer).

use gazette_core::EntityKind;
use gazette_text::{AnalyzeConfig, analyze};

const FIXTURE: &str = include_str!("fixtures/000_f56d7c6173bc8283.txt");

#[test]
fn the_fixture_is_french() {
    let a = analyze(FIXTURE, &AnalyzeConfig::default());
    assert_eq!(a.lang.as_deref(), Some("fr"));
}

#[test]
fn the_three_direct_quotations_are_lavrovs() {
    let a = analyze(FIXTURE, &AnalyzeConfig::default());
    let starts = [
        "Je ne sais pas s'il est possible",
        "Nous préférions évidemment",
        "De l'avis général",
    ];
    assert_eq!(a.quotes.len(), 3, "{:#?}", a.quotes);
    for (quote, start) in a.quotes.iter().zip(starts) {
        assert!(quote.text.starts_with(start), "{quote:?}");
        assert_eq!(
            quote.speaker.as_deref(),
            Some("Sergueï Lavrov"),
            "{quote:?}"
        );
    }
}

#[test]
fn the_button_label_and_the_reported_speech_are_not_direct_quotes() {
    let a = analyze(FIXTURE, &AnalyzeConfig::default());
    assert!(a.quotes.iter().all(|q| q.text != "Join"));
    assert!(
        a.quotes
            .iter()
            .all(|q| !q.text.contains("dialogue professionnel"))
    );
    assert!(a.quotes.iter().all(|q| !q.text.contains("aurait salué")));
}

#[test]
fn the_entities_are_found_with_their_kinds() {
    let a = analyze(FIXTURE, &AnalyzeConfig::default());
    let find = |text: &str| {
        a.entities
            .iter()
            .find(|e| e.text == text)
            .unwrap_or_else(|| panic!("{text} not in {:#?}", a.entities))
    };
    assert_eq!(find("Sergueï Lavrov").kind, EntityKind::Person);
    assert_eq!(find("Sergueï Lavrov").count, 3);
    assert_eq!(find("Obama").kind, EntityKind::Person);
    for place in ["Russie", "Syrie", "Astana", "Moscou"] {
        assert_eq!(find(place).kind, EntityKind::Place, "{place}");
    }
    assert_eq!(find("Front al-Nosra").kind, EntityKind::Organisation);
    // Daech and État islamique are one entity.
    let daech = a
        .entities
        .iter()
        .find(|e| e.key == "islamic state")
        .unwrap();
    assert_eq!(daech.count, 4);
    assert_eq!(daech.kind, EntityKind::Organisation);
}

#[test]
fn quotations_over_several_sentences_stay_one_sentence() {
    let a = analyze(FIXTURE, &AnalyzeConfig::default());
    assert!(
        a.sentences
            .iter()
            .any(|s| s.starts_with("« Nous préférions") && s.ends_with("a précisé le ministre."))
    );
}

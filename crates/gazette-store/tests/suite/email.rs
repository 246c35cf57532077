//! The e-mail part of the store contract (unsubscriptions), and search.

use gazette_core::*;

use super::t0;

pub async fn email_unsubscribes_are_per_channel_and_ignore_case(store: &dyn Store) {
    assert!(
        !store
            .email_unsubscribed("briefing", "reader@example.org")
            .await
            .unwrap()
    );
    assert!(
        store
            .unsubscribe_email("briefing", "Reader@Example.org", t0())
            .await
            .unwrap()
    );
    assert!(
        !store
            .unsubscribe_email("briefing", "reader@example.org", t0())
            .await
            .unwrap(),
        "a second unsubscription changes nothing"
    );
    assert!(
        store
            .email_unsubscribed("briefing", "READER@example.org")
            .await
            .unwrap()
    );
    assert!(
        !store
            .email_unsubscribed("evening", "reader@example.org")
            .await
            .unwrap()
    );
    assert!(
        !store
            .email_unsubscribed("briefing", "other@example.org")
            .await
            .unwrap()
    );
}

pub async fn search_finds_articles_holding_every_word_newest_first(store: &dyn Store) {
    let (source, _) = store
        .add_source(
            &NewSource {
                url: "https://s.example/feed".parse().unwrap(),
                title: None,
                site_url: None,
            },
            t0(),
        )
        .await
        .unwrap();
    let article = |n: i64, title: &str, text: &str| NewArticle {
        source_id: source.id,
        entry_id: None,
        url: format!("https://s.example/{n}").parse().unwrap(),
        outlet: "s.example".into(),
        title: title.into(),
        discovered_at: t0() + jiff::SignedDuration::from_mins(n),
        content: ArticleContent {
            text: text.into(),
            ..ArticleContent::default()
        },
    };
    let (storm, _) = store
        .insert_article(&article(
            1,
            "Storm hits Brest",
            "Winds of 150 km/h on the coast.",
        ))
        .await
        .unwrap();
    let (later, _) = store
        .insert_article(&article(
            2,
            "Brest counts the damage",
            "After the storm, roofs and boats.",
        ))
        .await
        .unwrap();
    let (other, _) = store
        .insert_article(&article(3, "Budget vote", "Parliament passes the budget."))
        .await
        .unwrap();
    let story = store.create_story(storm, t0()).await.unwrap();
    let ids = |hits: Vec<SearchHit>| hits.iter().map(|h| h.article.id).collect::<Vec<_>>();

    let hits = store.search_articles("STORM", 10).await.unwrap();
    assert_eq!(
        ids(hits.clone()),
        [later, storm],
        "title or text, any case, newest first"
    );
    assert_eq!(hits[1].story_id, Some(story));
    assert_eq!(hits[0].story_id, None);
    assert_eq!(
        hits[1].article,
        store.article(storm).await.unwrap().unwrap()
    );
    assert_eq!(
        ids(store
            .search_articles("storm brest coast", 10)
            .await
            .unwrap()),
        [storm],
        "every word"
    );
    assert_eq!(
        ids(store.search_articles("storm", 1).await.unwrap()),
        [later]
    );
    assert_eq!(
        ids(store.search_articles("budget", 10).await.unwrap()),
        [other]
    );
    assert!(
        store
            .search_articles("hurricane", 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Operators of either backend's query language are plain text here.
    for hostile in [
        "\"storm",
        "storm OR budget",
        "storm & !budget",
        "title:storm",
        "*",
        "",
        "  ",
        "NEAR(storm",
    ] {
        let hits = store.search_articles(hostile, 10).await.unwrap();
        assert!(
            hits.iter()
                .all(|h| h.article.id != other || hostile.contains("budget")),
            "{hostile:?}"
        );
    }
    assert!(
        store
            .search_articles("storm OR budget", 10)
            .await
            .unwrap()
            .is_empty(),
        "\"or\" is a word"
    );
}

//! Rendering tests: golden files for every format, hostile input in every
//! format, the Telegram splitter, and user template overrides.
//!
//! Golden files live in `tests/golden/`; `UPDATE_FIXTURES=1 cargo test -p
//! gazette-editions` rewrites them from the current output (review the diff).

use std::path::{Path, PathBuf};

use gazette_core::{Format, NewEdition, Quote, RankedStory, SourceLink, StoryId};
use gazette_editions::{RenderError, Renderer};

const TELEGRAM_LIMIT: usize = 4096;

fn fixture() -> NewEdition {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/edition.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn french(mut edition: NewEdition) -> NewEdition {
    edition.lang = "fr".into();
    edition
}

fn renderer() -> Renderer {
    Renderer::new(None).unwrap()
}

fn render(edition: &NewEdition, title: &str, format: Format) -> Vec<String> {
    let rendered = renderer().render(edition, title, format).unwrap();
    assert_eq!(rendered.format, format);
    rendered.parts
}

/// Compares `actual` with `tests/golden/<name>`, or rewrites it with `UPDATE_FIXTURES=1`.
fn assert_golden(name: &str, actual: &str) {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "golden", name]
        .iter()
        .collect();
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_FIXTURES=1 to create it)",
            path.display()
        )
    });
    assert_eq!(
        actual,
        expected,
        "{} differs; UPDATE_FIXTURES=1 rewrites it",
        path.display()
    );
}

fn single(parts: Vec<String>) -> String {
    assert_eq!(parts.len(), 1, "expected one part");
    parts.into_iter().next().unwrap()
}

#[test]
fn golden_text() {
    assert_golden(
        "edition-en.txt",
        &single(render(&fixture(), "Morning Briefing", Format::Text)),
    );
    assert_golden(
        "edition-fr.txt",
        &single(render(&french(fixture()), "Le Brief", Format::Text)),
    );
}

#[test]
fn golden_html() {
    assert_golden(
        "edition-en.html",
        &single(render(&fixture(), "Morning Briefing", Format::Html)),
    );
    assert_golden(
        "edition-fr.html",
        &single(render(&french(fixture()), "Le Brief", Format::Html)),
    );
}

#[test]
fn golden_telegram() {
    let en = single(render(&fixture(), "Morning Briefing", Format::Telegram));
    assert_golden("edition-en.telegram.html", &en);
    let fr = single(render(&french(fixture()), "Le Brief", Format::Telegram));
    assert_golden("edition-fr.telegram.html", &fr);
}

#[test]
fn golden_json() {
    assert_golden(
        "edition.json",
        &single(render(&fixture(), "Morning Briefing", Format::Json)),
    );
}

#[test]
fn json_keeps_the_contract_keys() {
    let json: serde_json::Value = serde_json::from_str(&single(render(
        &fixture(),
        "Morning Briefing",
        Format::Json,
    )))
    .unwrap();
    assert_eq!(json["channel"], "briefing");
    assert_eq!(json["slot"], "2026-01-15T07:30:00+01:00");
    assert_eq!(json["title"], "Morning Briefing");
    let story = &json["stories"][0];
    assert_eq!(
        story["title"],
        "Storm Goretti cuts power to 200,000 homes in Brittany"
    );
    assert_eq!(
        story["summary"],
        "Winds of up to 150 km/h swept across Brittany overnight. \
         Enedis said power would be restored to most homes by Friday evening."
    );
    assert_eq!(
        story["sources"][0]["url"],
        "https://www.ouest-france.fr/meteo/tempete-goretti"
    );
    assert_eq!(story["sources"][0]["outlet"], "ouest-france.fr");
    assert_eq!(story["outlet_count"], 6);
    assert_eq!(json["stories"][1]["update"], true);
}

// ---------------------------------------------------------------------------
// Hostile input
// ---------------------------------------------------------------------------

const HOSTILE_TITLE: &str = "<script>alert(\"x\")</script> & 'Tom' \u{1b}[2J\r\nRiot";

#[test]
fn golden_email() {
    assert_golden(
        "edition-en.email.html",
        &single(render(&fixture(), "Morning Briefing", Format::Email)),
    );
}

#[test]
fn golden_atom_entry() {
    assert_golden(
        "edition-en.atom.xml",
        &single(render(&fixture(), "Morning Briefing", Format::Atom)),
    );
}

/// The text content of the first `<name>` element of an XML document, unescaped.
fn xml_text(xml: &str, name: &str) -> String {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut inside = false;
    let mut text = String::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) if e.local_name().as_ref() == name => inside = true,
            Event::End(e) if e.local_name().as_ref() == name => return text,
            Event::Text(t) if inside => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if inside => {
                let name: &str = r.as_ref();
                let resolved = quick_xml::escape::resolve_predefined_entity(name)
                    .map(str::to_string)
                    .or_else(|| r.resolve_char_ref().unwrap().map(String::from))
                    .unwrap_or_else(|| panic!("unknown entity &{name};"));
                text.push_str(&resolved);
            }
            Event::Eof => panic!("no <{name}> in {xml}"),
            _ => {}
        }
    }
}

#[test]
fn atom_entry_content_is_the_html_rendering_escaped_once() {
    for edition in [fixture(), hostile_edition()] {
        let entry = single(render(&edition, "Brief <&>", Format::Atom));
        let html = single(render(&edition, "Brief <&>", Format::Html));
        assert_eq!(xml_text(&entry, "content"), html.trim_end(), "{entry}");
        assert!(
            xml_text(&entry, "title").starts_with("Brief <&> · "),
            "{entry}"
        );
        assert_eq!(
            xml_text(&entry, "id"),
            gazette_editions::atom_id(&edition),
            "{entry}"
        );
    }
}

#[test]
fn email_wraps_the_html_rendering_in_a_document() {
    let email = single(render(&hostile_edition(), "Brief", Format::Email));
    let html = single(render(&hostile_edition(), "Brief", Format::Html));
    assert!(email.starts_with("<!doctype html>"), "{email}");
    assert!(email.contains(html.trim_end()), "{email}");
    assert!(!email.contains("<script"), "{email}");
}

fn hostile_edition() -> NewEdition {
    let mut edition = fixture();
    let story = &mut edition.stories[0];
    story.title = HOSTILE_TITLE.into();
    story.summary = vec!["</b><a href=\"javascript:alert(1)\">click</a> &amp; &#x3C;".into()];
    story.key_quote = Some(Quote {
        text: "\"><img src=x onerror=alert(1)>".into(),
        speaker: Some("Smith & <Sons>".into()),
    });
    story.sources = vec![
        SourceLink {
            url: "javascript:alert(document.cookie)".parse().unwrap(),
            outlet: "<b>evil</b>".into(),
            title: "\" onmouseover=\"alert(1)".into(),
            lang: "en".into(),
        },
        SourceLink {
            url: "https://news.example/a?x=1&y=\"><script>".parse().unwrap(),
            outlet: "news.example".into(),
            title: "It's \"quoted\"".into(),
            lang: "en".into(),
        },
        SourceLink {
            url: "data:text/html,<script>alert(1)</script>".parse().unwrap(),
            outlet: "data".into(),
            title: "data".into(),
            lang: "en".into(),
        },
    ];
    edition
}

/// Checks Telegram's HTML subset: only its tags (`a` with `href` only, to
/// http(s)), balanced, and every `&` starting an entity Telegram knows.
fn assert_telegram_html(message: &str) {
    const TAGS: [&str; 8] = ["b", "i", "u", "s", "a", "code", "pre", "blockquote"];
    let mut open: Vec<String> = Vec::new();
    let mut rest = message;
    while let Some(i) = rest.find(['<', '&', '>', '"']) {
        let c = rest[i..].chars().next().unwrap();
        let tail = &rest[i..];
        match c {
            '<' => {
                let end = tail
                    .find('>')
                    .unwrap_or_else(|| panic!("unclosed tag in {message:?}"));
                let tag = &tail[1..end];
                if let Some(name) = tag.strip_prefix('/') {
                    assert_eq!(
                        open.pop().as_deref(),
                        Some(name),
                        "unbalanced </{name}> in {message:?}"
                    );
                } else {
                    let (name, attrs) = tag.split_once(' ').unwrap_or((tag, ""));
                    assert!(
                        TAGS.contains(&name),
                        "tag <{name}> not allowed in {message:?}"
                    );
                    if name == "a" {
                        let href = attrs
                            .strip_prefix("href=\"")
                            .and_then(|a| a.strip_suffix('"'));
                        let href = href.unwrap_or_else(|| panic!("bad <a {attrs}> in {message:?}"));
                        assert!(
                            href.starts_with("http://") || href.starts_with("https://"),
                            "{href}"
                        );
                        assert!(!href.contains(['"', '<', '>']), "{href}");
                        assert_telegram_html(href); // entities inside the attribute
                    } else {
                        assert_eq!(attrs, "", "attributes on <{name}> in {message:?}");
                    }
                    open.push(name.to_string());
                }
                rest = &tail[end + 1..];
            }
            '&' => {
                let entity = tail.split_inclusive(';').next().unwrap();
                let known = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"];
                assert!(
                    known.contains(&entity),
                    "bare or unknown entity {entity:?} in {message:?}"
                );
                rest = &tail[entity.len()..];
            }
            _ => panic!("unescaped {c:?} outside a tag in {message:?}"),
        }
    }
    assert!(open.is_empty(), "unclosed {open:?} in {message:?}");
}

#[test]
fn hostile_text_in_html_is_escaped() {
    let html = single(render(
        &hostile_edition(),
        "<i>Title</i> & \"co\"",
        Format::Html,
    ));
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("<b>evil"), "{html}");
    assert!(!html.contains("javascript:alert(document"), "{html}");
    assert!(!html.contains("data:text"), "{html}");
    assert!(!html.contains("onmouseover=\""), "{html}");
    assert!(
        html.contains("<h1>&lt;i&gt;Title&lt;/i&gt; &amp; &quot;co&quot;</h1>"),
        "{html}"
    );
    assert!(
        html.contains(
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Tom&#39; [2J Riot"
        ),
        "{html}"
    );
    // Already-escaped text is escaped again: it is text, not markup.
    assert!(html.contains("&amp;amp; &amp;#x3C;"), "{html}");
    assert!(
        html.contains("href=\"https://news.example/a?x=1&amp;y=%22%3E%3Cscript%3E\""),
        "{html}"
    );
    for link in html.split("<a ").skip(1) {
        assert!(link.starts_with("href=\"https://"), "{link}");
    }
    // The non-http sources are still named, without a link.
    assert!(html.contains("<li>&lt;b&gt;evil&lt;/b&gt;</li>"), "{html}");
}

#[test]
fn hostile_text_in_telegram_is_escaped_and_in_the_subset() {
    let parts = render(
        &hostile_edition(),
        "<i>Title</i> & \"co\"",
        Format::Telegram,
    );
    for part in &parts {
        assert_telegram_html(part);
    }
    let all = parts.concat();
    assert!(
        all.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Tom&#39;"),
        "{all}"
    );
    assert!(
        all.contains(
            "<a href=\"https://news.example/a?x=1&amp;y=%22%3E%3Cscript%3E\">news.example</a>"
        ),
        "{all}"
    );
    assert!(!all.contains("javascript:alert(document"), "{all}");
}

#[test]
fn hostile_text_in_plain_text_cannot_drive_a_terminal() {
    let text = single(render(
        &hostile_edition(),
        "Title\u{1b}]0;pwned\u{7}",
        Format::Text,
    ));
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{text:?}"
    );
    assert!(text.starts_with("Title ]0;pwned\n"), "{text:?}");
    // The title stays on its line.
    assert!(
        text.contains("\n1. <script>alert(\"x\")</script> & 'Tom' [2J Riot\n"),
        "{text}"
    );
    // Links are printed only for http(s) sources.
    assert!(!text.contains("javascript:alert(document"), "{text}");
    assert!(!text.contains("data:text"), "{text}");
    assert!(text.contains("   - <b>evil</b>\n"), "{text}");
}

#[test]
fn hostile_text_in_json_round_trips_exactly() {
    let edition = hostile_edition();
    let json = single(render(&edition, "<i>T</i>", Format::Json));
    assert!(
        !json.contains('\u{1b}'),
        "control characters are escaped by JSON"
    );
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["title"], "<i>T</i>");
    assert_eq!(value["stories"][0]["title"], HOSTILE_TITLE);
    assert_eq!(
        value["stories"][0]["summary"],
        edition.stories[0].summary[0].as_str()
    );
    assert_eq!(
        value["stories"][0]["sources"][0]["url"],
        "javascript:alert(document.cookie)"
    );
}

// ---------------------------------------------------------------------------
// Telegram splitting
// ---------------------------------------------------------------------------

fn long_story(id: i64, sentence_len: usize) -> RankedStory {
    let mut story = fixture().stories[0].clone();
    story.story_id = StoryId(id);
    story.title = format!("Story number {id} & more");
    story.summary = vec![
        format!("Story {id} says: {}", "<news> & ".repeat(sentence_len / 9)),
        format!("End of story {id}."),
    ];
    story
}

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

#[test]
fn telegram_splits_many_long_stories_at_story_boundaries() {
    let mut edition = fixture();
    edition.stories = (1..=30).map(|id| long_story(id, 900)).collect();
    let parts = render(&edition, "Morning Briefing", Format::Telegram);
    assert!(
        parts.len() > 5,
        "30 stories of ~2,000 characters need several messages"
    );
    for part in &parts {
        assert!(
            utf16_len(part) <= TELEGRAM_LIMIT,
            "{} > {TELEGRAM_LIMIT}",
            utf16_len(part)
        );
        assert_telegram_html(part);
    }
    assert!(parts[0].starts_with("<b>Morning Briefing</b>"));
    for part in &parts[1..] {
        assert!(
            part.starts_with("<b>"),
            "a message starts with a story: {part:.40}"
        );
    }
    // Nothing lost, nothing repeated, in order: each story appears whole exactly once.
    let all = parts.join("\n\n");
    let mut last = 0;
    for id in 1..=30 {
        let heading = format!("<b>{id}. Story number {id} &amp; more</b>");
        assert_eq!(all.matches(&heading).count(), 1, "story {id}");
        let position = all.find(&heading).unwrap();
        assert!(position >= last, "story {id} out of order");
        last = position;
        assert_eq!(
            all.matches(&format!("End of story {id}.")).count(),
            1,
            "story {id} cut"
        );
        let part = parts.iter().find(|p| p.contains(&heading)).unwrap();
        assert!(
            part.contains(&format!("End of story {id}.")),
            "story {id} split across messages"
        );
    }
}

#[test]
fn telegram_shortens_a_story_longer_than_a_message_without_breaking_markup() {
    let mut edition = fixture();
    let mut giant = long_story(1, 20_000);
    giant.sources = (0..200)
        .map(|i| SourceLink {
            url: format!("https://outlet{i}.example/a?b=1&c=2")
                .parse()
                .unwrap(),
            outlet: format!("outlet{i}.example"),
            title: format!("Title {i}"),
            lang: "en".into(),
        })
        .collect();
    edition.stories = vec![long_story(2, 100), giant, long_story(3, 100)];
    let parts = render(&edition, "Morning Briefing", Format::Telegram);
    for part in &parts {
        assert!(
            utf16_len(part) <= TELEGRAM_LIMIT,
            "{} > {TELEGRAM_LIMIT}",
            utf16_len(part)
        );
        assert_telegram_html(part);
    }
    let all = parts.join("\n\n");
    let giant_part = parts
        .iter()
        .find(|p| p.contains("<b>2. Story number 1"))
        .expect("the giant story is kept");
    assert!(
        giant_part
            .contains("<a href=\"https://outlet0.example/a?b=1&amp;c=2\">outlet0.example</a>")
    );
    assert!(giant_part.contains('…'), "the cut is marked");
    assert!(
        utf16_len(giant_part) > TELEGRAM_LIMIT - 200,
        "shortened only as much as needed"
    );
    assert!(all.contains("End of story 2.") && all.contains("End of story 3."));
}

#[test]
fn telegram_shortening_never_cuts_inside_an_entity() {
    let mut edition = fixture();
    let mut story = long_story(1, 0);
    story.summary = vec!["&".repeat(5000)];
    edition.stories = vec![story];
    let parts = render(&edition, "Morning Briefing", Format::Telegram);
    for part in &parts {
        assert!(utf16_len(part) <= TELEGRAM_LIMIT);
        assert_telegram_html(part);
    }
    assert!(parts.concat().contains("&amp;…"));
}

#[test]
fn empty_edition_says_so() {
    let mut edition = french(fixture());
    edition.stories.clear();
    let parts = render(&edition, "Le Brief", Format::Telegram);
    assert_eq!(parts.len(), 1);
    assert!(
        parts[0].ends_with("Rien de nouveau depuis la dernière édition."),
        "{}",
        parts[0]
    );
    let text = single(render(&edition, "Le Brief", Format::Text));
    assert!(
        text.ends_with("\n\nRien de nouveau depuis la dernière édition.\n"),
        "{text}"
    );
}

// ---------------------------------------------------------------------------
// User templates
// ---------------------------------------------------------------------------

#[test]
fn user_template_overrides_only_its_own_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("edition.txt.j2"),
        "{% include \"head.txt.j2\" %}{% for s in stories %}* {{ s.title }}\n{% endfor %}",
    )
    .unwrap();
    std::fs::write(dir.path().join("head.txt.j2"), "== {{ title }} ==\n").unwrap();
    std::fs::write(dir.path().join("notes.md"), "not a template {%").unwrap();
    let custom = Renderer::new(Some(dir.path())).unwrap();
    let text = custom.render(&fixture(), "Mine", Format::Text).unwrap();
    assert_eq!(
        text.parts,
        [
            "== Mine ==\n* Storm Goretti cuts power to 200,000 homes in Brittany\n\
          * Central bank holds rates as inflation eases\n* Museum returns 12 bronzes to Benin\n"
        ]
    );
    let html = custom.render(&fixture(), "Mine", Format::Html).unwrap();
    assert_eq!(
        html,
        renderer().render(&fixture(), "Mine", Format::Html).unwrap()
    );
}

#[test]
fn user_html_template_is_escaped_too() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("edition.html.j2"),
        "<p>{{ stories[0].title }}</p>",
    )
    .unwrap();
    let renderer = Renderer::new(Some(dir.path())).unwrap();
    let html = renderer
        .render(&hostile_edition(), "T", Format::Html)
        .unwrap();
    assert!(
        html.parts[0].starts_with("<p>&lt;script&gt;"),
        "{}",
        html.parts[0]
    );
}

#[test]
fn template_syntax_error_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("edition.html.j2");
    std::fs::write(&path, "<h1>{{ title }}</h1>\n\n{% if %}\n").unwrap();
    let error = Renderer::new(Some(dir.path())).unwrap_err();
    match &error {
        RenderError::Template { file, line, .. } => {
            assert_eq!(file, &path.display().to_string());
            assert_eq!(*line, Some(3));
        }
        other => panic!("expected a template error, got {other:?}"),
    }
    assert!(
        error.to_string().contains(", line 3: syntax error"),
        "{error}"
    );
}

#[test]
fn template_render_error_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("telegram_story.html.j2");
    std::fs::write(
        &path,
        "<b>{{ story.title }}</b>\n{{ story.no_such_field }}\n",
    )
    .unwrap();
    let renderer = Renderer::new(Some(dir.path())).unwrap();
    let error = renderer
        .render(&fixture(), "T", Format::Telegram)
        .unwrap_err();
    match error {
        RenderError::Template { file, line, .. } => {
            assert_eq!(file, path.display().to_string());
            assert_eq!(line, Some(2));
        }
        other => panic!("expected a template error, got {other:?}"),
    }
}

#[test]
fn missing_template_dir_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    match Renderer::new(Some(&missing)).unwrap_err() {
        RenderError::ReadDir { path, .. } => assert_eq!(path, missing),
        other => panic!("expected ReadDir, got {other:?}"),
    }
}

#[test]
fn telegram_template_too_long_even_shortened_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("telegram_story.html.j2"),
        "{{ story.title }}{% for i in range(5000) %}x{% endfor %}",
    )
    .unwrap();
    let renderer = Renderer::new(Some(dir.path())).unwrap();
    match renderer
        .render(&fixture(), "T", Format::Telegram)
        .unwrap_err()
    {
        RenderError::TooLong { file, limit } => {
            assert!(file.ends_with("telegram_story.html.j2"), "{file}");
            assert_eq!(limit, TELEGRAM_LIMIT);
        }
        other => panic!("expected TooLong, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// Property: whatever the articles say, Telegram parts fit and parse
// ---------------------------------------------------------------------------

mod telegram_property {
    use proptest::prelude::*;

    use super::*;

    /// Text with everything that can break HTML or the length count: markup
    /// characters, entities, astral characters (two UTF-16 units), controls.
    fn nasty_text(max: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just("<".to_string()),
                Just(">".to_string()),
                Just("&".to_string()),
                Just("\"".to_string()),
                Just("&amp;".to_string()),
                Just("<b>".to_string()),
                Just("</a>".to_string()),
                Just("😀".to_string()),
                Just("\u{202e}".to_string()),
                Just("\n".to_string()),
                "[a-zA-Zé ]{1,12}",
            ],
            0..max,
        )
        .prop_map(|pieces| pieces.concat())
    }

    fn story_strategy() -> impl Strategy<Value = RankedStory> {
        (
            nasty_text(40),
            proptest::collection::vec(nasty_text(300), 0..4),
            proptest::option::of((nasty_text(200), proptest::option::of(nasty_text(8)))),
            proptest::collection::vec((nasty_text(6), nasty_text(30)), 1..6),
            any::<bool>(),
        )
            .prop_map(|(title, summary, quote, sources, update)| {
                let mut story = fixture().stories[0].clone();
                story.title = title;
                story.summary = summary;
                story.key_quote = quote.map(|(text, speaker)| Quote { text, speaker });
                story.sources = sources
                    .into_iter()
                    .enumerate()
                    .map(|(i, (outlet, title))| SourceLink {
                        url: format!("https://news{i}.example/a?q=<&>").parse().unwrap(),
                        outlet,
                        title,
                        lang: "en".into(),
                    })
                    .collect();
                story.update = update;
                story
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn every_telegram_part_fits_and_is_valid_bot_api_html(
            stories in proptest::collection::vec(story_strategy(), 0..30),
            title in nasty_text(20),
            french in any::<bool>(),
        ) {
            let mut edition = fixture();
            edition.stories = stories;
            if french {
                edition.lang = "fr".into();
            }
            let parts = render(&edition, &title, Format::Telegram);
            prop_assert!(!parts.is_empty());
            for part in &parts {
                prop_assert!(
                    part.encode_utf16().count() <= TELEGRAM_LIMIT,
                    "part of {} UTF-16 units",
                    part.encode_utf16().count()
                );
                assert_telegram_html(part);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Regressions found by fuzzing (fuzz/README.md)
// ---------------------------------------------------------------------------

/// `fuzz/regressions/telegram_render/empty-summary-sentence`: a summary
/// sentence or a quote that cleans to nothing (empty, spaces, control or bidi
/// characters only) rendered a blank line inside a Telegram story (which reads
/// as a message break) and an empty `«  »` quote.
#[test]
fn texts_that_clean_to_nothing_leave_no_blank_lines() {
    let mut edition = french(fixture());
    let story = &mut edition.stories[0];
    story.title = ": : :".into();
    story.summary = vec![String::new(), " \u{7}\t".into(), "\u{202E}".into()];
    story.key_quote = Some(Quote {
        text: " \u{1b} ".into(),
        speaker: None,
    });
    edition.stories.truncate(1);
    let telegram = single(render(&edition, "", Format::Telegram));
    let (_, story) = telegram.split_once("\n\n").expect("header, then the story");
    assert!(
        !story.contains("\n\n"),
        "a blank line in the story: {story:?}"
    );
    assert!(story.starts_with("<b>1. : : :</b>\nSources"), "{story:?}");
    assert!(!story.contains("blockquote"), "{story:?}");
    let html = single(render(&edition, "T", Format::Html));
    assert!(!html.contains("<blockquote"), "{html}");
    let text = single(render(&edition, "T", Format::Text));
    assert!(!text.contains("«"), "{text}");
}

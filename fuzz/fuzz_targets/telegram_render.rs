//! Telegram rendering and splitting (`Renderer::render(…, Format::Telegram)`)
//! and the plain-text fallback (`gazette_deliver::telegram::plain_text`), on
//! editions with arbitrary stories. Invariants, beyond "no panic":
//! - every part is at most 4,096 UTF-16 units, and so is its plain-text fallback;
//! - every part is HTML Telegram accepts (the simulator's parser: tags
//!   balanced and allowed, entities known);
//! - nothing is lost or reordered: the parts joined again hold the header and
//!   every story, numbered 1…n in order, and a part starts only at a story;
//! - splitting is greedy: a part is split off only when the next story did not fit;
//! - a short story is not shortened: its whole title is there.
#![no_main]

use arbitrary::Arbitrary;
use gazette_core::{Format, NewEdition, Quote, RankedStory, Signal, SourceLink, StoryId};
use gazette_deliver::telegram::plain_text;
use gazette_editions::Renderer;
use gazette_telegram_sim::html;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;
use url::Url;

const LIMIT: usize = 4096;
const SEPARATOR: &str = "\n\n";

#[derive(Debug, Arbitrary)]
struct Input {
    title: String,
    french: bool,
    stories: Vec<StoryIn>,
}

#[derive(Debug, Arbitrary)]
struct StoryIn {
    title: String,
    /// Repeats the title and summary sentences, to reach the limit.
    repeat: u8,
    summary: Vec<String>,
    quote: Option<(String, Option<String>)>,
    sources: Vec<(String, String, String)>,
    reasons: Vec<String>,
    update: bool,
    outlet_count: u32,
}

static RENDERER: LazyLock<Renderer> = LazyLock::new(|| Renderer::new(None).unwrap());
static BASE: LazyLock<NewEdition> = LazyLock::new(|| {
    serde_json::from_str(include_str!(
        "../../crates/gazette-editions/tests/fixtures/edition.json"
    ))
    .unwrap()
});

fn utf16(s: &str) -> usize {
    s.encode_utf16().count()
}

/// What the templates do to a text: controls and bidi overrides out, spaces
/// collapsed, then the five HTML entities.
fn cleaned_escaped(s: &str) -> String {
    let visible: String = s
        .chars()
        .filter(|&c| !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    visible
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn story(i: usize, s: &StoryIn) -> (RankedStory, usize) {
    let times = 1 + usize::from(s.repeat) % 48;
    let base = Url::parse("https://news.example/").unwrap();
    let sources: Vec<SourceLink> = s
        .sources
        .iter()
        .take(8)
        .filter_map(|(url, outlet, title)| {
            let url = Url::parse(url).or_else(|_| base.join(url)).ok()?;
            Some(SourceLink {
                url,
                outlet: outlet.clone(),
                title: title.clone(),
                lang: "en".into(),
            })
        })
        .collect();
    let story = RankedStory {
        story_id: StoryId(i as i64 + 1),
        title: s.title.repeat(times),
        score: 1.0,
        signals: s
            .reasons
            .iter()
            .take(4)
            .map(|r| Signal {
                name: "outlets".into(),
                value: 1.0,
                contribution: 1.0,
                reason: r.clone(),
            })
            .collect(),
        summary: s.summary.iter().take(3).map(|x| x.repeat(times)).collect(),
        key_quote: s.quote.as_ref().map(|(text, speaker)| Quote {
            text: text.repeat(times),
            speaker: speaker.clone(),
        }),
        sources,
        outlet_count: s.outlet_count,
        article_count: s.outlet_count,
        languages: vec!["en".into()],
        first_seen: BASE.window_start,
        last_seen: BASE.window_end,
        update: s.update,
    };
    // Everything the story's template can show, escaped at worst 6 bytes a byte.
    let size = story.title.len()
        + story.summary.iter().map(String::len).sum::<usize>()
        + story.key_quote.as_ref().map_or(0, |q| {
            q.text.len() + q.speaker.as_ref().map_or(0, String::len)
        })
        + story
            .sources
            .iter()
            .map(|s| s.url.as_str().len() + s.outlet.len() + s.title.len())
            .sum::<usize>()
        + story.signals.iter().map(|s| s.reason.len()).sum::<usize>();
    (story, size)
}

fuzz_target!(|input: Input| {
    let mut edition = BASE.clone();
    edition.lang = if input.french { "fr" } else { "en" }.into();
    let (stories, sizes): (Vec<_>, Vec<_>) = input
        .stories
        .iter()
        .take(40)
        .enumerate()
        .map(|(i, s)| story(i, s))
        .unzip();
    edition.stories = stories;
    let parts = match RENDERER.render(&edition, &input.title, Format::Telegram) {
        Ok(rendered) => rendered.parts,
        // Only a template too long for a message may refuse; the built-in ones never are.
        Err(e) => panic!("the built-in Telegram templates failed: {e}"),
    };
    assert!(!parts.is_empty());
    for part in &parts {
        assert!(!part.is_empty(), "an empty part");
        assert!(
            utf16(part) <= LIMIT,
            "a part of {} UTF-16 units",
            utf16(part)
        );
        if let Err(e) = html::parse(part) {
            panic!("Telegram would refuse this part ({e}):\n{part}");
        }
        let plain = plain_text(part);
        assert!(
            utf16(&plain) <= LIMIT,
            "the plain-text fallback of a part is {} UTF-16 units",
            utf16(&plain)
        );
    }

    // The pieces: the header, then one per story, in order, each whole in one part.
    let header = format!("<b>{}</b>", cleaned_escaped(&input.title));
    assert!(parts[0].starts_with(&header), "the header is not first");
    let mut pieces_per_part = Vec::new();
    let mut next = 1;
    for (p, part) in parts.iter().enumerate() {
        let mut count = 0;
        for (k, piece) in part.split(SEPARATOR).enumerate() {
            if p == 0 && k == 0 {
                continue; // the header
            }
            if piece.starts_with("<b>") {
                let marker = format!("<b>{next}. ");
                if edition.stories.is_empty() {
                    panic!("a story piece in an empty edition: {piece}");
                }
                assert!(piece.starts_with(&marker), "expected story {next}: {piece}");
                if sizes[next - 1] * 6 + 600 < LIMIT {
                    let title = cleaned_escaped(&edition.stories[next - 1].title);
                    assert!(
                        piece.contains(&format!("{marker}{title}</b>")),
                        "a short story was shortened: {piece}"
                    );
                }
                next += 1;
                count += 1;
            } else {
                // A piece's own lines never start with a tag but its first.
                assert!(k > 0, "a part starts inside a piece: {part}");
                if !(p == 0 && k == 1 && edition.stories.is_empty()) {
                    // Text after a blank line is only the empty-edition label.
                    panic!("a blank line inside a story: {part}");
                }
            }
        }
        pieces_per_part.push(count);
    }
    assert_eq!(next - 1, edition.stories.len(), "stories lost");
    // Greedy: the first story of each part did not fit in the previous one.
    for p in 1..parts.len() {
        let first = parts[p].split(SEPARATOR).next().unwrap();
        assert!(
            utf16(&parts[p - 1]) + utf16(SEPARATOR) + utf16(first) > LIMIT,
            "part {p} was split off although its first story fitted"
        );
    }
});

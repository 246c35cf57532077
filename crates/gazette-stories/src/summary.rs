//! A story's summary and key quote, taken from its articles' own words.
//!
//! **Summary**: one to three sentences drawn from the whole story. Candidates
//! are the description and the opening sentences of every article written in
//! the lead's language (mixing languages in three sentences reads badly);
//! real sentences only (long enough, ending with punctuation, so headings and
//! photo credits are skipped), none repeating the title. Each candidate scores
//! by *centrality* (how much of its vocabulary the story's other articles
//! share: a sentence the outlets agree on states the facts) times a *position*
//! prior (openings carry the news) with a bonus for the lead article. The best
//! is taken, then further sentences by maximal marginal relevance: score minus
//! similarity to what is already taken, and nothing that mostly repeats it.
//! At most [`MAX_SUMMARY_CHARS`] beyond the first sentence. The sentences
//! chosen are then read in the order of the articles (lead first) and of
//! their place in them, so the summary flows as the articles do.
//!
//! **Key quote**: a direct quotation of a reasonable length, preferring one
//! whose speaker is known (`gazette_text::attribution`), from the lead first.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;

use gazette_core::{Article, ArticleId, Quote};
use gazette_text::{attribution, entities, fold, quotations, sentences, terms, words};

/// Most sentences in a summary.
const MAX_SENTENCES: usize = 3;
/// Characters a summary may reach before a further sentence is left out.
const MAX_SUMMARY_CHARS: usize = 400;
/// Shortest sentence worth a summary, in characters.
const MIN_SENTENCE_CHARS: usize = 40;
/// Opening sentences of each article considered (after its description).
const OPENING_SENTENCES: usize = 6;
/// Weight of the lead article's sentences: the summary speaks with the
/// headline's voice, and other outlets add what the lead lacks.
const LEAD_BONUS: f64 = 2.0;
/// How fast the position prior decays with a sentence's place in its article.
const POSITION_DECAY: f64 = 0.3;
/// Relevance a sentence has even when no other article shares its words.
const CENTRALITY_FLOOR: f64 = 0.05;
/// Trade-off between relevance and novelty when adding sentences.
const MMR_LAMBDA: f64 = 0.7;
/// A sentence this similar to one already taken is a repeat.
const MAX_OVERLAP: f64 = 0.5;
/// Length of a key quote, in characters.
const QUOTE_CHARS: RangeInclusive<usize> = 30..=300;
/// Fewest words in a key quote (button labels and scare quotes are shorter).
const QUOTE_MIN_WORDS: usize = 5;

/// The articles in reading order: `lead` first, then the others as given.
fn lead_first(lead: ArticleId, articles: &[Article]) -> impl Iterator<Item = &Article> {
    let (leads, others): (Vec<&Article>, Vec<&Article>) =
        articles.iter().partition(|a| a.id == lead);
    leads.into_iter().chain(others)
}

/// A summary sentence candidate.
struct Candidate<'a> {
    text: &'a str,
    terms: BTreeSet<String>,
    /// Index of its article in reading order (0: the lead).
    article: usize,
    /// Position in its article (0: the first sentence).
    position: usize,
}

/// One to three sentences summarising the story; empty when no article has any text.
pub(crate) fn summary(lead: ArticleId, articles: &[Article]) -> Vec<String> {
    let ordered: Vec<&Article> = lead_first(lead, articles).collect();
    let Some(lang) = ordered
        .iter()
        .find(|a| !a.content.text.is_empty() || a.content.description.is_some())
        .map(|a| a.lang())
    else {
        return Vec::new();
    };
    let mut candidates = Vec::new();
    for (index, article) in ordered.iter().enumerate().filter(|(_, a)| a.lang() == lang) {
        let title = fold(&article.title);
        let description = article.content.description.as_deref().unwrap_or_default();
        let opening = sentences(&article.content.text)
            .into_iter()
            .take(OPENING_SENTENCES);
        for (position, text) in sentences(description)
            .into_iter()
            .chain(opening)
            .enumerate()
        {
            let folded = fold(text);
            if !is_summary_sentence(text)
                || title.contains(folded.trim_end_matches(['.', '!', '?', '…']))
            {
                continue;
            }
            candidates.push(Candidate {
                text,
                terms: terms(text, Some(lang)).into_iter().collect(),
                article: index,
                position,
            });
        }
    }
    select(&candidates)
}

/// Picks the summary among `candidates` (see the [module docs](self)).
fn select(candidates: &[Candidate<'_>]) -> Vec<String> {
    // In how many articles each term occurs among the candidates.
    let mut spread: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
    for c in candidates {
        for t in &c.terms {
            spread.entry(t.as_str()).or_default().insert(c.article);
        }
    }
    let articles = candidates
        .iter()
        .map(|c| c.article)
        .max()
        .map_or(1, |m| m + 1);
    let relevance: Vec<f64> = candidates
        .iter()
        .map(|c| {
            let shared: f64 = c
                .terms
                .iter()
                .map(|t| (spread[t.as_str()].len() - 1) as f64)
                .sum();
            let centrality = if articles > 1 && !c.terms.is_empty() {
                shared / (c.terms.len() as f64).sqrt() / (articles - 1) as f64
            } else {
                1.0
            };
            let position = 1.0 / (1.0 + POSITION_DECAY * c.position as f64);
            let lead = if c.article == 0 { LEAD_BONUS } else { 1.0 };
            (CENTRALITY_FLOOR + centrality) * position * lead
        })
        .collect();
    let mut taken: Vec<usize> = Vec::new();
    let mut chars = 0;
    while taken.len() < MAX_SENTENCES {
        let best = (0..candidates.len())
            .filter(|i| !taken.contains(i))
            .map(|i| {
                let overlap = taken
                    .iter()
                    .map(|&j| similarity(&candidates[i].terms, &candidates[j].terms))
                    .fold(0.0, f64::max);
                (
                    i,
                    overlap,
                    MMR_LAMBDA * relevance[i] - (1.0 - MMR_LAMBDA) * overlap,
                )
            })
            .filter(|&(_, overlap, _)| overlap <= MAX_OVERLAP)
            .max_by(|a, b| a.2.total_cmp(&b.2).then_with(|| b.0.cmp(&a.0)));
        let Some((i, _, _)) = best else { break };
        let len = candidates[i].text.chars().count();
        if !taken.is_empty() && chars + len > MAX_SUMMARY_CHARS {
            break;
        }
        chars += len;
        taken.push(i);
    }
    taken
        .into_iter()
        .map(|i| candidates[i].text.to_string())
        .collect()
}

/// Overlap of two term sets (Dice coefficient).
fn similarity(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    2.0 * a.intersection(b).count() as f64 / (a.len() + b.len()) as f64
}

fn is_summary_sentence(sentence: &str) -> bool {
    sentence.chars().count() >= MIN_SENTENCE_CHARS
        && sentence
            .chars()
            .next_back()
            .is_some_and(|c| matches!(c, '.' | '!' | '?' | '…' | '»' | '”' | '"' | ')'))
}

/// The story's key quote: an attributed direct quotation of reasonable length
/// from the lead first, else from the others, else an unattributed one.
pub(crate) fn key_quote(lead: ArticleId, articles: &[Article]) -> Option<Quote> {
    let mut unattributed = None;
    for article in lead_first(lead, articles) {
        let text = article.content.text.as_str();
        let found = entities::find(text);
        for quote in attribution::direct_quotes(text, &found) {
            if !is_key_quote(&quote.text) {
                continue;
            }
            if quote.speaker.is_some() {
                return Some(quote);
            }
            unattributed.get_or_insert(quote);
        }
        if unattributed.is_none() {
            let description = article.content.description.as_deref().unwrap_or_default();
            unattributed = quotations(description)
                .into_iter()
                .find(|q| is_key_quote(q.text))
                .map(|q| Quote {
                    text: q.text.to_string(),
                    speaker: None,
                });
        }
    }
    unattributed
}

fn is_key_quote(text: &str) -> bool {
    QUOTE_CHARS.contains(&text.chars().count()) && words(text).count() >= QUOTE_MIN_WORDS
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::article;

    /// Paragraphs of `/work/shared/fixtures/000_f56d7c6173bc8283.txt` (a Sputnik France article).
    const LAVROV: &str = "La Russie ne doute pas de la possibilité d'un dialogue professionnel entre les militaires russes et américains sur la mise au point de mesures concrètes de lutte contre le groupe terroriste État islamique (Daech), a déclaré lundi le chef de la diplomatie russe Sergueï Lavrov.

© REUTERS/ Khalil Ashawi La Russie n'a reçu aucune donnée des USA sur les groupes terroristes en Syrie

Sergueï Lavrov a également indiqué que Moscou aurait salué la formation d'une seule délégation de l'opposition aux négociations sur la Syrie.

« De l'avis général, il faut impliquer ce groupe dans le processus politique et ce, d'autant plus que ces personnes ont déjà commencé, à titre préalable, à discuter certaines questions avec la délégation du gouvernement syrien », a conclu Sergueï Lavrov.

Pour recevoir les actualités de notre chaîne, il suffit de télécharger l'application Telegram sur n'importe quel smartphone, tablette ou ordinateur puis cliquer sur le lien et appuyer sur « Join »";

    #[test]
    fn summary_skips_photo_credits_and_stays_short() {
        let a = article(1, "sputniknews.com", Some("fr"), "Lavrov et Daech", LAVROV);
        let s = summary(ArticleId(1), &[a]);
        assert_eq!(s.len(), 1, "{s:?}");
        assert!(s[0].starts_with("La Russie ne doute pas"));
    }

    #[test]
    fn summary_takes_up_to_three_distinct_sentences() {
        let mut a = article(
            1,
            "a.example",
            Some("en"),
            "Quake hits Japan: buildings sway as far as Tokyo",
            "A strong earthquake hit northern Japan on Monday morning.\nQuake hits Japan: buildings sway as far as Tokyo.\n\
             Buildings swayed in Tokyo, hundreds of kilometres away.\n\
             The agency issued a tsunami warning for the coast.\nOfficials said more news would follow soon.",
        );
        a.content.description =
            Some("A strong earthquake hit northern Japan on Monday morning.".into());
        let s = summary(ArticleId(1), &[a]);
        assert_eq!(
            s,
            [
                "A strong earthquake hit northern Japan on Monday morning.",
                "Buildings swayed in Tokyo, hundreds of kilometres away.",
                "The agency issued a tsunami warning for the coast."
            ]
        );
    }

    #[test]
    fn summary_falls_back_to_other_members() {
        let lead = article(1, "a.example", Some("en"), "Quake", "");
        let other = article(
            2,
            "b.example",
            Some("en"),
            "Quake",
            "A strong earthquake hit northern Japan on Monday.",
        );
        assert_eq!(
            summary(ArticleId(1), &[other, lead]),
            ["A strong earthquake hit northern Japan on Monday."]
        );
        assert!(summary(ArticleId(1), &[]).is_empty());
    }

    #[test]
    fn key_quote_is_an_attributed_quotation() {
        let a = article(1, "sputniknews.com", Some("fr"), "Lavrov", LAVROV);
        let q = key_quote(ArticleId(1), &[a]).expect("a quote");
        assert!(q.text.starts_with("De l'avis général"), "{q:?}");
        assert!(q.text.ends_with("gouvernement syrien"));
        assert_eq!(q.speaker.as_deref(), Some("Sergueï Lavrov"));
    }

    #[test]
    fn summary_draws_from_the_whole_story_without_repeats() {
        let lead = article(
            1,
            "a.example",
            Some("en"),
            "Storm hits Brittany",
            "Weather services had warned of a storm for days.\n\
             A violent storm cut power to 200,000 homes in Brittany overnight, the grid operator said.",
        );
        let other = article(
            2,
            "b.example",
            Some("en"),
            "Brittany without power",
            "A violent storm cut power to 200,000 homes across Brittany overnight, Enedis said.\n\
             Trains between Rennes and Brest were cancelled on Friday morning after trees fell on the tracks.",
        );
        let third = article(
            3,
            "c.example",
            Some("en"),
            "Storm in Brittany",
            "Power was cut to 200,000 homes in Brittany by the storm overnight.\n\
             Trains between Rennes and Brest were cancelled on Friday as trees fell on lines.",
        );
        let s = summary(ArticleId(1), &[other, lead, third]);
        // The sentence the outlets agree on comes first, the lead's own wording.
        assert!(
            s[0].starts_with("A violent storm cut power to 200,000 homes in Brittany"),
            "{s:?}"
        );
        // The other outlets' version of the same fact is not repeated...
        assert!(!s.iter().any(|x| x.contains("across Brittany")), "{s:?}");
        // ...and a fact only other outlets report can join.
        assert!(s.iter().any(|x| x.contains("Rennes and Brest")), "{s:?}");
    }

    #[test]
    fn summary_keeps_to_the_leads_language() {
        let lead = article(
            1,
            "a.fr",
            Some("fr"),
            "Tempête",
            "Une violente tempête a privé 200 000 foyers d'électricité en Bretagne.",
        );
        let other = article(
            2,
            "b.com",
            Some("en"),
            "Storm",
            "A violent storm cut power to 200,000 homes in Brittany overnight.",
        );
        let s = summary(ArticleId(1), &[lead, other]);
        assert_eq!(
            s,
            ["Une violente tempête a privé 200 000 foyers d'électricité en Bretagne."]
        );
    }

    #[test]
    fn button_labels_are_not_key_quotes() {
        let a = article(
            1,
            "a.example",
            Some("fr"),
            "Telegram",
            "Cliquez sur « Join » pour vous abonner.",
        );
        assert_eq!(key_quote(ArticleId(1), &[a]), None);
    }

    #[test]
    fn key_quote_prefers_the_lead() {
        let quote = |id, q: &str| {
            article(
                id,
                "a.example",
                Some("en"),
                "t",
                &format!("He said “{q}” today."),
            )
        };
        let other = quote(1, "this came from the first article listed");
        let lead = quote(2, "this came from the lead article of the story");
        let q = key_quote(ArticleId(2), &[other, lead]).unwrap();
        assert_eq!(q.text, "this came from the lead article of the story");
    }
}

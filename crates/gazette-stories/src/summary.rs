//! A story's summary and key quote, taken from its articles' own words.
//!
//! Both read the lead article first and fall back to the other members in the
//! order given. The summary is one to three sentences of the description, then
//! the text: real sentences only (long enough, ending with punctuation, so
//! headings and photo credits are skipped), no sentence repeating the title or
//! one already taken, at most [`MAX_SUMMARY_CHARS`] beyond the first. The key
//! quote is the first quotation of a reasonable length; who said it comes later.

use std::ops::RangeInclusive;

use gazette_core::{Article, ArticleId, Quote};
use gazette_text::{fold, quotations, sentences, words};

/// Most sentences in a summary.
const MAX_SENTENCES: usize = 3;
/// Characters a summary may reach before a further sentence is left out.
const MAX_SUMMARY_CHARS: usize = 400;
/// Shortest sentence worth a summary, in characters.
const MIN_SENTENCE_CHARS: usize = 40;
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

/// One to three sentences summarising the story; empty when no article has any text.
pub(crate) fn summary(lead: ArticleId, articles: &[Article]) -> Vec<String> {
    lead_first(lead, articles)
        .map(summary_of)
        .find(|s| !s.is_empty())
        .unwrap_or_default()
}

fn summary_of(article: &Article) -> Vec<String> {
    let description = article.content.description.as_deref().unwrap_or_default();
    let candidates = sentences(description)
        .into_iter()
        .chain(sentences(&article.content.text));
    let title = fold(&article.title);
    // Sentences taken, with their folded form.
    let mut taken: Vec<(&str, String)> = Vec::new();
    let mut chars = 0;
    for sentence in candidates.filter(|s| is_summary_sentence(s)) {
        let folded = fold(sentence);
        let in_title = title.contains(folded.trim_end_matches(['.', '!', '?', '…']));
        let repeats = taken
            .iter()
            .any(|(_, t)| t.contains(folded.as_str()) || folded.contains(t.as_str()));
        if in_title || repeats {
            continue;
        }
        let len = sentence.chars().count();
        if !taken.is_empty() && chars + len > MAX_SUMMARY_CHARS {
            break;
        }
        chars += len;
        taken.push((sentence, folded));
        if taken.len() == MAX_SENTENCES {
            break;
        }
    }
    taken.into_iter().map(|(s, _)| s.to_string()).collect()
}

fn is_summary_sentence(sentence: &str) -> bool {
    sentence.chars().count() >= MIN_SENTENCE_CHARS
        && sentence
            .chars()
            .next_back()
            .is_some_and(|c| matches!(c, '.' | '!' | '?' | '…' | '»' | '”' | '"' | ')'))
}

/// The first quotation of reasonable length in the story's articles.
pub(crate) fn key_quote(lead: ArticleId, articles: &[Article]) -> Option<Quote> {
    lead_first(lead, articles).find_map(|article| {
        let description = article.content.description.as_deref().unwrap_or_default();
        quotations(description)
            .into_iter()
            .chain(quotations(&article.content.text))
            .find(|q| is_key_quote(q.text))
            .map(|q| Quote {
                text: q.text.to_string(),
                speaker: None,
            })
    })
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
    fn key_quote_is_the_first_reasonable_quotation() {
        let a = article(1, "sputniknews.com", Some("fr"), "Lavrov", LAVROV);
        let q = key_quote(ArticleId(1), &[a]).expect("a quote");
        assert!(q.text.starts_with("De l'avis général"), "{q:?}");
        assert!(q.text.ends_with("gouvernement syrien"));
        assert_eq!(q.speaker, None);
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

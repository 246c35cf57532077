//! Per-source boilerplate learning: paragraphs that repeat across a source's
//! articles (promo footers such as "Suivez … sur Telegram", "Lire aussi …",
//! newsletter boxes, photo credits fused with a related headline) are learnt from
//! the source's recent pages and removed from its articles.
//!
//! A [`BoilerplateModel`] counts, for each normalised paragraph (lowercase, letters
//! and digits only, every digit as `0`), on how many learnt pages it appeared, and
//! the same for the first two words of short paragraphs (so "Lire aussi : "
//! followed by a different headline every time is learnt as one pattern). A paragraph is
//! boilerplate once it was seen on at least [`BoilerplateConfig::min_pages`] pages
//! that make at least [`BoilerplateConfig::min_share`] of the pages learnt. Besides
//! what is learnt, a short paragraph opening with `©` (a photo credit, often fused
//! with a related headline) is always boilerplate.
//!
//! The model is a plain value, serialised as JSON to be stored with the source
//! (`Store::set_source_model(source, "boilerplate", json)`); counts are kept for the
//! [`BoilerplateConfig::window`] most recent pages at most (older counts are halved
//! when the window is full, so the model follows a site's changes).
//!
//! ```
//! use gazette_extract::boilerplate::BoilerplateModel;
//! let mut model = BoilerplateModel::default();
//! for i in 0..4 {
//!     model.learn(&format!("Article number {i} says something new.\n\nSuivez-nous sur Telegram."));
//! }
//! let mut text = "Fresh news today.\n\nSuivez-nous sur Telegram.".to_string();
//! assert_eq!(model.strip(&mut text), 1);
//! assert_eq!(text, "Fresh news today.");
//! ```

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

/// When learnt paragraphs count as boilerplate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoilerplateConfig {
    /// Pages a paragraph must have been seen on.
    pub min_pages: u32,
    /// Share of the learnt pages it must have been seen on.
    pub min_share: f32,
    /// Pages remembered: past this, counts are halved.
    pub window: u32,
    /// Paragraphs of at most this many words are also learnt by their first two words
    /// (longer ones are prose, whose openings such as "Le ministre" repeat by chance).
    pub prefix_max_words: usize,
}

impl Default for BoilerplateConfig {
    fn default() -> Self {
        BoilerplateConfig {
            min_pages: 3,
            min_share: 0.3,
            window: 200,
            prefix_max_words: 15,
        }
    }
}

/// What a source's pages repeat. See the module docs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BoilerplateModel {
    #[serde(default)]
    pub config: BoilerplateConfig,
    /// Pages learnt (halved with the counts).
    pub pages: u32,
    /// Normalised paragraph hash → pages seen on.
    paragraphs: HashMap<u64, u32>,
    /// Hash of the first two words of short paragraphs → pages seen on.
    prefixes: HashMap<u64, u32>,
}

/// Lowercase words of letters and digits (digits as `0`), `©` as a word.
fn words(paragraph: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in paragraph.chars() {
        if c.is_alphanumeric() {
            if c.is_numeric() {
                cur.push('0');
            } else {
                cur.extend(c.to_lowercase());
            }
        } else {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            if c == '©' {
                out.push("©".into());
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// FNV-1a: stable across runs and versions, unlike `std`'s hasher.
fn hash(words: &[String]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for w in words {
        for b in w.bytes().chain([b' ']) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

fn keys(paragraph: &str, prefix_max_words: usize) -> Option<(u64, Option<u64>)> {
    let w = words(paragraph);
    if w.is_empty() {
        return None;
    }
    let prefix = (w.len() >= 3 && w.len() <= prefix_max_words).then(|| hash(&w[..2]));
    Some((hash(&w), prefix))
}

/// A short paragraph opening with `©`: a photo credit.
fn is_credit(paragraph: &str) -> bool {
    let p = paragraph.trim_start();
    (p.starts_with('©') || p.starts_with("(c) ")) && p.split_whitespace().count() <= 40
}

impl BoilerplateModel {
    pub fn new(config: BoilerplateConfig) -> Self {
        BoilerplateModel {
            config,
            ..Default::default()
        }
    }

    /// Learns one page's text (paragraphs separated by blank lines).
    pub fn learn(&mut self, text: &str) {
        if self.pages >= self.config.window {
            self.pages /= 2;
            for map in [&mut self.paragraphs, &mut self.prefixes] {
                map.retain(|_, c| {
                    *c /= 2;
                    *c > 0
                });
            }
        }
        self.pages += 1;
        let mut seen = HashSet::new();
        let mut seen_prefix = HashSet::new();
        for p in paragraphs(text) {
            if let Some((full, prefix)) = keys(p, self.config.prefix_max_words) {
                if seen.insert(full) {
                    *self.paragraphs.entry(full).or_default() += 1;
                }
                if let Some(prefix) = prefix
                    && seen_prefix.insert(prefix)
                {
                    *self.prefixes.entry(prefix).or_default() += 1;
                }
            }
        }
    }

    fn frequent(&self, count: u32) -> bool {
        count >= self.config.min_pages && count as f32 >= self.config.min_share * self.pages as f32
    }

    /// Whether a paragraph is boilerplate for this source.
    pub fn is_boilerplate(&self, paragraph: &str) -> bool {
        if is_credit(paragraph) {
            return true;
        }
        let Some((full, prefix)) = keys(paragraph, self.config.prefix_max_words) else {
            return false;
        };
        self.paragraphs
            .get(&full)
            .is_some_and(|&c| self.frequent(c))
            || prefix
                .and_then(|p| self.prefixes.get(&p))
                .is_some_and(|&c| self.frequent(c))
    }

    /// Removes boilerplate paragraphs from `text`; returns how many were removed.
    pub fn strip(&self, text: &mut String) -> usize {
        let mut removed = 0;
        let kept: Vec<&str> = paragraphs(text)
            .filter(|p| {
                let bp = self.is_boilerplate(p);
                removed += usize::from(bp);
                !bp
            })
            .collect();
        if removed > 0 {
            *text = kept.join("\n\n");
        }
        removed
    }

    /// The model as JSON, to store with the source.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a model serialises")
    }

    /// A model stored by [`BoilerplateModel::to_json`].
    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }
}

fn paragraphs(text: &str) -> impl Iterator<Item = &str> {
    text.split("\n\n").map(str::trim).filter(|p| !p.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROMO: &str = "Suivez Sputnik sur Telegram pour ne jamais manquer les actualités les plus importantes grâce à nos sélections du matin et du soir. Pour recevoir les actualités de notre chaîne, il suffit de télécharger l'application Telegram sur n'importe quel smartphone, tablette ou ordinateur puis cliquer sur le lien et appuyer sur « Join »";

    fn page(i: usize) -> String {
        format!(
            "Le ministre a parlé le {i} janvier d'un sujet numéro {i} et de bien d'autres choses encore.\n\n\
             Lire aussi : un autre titre différent numéro {i} sur un sujet voisin\n\n\
             Un second paragraphe propre à la page {i}, qui ne se répète pas d'un article à l'autre.\n\n{PROMO}"
        )
    }

    #[test]
    fn a_repeated_promo_footer_is_learnt_and_removed() {
        let mut model = BoilerplateModel::default();
        for i in 0..5 {
            model.learn(&page(i));
        }
        let fixture = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/boilerplate/sputnik-fr.txt"
        ))
        .unwrap();
        let mut text = fixture.clone();
        let removed = model.strip(&mut text);
        // The promo and the photo credit fused with a headline.
        assert_eq!(removed, 2, "{text}");
        assert!(!text.contains("Suivez Sputnik"));
        assert!(!text.contains("© REUTERS"));
        assert!(text.starts_with("La Russie ne doute pas"));
        assert!(text.ends_with("a conclu Sergueï Lavrov."));
        assert_eq!(paragraphs(&text).count(), paragraphs(&fixture).count() - 2);
    }

    #[test]
    fn varying_lire_aussi_lines_are_learnt_by_their_opening() {
        let mut model = BoilerplateModel::default();
        for i in 0..5 {
            model.learn(&page(i));
        }
        assert!(model.is_boilerplate("Lire aussi : tout autre chose qui n'a jamais été vue"));
        assert!(!model.is_boilerplate("Le ministre a dit autre chose."));
    }

    #[test]
    fn nothing_is_boilerplate_before_enough_pages() {
        let mut model = BoilerplateModel::default();
        model.learn(&page(1));
        model.learn(&page(2));
        assert!(!model.is_boilerplate(PROMO));
        model.learn(&page(3));
        assert!(model.is_boilerplate(PROMO));
    }

    #[test]
    fn the_model_round_trips_through_json() {
        let mut model = BoilerplateModel::default();
        for i in 0..4 {
            model.learn(&page(i));
        }
        let back = BoilerplateModel::from_json(&model.to_json()).unwrap();
        assert_eq!(back, model);
        assert!(back.is_boilerplate(PROMO));
    }

    #[test]
    fn old_counts_fade_when_the_window_is_full() {
        let mut model = BoilerplateModel::new(BoilerplateConfig {
            window: 4,
            ..Default::default()
        });
        for i in 0..4 {
            model.learn(&page(i));
        }
        assert!(model.is_boilerplate(PROMO));
        for i in 0..8 {
            model.learn(&format!(
                "Nouveau texte {i} sans promotion aucune dans la page."
            ));
        }
        assert!(!model.is_boilerplate(PROMO));
    }
}

//! Duplicates: the same article under several URLs, and wire copies
//! republished by many outlets.
//!
//! - [`canonical_url`] gives the form two URLs of one page share: tracking
//!   parameters (`utm_*`, `fbclid`, `gclid`, …) and fragments dropped, AMP and
//!   mobile variants (`amp.`, `m.`, `/amp`, `?outputType=amp`, `.amp.html`)
//!   mapped to the page, trailing slashes and `www.` removed, the scheme made
//!   `https`, the remaining parameters sorted.
//! - [`DuplicateIndex`] remembers, for the articles of the time window, their
//!   canonical URL, an exact hash of their lowercased words and their SimHash
//!   [`fingerprint`]. [`DuplicateIndex::find`] says
//!   which earlier article a new one copies ([`Duplicate`]): the same canonical
//!   URL, the same words, or a fingerprint within [`NEAR_BITS`] bits (texts of
//!   at least [`NEAR_MIN_WORDS`] words: short texts collide by chance).
//!   Candidates for the fingerprint test come from locality-sensitive hashing:
//!   the 64 bits cut in `BANDS` (7) bands, so two fingerprints within
//!   `BANDS - 1` bits share a band whatever bits differ.
//!
//! ```
//! use gazette_stories::dedup::canonical_url;
//! let a = canonical_url(&"https://www.example.com/news/story/?utm_source=tw&id=3#top".parse().unwrap());
//! let b = canonical_url(&"http://m.example.com/news/story/amp?id=3&fbclid=XYZ".parse().unwrap());
//! assert_eq!(a, b);
//! assert_eq!(a, "https://example.com/news/story?id=3");
//! ```

use std::collections::{HashMap, VecDeque};

use gazette_core::{ArticleId, StoryId};
use gazette_text::fingerprint;
use jiff::Timestamp;
use url::Url;

/// Query parameters that only track where a reader came from.
const TRACKING: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "gclsrc",
    "msclkid",
    "yclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_ga",
    "_gl",
    "ref",
    "ref_src",
    "ref_url",
    "referrer",
    "cmpid",
    "xtor",
    "ncid",
    "ocid",
    "smid",
    "share",
    "shared",
    "cmp",
    "mbid",
    "spm",
    "__twitter_impression",
    "amp",
    "outputtype",
    "s_cid",
    "at_medium",
    "at_campaign",
    "at_source",
    "wt_mc",
    "wt.mc_id",
];

/// Query-parameter prefixes that only track (`utm_source`, `utm_medium`, …).
const TRACKING_PREFIXES: &[&str] = &["utm_", "pk_", "mtm_", "hsa_", "at_", "oly_", "vero_"];

/// Host prefixes of mobile and AMP variants.
const VARIANT_HOSTS: &[&str] = &["www.", "m.", "mobile.", "amp.", "www-m."];

/// The canonical form of a page's URL (see the [module docs](self)).
pub fn canonical_url(url: &Url) -> String {
    let mut host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    while let Some(rest) = VARIANT_HOSTS.iter().find_map(|p| host.strip_prefix(p)) {
        if !rest.contains('.') {
            break;
        }
        host = rest.to_string();
    }
    let mut path = url.path().to_string();
    for suffix in ["/amp/", "/amp", "/amp.html"] {
        if path.len() > suffix.len()
            && let Some(rest) = path.strip_suffix(suffix)
        {
            path = rest.to_string();
        }
    }
    if let Some(rest) = path.strip_prefix("/amp/") {
        path = format!("/{rest}");
    }
    for ext in [".html", ".htm", ".php", ".shtml"] {
        if let Some(rest) = path.strip_suffix(&format!(".amp{ext}")) {
            path = format!("{rest}{ext}");
        }
    }
    while path.len() > 1 && path.ends_with('/') {
        path.pop();
    }
    if path == "/" {
        path.clear();
    }
    let mut params: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !is_tracking(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    params.sort();
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let mut out = format!("https://{host}{port}{path}");
    if !params.is_empty() {
        let query: Vec<String> = params
            .iter()
            .map(|(k, v)| {
                if v.is_empty() {
                    k.clone()
                } else {
                    format!("{k}={v}")
                }
            })
            .collect();
        out.push('?');
        out.push_str(&query.join("&"));
    }
    out
}

fn is_tracking(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    TRACKING.contains(&key.as_str()) || TRACKING_PREFIXES.iter().any(|p| key.starts_with(p))
}

/// Most differing bits between the fingerprints of near-duplicates.
pub const NEAR_BITS: u32 = 6;
/// Fewest words a text needs for the fingerprint test.
pub const NEAR_MIN_WORDS: usize = 40;
/// Bands of the fingerprint for locality-sensitive hashing: `NEAR_BITS + 1`.
const BANDS: u32 = NEAR_BITS + 1;
const BAND_BITS: u32 = 64 / BANDS;

/// Why an article is a duplicate of an earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateKind {
    /// The same page under another URL.
    SameUrl,
    /// The same words (a verbatim wire copy).
    Exact,
    /// Nearly the same words: the fingerprints differ in this many bits.
    Near(u32),
}

/// An earlier article a new one copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duplicate {
    pub original: ArticleId,
    /// The original's story.
    pub story: StoryId,
    pub kind: DuplicateKind,
}

/// What the index computes of an article: its keys, computed once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    pub url: String,
    /// FNV-1a of the lowercased runs of letters and digits of the text; `None`
    /// for a text too short to tell.
    pub exact: Option<u64>,
    /// SimHash of the text; `None` below [`NEAR_MIN_WORDS`] words.
    pub near: Option<u64>,
}

impl Keys {
    /// The keys of an article at `url` with `text`. The headline is left
    /// out: outlets rewrite a wire copy's headline more than its text.
    ///
    /// The exact hash reads the lowercased words of the whole text (cheap);
    /// the fingerprint reads the first [`FINGERPRINT_BYTES`] (folding and
    /// shingling cost more, and a copy's head is as telling as its whole).
    pub fn of(url: &Url, text: &str) -> Keys {
        let (hash, count) = exact_hash(text);
        let long = count >= NEAR_MIN_WORDS;
        Keys {
            url: canonical_url(url),
            exact: long.then_some(hash),
            near: long.then(|| fingerprint(head(text, FINGERPRINT_BYTES))),
        }
    }
}

/// FNV-1a of the text's runs of letters and digits, lowercased, each followed
/// by a space; and the number of runs. One pass over the characters, no
/// tokenizer: punctuation and spacing do not matter, the words and their
/// order do.
fn exact_hash(text: &str) -> (u64, usize) {
    let mut hash = FNV_OFFSET;
    let mut count = 0;
    let mut in_run = false;
    let mut buf = [0u8; 4];
    fn eat(hash: &mut u64, byte: u8) {
        *hash = (*hash ^ u64::from(byte)).wrapping_mul(FNV_PRIME);
    }
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            eat(&mut hash, c.to_ascii_lowercase() as u8);
            in_run = true;
        } else if !c.is_ascii() && gazette_text::words::is_alphanumeric(c) {
            for lower in c.to_lowercase() {
                for &byte in lower.encode_utf8(&mut buf).as_bytes() {
                    eat(&mut hash, byte);
                }
            }
            in_run = true;
        } else if in_run {
            eat(&mut hash, b' ');
            count += 1;
            in_run = false;
        }
    }
    if in_run {
        eat(&mut hash, b' ');
        count += 1;
    }
    (hash, count)
}

/// How much of a text the fingerprint reads, in bytes.
pub const FINGERPRINT_BYTES: usize = 2000;

/// At most `max` bytes of `text`, cut at a character boundary.
fn head(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    &text[..cut]
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The articles of the window by their duplicate keys (see the [module docs](self)).
#[derive(Debug, Default, Clone)]
pub struct DuplicateIndex {
    by_url: HashMap<String, ArticleId>,
    by_exact: HashMap<u64, ArticleId>,
    /// (band index, band value) → articles with their fingerprints.
    bands: HashMap<(u32, u64), Vec<(ArticleId, u64)>>,
    stories: HashMap<ArticleId, StoryId>,
    /// Articles in insertion order with their time and keys, for eviction.
    order: VecDeque<(Timestamp, ArticleId, Keys)>,
}

impl DuplicateIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// The earlier article in the index that `keys` copy, if any: the same
    /// URL first, then the same words, then the nearest fingerprint.
    pub fn find(&self, keys: &Keys) -> Option<Duplicate> {
        let found = |original: ArticleId, kind| {
            Some(Duplicate {
                original,
                story: self.stories[&original],
                kind,
            })
        };
        if let Some(&original) = self.by_url.get(&keys.url) {
            return found(original, DuplicateKind::SameUrl);
        }
        if let Some(&original) = keys.exact.and_then(|h| self.by_exact.get(&h)) {
            return found(original, DuplicateKind::Exact);
        }
        let near = keys.near?;
        let mut best: Option<(u32, ArticleId)> = None;
        for band in 0..BANDS {
            let Some(candidates) = self.bands.get(&(band, band_value(near, band))) else {
                continue;
            };
            for &(id, other) in candidates {
                let bits = (near ^ other).count_ones();
                if bits <= NEAR_BITS && best.is_none_or(|(b, bid)| (bits, id) < (b, bid)) {
                    best = Some((bits, id));
                }
            }
        }
        let (bits, original) = best?;
        found(original, DuplicateKind::Near(bits))
    }

    /// Remembers an original article of `story` (one that [`find`](Self::find) did not match).
    pub fn insert(&mut self, id: ArticleId, story: StoryId, time: Timestamp, keys: Keys) {
        self.stories.insert(id, story);
        self.by_url.entry(keys.url.clone()).or_insert(id);
        if let Some(h) = keys.exact {
            self.by_exact.entry(h).or_insert(id);
        }
        if let Some(near) = keys.near {
            for band in 0..BANDS {
                self.bands
                    .entry((band, band_value(near, band)))
                    .or_default()
                    .push((id, near));
            }
        }
        self.order.push_back((time, id, keys));
    }

    /// Files the originals of story `from` under `into` (the stories merged).
    /// Scans the window's articles: merges are rare.
    pub fn rename(&mut self, from: StoryId, into: StoryId) {
        self.stories
            .values_mut()
            .filter(|story| **story == from)
            .for_each(|story| *story = into);
    }

    /// Forgets the articles inserted before one older than `cutoff` stops the
    /// scan (articles arrive roughly in time order).
    pub fn evict(&mut self, cutoff: Timestamp) {
        while self.order.front().is_some_and(|(t, _, _)| *t < cutoff) {
            let (_, id, keys) = self.order.pop_front().expect("checked");
            self.remove(id, &keys);
        }
    }

    /// Forgets the articles of `story` (a story that left the window).
    pub fn forget_story(&mut self, story: StoryId) {
        let order = std::mem::take(&mut self.order);
        for (time, id, keys) in order {
            if self.stories.get(&id) == Some(&story) {
                self.remove(id, &keys);
            } else {
                self.order.push_back((time, id, keys));
            }
        }
    }

    fn remove(&mut self, id: ArticleId, keys: &Keys) {
        self.stories.remove(&id);
        if self.by_url.get(&keys.url) == Some(&id) {
            self.by_url.remove(&keys.url);
        }
        if let Some(h) = keys.exact
            && self.by_exact.get(&h) == Some(&id)
        {
            self.by_exact.remove(&h);
        }
        if let Some(near) = keys.near {
            for band in 0..BANDS {
                let key = (band, band_value(near, band));
                if let Some(list) = self.bands.get_mut(&key) {
                    list.retain(|(other, _)| *other != id);
                    if list.is_empty() {
                        self.bands.remove(&key);
                    }
                }
            }
        }
    }

    /// Articles remembered.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

fn band_value(hash: u64, band: u32) -> u64 {
    (hash >> (band * BAND_BITS)) & ((1u64 << BAND_BITS) - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(url: &str) -> String {
        canonical_url(&url.parse().expect("a valid URL"))
    }

    #[test]
    fn tracking_parameters_and_fragments_are_dropped() {
        assert_eq!(
            canon("https://news.example/a?utm_source=x&utm_medium=y&fbclid=1&gclid=2#c"),
            "https://news.example/a"
        );
        assert_eq!(
            canon("https://news.example/a?b=2&a=1&xtor=RSS-3"),
            "https://news.example/a?a=1&b=2"
        );
    }

    #[test]
    fn amp_and_mobile_variants_map_to_the_page() {
        let page = "https://lemonde.fr/international/article/2024/guerre";
        for variant in [
            "https://www.lemonde.fr/international/article/2024/guerre/",
            "https://m.lemonde.fr/international/article/2024/guerre",
            "https://amp.lemonde.fr/international/article/2024/guerre",
            "https://www.lemonde.fr/amp/international/article/2024/guerre",
            "https://www.lemonde.fr/international/article/2024/guerre/amp/",
            "http://lemonde.fr/international/article/2024/guerre?outputType=amp",
        ] {
            assert_eq!(canon(variant), page, "{variant}");
        }
        assert_eq!(
            canon("https://x.example/news/story.amp.html"),
            "https://x.example/news/story.html"
        );
    }

    #[test]
    fn different_pages_stay_different() {
        assert_ne!(
            canon("https://a.example/x?id=1"),
            canon("https://a.example/x?id=2")
        );
        assert_ne!(canon("https://a.example/x"), canon("https://b.example/x"));
        // A host that is only `m.` plus a top-level domain keeps its prefix.
        assert_eq!(canon("https://m.com/"), "https://m.com");
    }

    const WIRE: &str = "The central bank raised its main interest rate by a quarter of a percentage point on Thursday, \
        the third increase this year, saying inflation remained too high and that further moves could follow \
        if prices kept rising faster than expected over the coming months, according to a statement released \
        after the meeting of its monetary policy committee in the capital.";

    fn url(s: &str) -> Url {
        s.parse().expect("a valid URL")
    }

    #[test]
    fn the_same_url_is_a_duplicate() {
        let mut index = DuplicateIndex::new();
        index.insert(
            ArticleId(1),
            StoryId(1),
            Timestamp::UNIX_EPOCH,
            Keys::of(&url("https://a.example/x?utm_source=rss"), "short"),
        );
        let keys = Keys::of(&url("https://www.a.example/x/"), "other");
        assert_eq!(
            index.find(&keys),
            Some(Duplicate {
                original: ArticleId(1),
                story: StoryId(1),
                kind: DuplicateKind::SameUrl
            })
        );
    }

    #[test]
    fn wire_copies_are_found_exactly_and_nearly() {
        let mut index = DuplicateIndex::new();
        index.insert(
            ArticleId(1),
            StoryId(1),
            Timestamp::UNIX_EPOCH,
            Keys::of(&url("https://wire.example/1"), WIRE),
        );
        let exact = Keys::of(&url("https://b.example/9"), WIRE);
        assert_eq!(
            index.find(&exact).map(|d| d.kind),
            Some(DuplicateKind::Exact)
        );
        let edited = WIRE
            .replace("Thursday", "Wednesday")
            .replace("capital", "city");
        let near = Keys::of(&url("https://c.example/5"), &edited);
        assert!(
            matches!(
                index.find(&near).map(|d| d.kind),
                Some(DuplicateKind::Near(_))
            ),
            "{:?}",
            index.find(&near)
        );
        let other = Keys::of(
            &url("https://d.example/2"),
            "A powerful storm swept across the coast overnight, cutting power to thousands of homes, \
             flooding roads and forcing the closure of schools and ports while emergency services \
             evacuated residents of low-lying villages and the weather office warned of more heavy \
             rain and strong winds through the weekend in the northern provinces of the country.",
        );
        assert_eq!(index.find(&other), None);
    }

    #[test]
    fn a_forgotten_or_renamed_story_leads_no_copy_to_it() {
        let mut index = DuplicateIndex::new();
        let edited = WIRE.replace("Thursday", "Wednesday");
        index.insert(
            ArticleId(1),
            StoryId(1),
            Timestamp::UNIX_EPOCH,
            Keys::of(&url("https://wire.example/1"), WIRE),
        );
        index.insert(
            ArticleId(2),
            StoryId(2),
            Timestamp::UNIX_EPOCH,
            Keys::of(&url("https://b.example/2"), "short"),
        );
        index.rename(StoryId(2), StoryId(3));
        let same_url = Keys::of(&url("https://b.example/2"), "other");
        assert_eq!(index.find(&same_url).map(|d| d.story), Some(StoryId(3)));
        index.forget_story(StoryId(1));
        assert_eq!(index.len(), 1);
        for keys in [
            Keys::of(&url("https://wire.example/1"), "other"),
            Keys::of(&url("https://c.example/3"), WIRE),
            Keys::of(&url("https://c.example/4"), &edited),
        ] {
            assert_eq!(index.find(&keys), None);
        }
        assert_eq!(
            index.find(&same_url).map(|d| d.original),
            Some(ArticleId(2))
        );
        assert!(index.bands.is_empty() && index.by_exact.is_empty());
    }

    #[test]
    fn short_texts_are_not_compared_by_fingerprint() {
        let keys = Keys::of(&url("https://a.example/1"), "Short.");
        assert_eq!((keys.exact, keys.near), (None, None));
    }

    #[test]
    fn eviction_forgets_old_articles() {
        let mut index = DuplicateIndex::new();
        let t0 = Timestamp::UNIX_EPOCH;
        let t1 = t0 + jiff::SignedDuration::from_hours(100);
        index.insert(
            ArticleId(1),
            StoryId(1),
            t0,
            Keys::of(&url("https://a.example/1"), WIRE),
        );
        index.insert(
            ArticleId(2),
            StoryId(2),
            t1,
            Keys::of(&url("https://a.example/2"), "x"),
        );
        index.evict(t0 + jiff::SignedDuration::from_hours(50));
        assert_eq!(index.len(), 1);
        assert!(index.bands.is_empty() && index.by_exact.is_empty());
        assert_eq!(
            index.find(&Keys::of(&url("https://b.example/1"), WIRE)),
            None
        );
    }
}

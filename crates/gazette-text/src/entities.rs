//! Named entities (people, places, organisations) without a downloaded model.
//!
//! Three sources of evidence, in this order, sentence by sentence:
//! 1. **Gazetteers** shipped in the crate (`gazetteer/*.tsv`, see its README):
//!    countries, continents and cities in the 13 languages (from CLDR), and
//!    hand-written tables of organisations and of people with their names
//!    across languages. The longest name wins; a name must be capitalised in
//!    the text, and an all-capitals name (`UN`, `EI`) must be written exactly so.
//! 2. **Capitalisation**: a run of capitalised words (with name particles such
//!    as `de`, `al`, `van`) that is not a gazetteer name. A run opening a
//!    sentence loses a leading function word (`La`, `The`) and counts only when
//!    it has two words or is seen elsewhere mid-sentence.
//! 3. **Context** decides the kind of an unknown run: organisation words
//!    (`Front`, `Parti`, `Ministry`, `Bank`, …) make an organisation; a title or
//!    role before it (`M.`, `le ministre`, `President`, `spokesman`) or two
//!    words or more make a person; a lone word is `other`, unless it is the
//!    surname of a person already named (`Lavrov` after `Sergueï Lavrov`).
//!
//! Each entity gets a normalised [key](name_key): the gazetteer key when the
//! name is listed (`Daech`, `ISIS` and `État islamique` share `islamic
//! state`), else a spelling-insensitive key of the name, so that `Sergueï
//! Lavrov`, `Sergei Lavrov` and `Serguéi Lavrov` match.
//!
//! ```
//! use gazette_text::{entities, name_key};
//! let found = entities::find("Le ministre Sergueï Lavrov est arrivé à Moscou avec des experts de l'ONU.");
//! let keys: Vec<&str> = found.entities.iter().map(|e| e.key.as_str()).collect();
//! assert!(keys.contains(&"sergei lavrov") && keys.contains(&"moscow") && keys.contains(&"united nations"));
//! assert_eq!(name_key("Serguéi Lavrov"), name_key("Sergei Lavrov"));
//! ```

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::ops::Range;
use std::sync::LazyLock;

use gazette_core::{Entity, EntityKind};

use crate::fold::fold;
use crate::sentences::sentences;
use crate::words::words;

/// Longest gazetteer name, in words.
const MAX_NAME_WORDS: usize = 6;

const GAZETTEERS: [&str; 4] = [
    include_str!("../gazetteer/places.tsv"),
    include_str!("../gazetteer/places-extra.tsv"),
    include_str!("../gazetteer/organisations.tsv"),
    include_str!("../gazetteer/people.tsv"),
];

/// Words that join the parts of a name without being capitalised.
const PARTICLES: &[&str] = &[
    "de", "du", "des", "da", "di", "do", "dos", "van", "von", "der", "den", "al", "el", "bin",
    "ibn", "ben", "y", "del", "la", "le",
];

/// Titles written before a person's name.
const TITLES: &[&str] = &[
    "m", "mm", "mme", "mmes", "mlle", "mr", "mrs", "ms", "dr", "pr", "prof", "sir", "lord", "dame",
    "me", "mgr", "herr", "frau", "sr", "sra", "don", "dona", "sen", "rep", "gov", "gen", "lt",
    "col", "capt", "sgt", "st",
];

/// Roles that name a person ("le ministre", "the president"): folded, singular.
pub(crate) const ROLES: &[&str] = &[
    "ministre",
    "president",
    "presidente",
    "premier",
    "chef",
    "porte-parole",
    "secretaire",
    "directeur",
    "directrice",
    "procureur",
    "procureure",
    "maire",
    "depute",
    "deputee",
    "senateur",
    "ambassadeur",
    "ambassadrice",
    "general",
    "juge",
    "avocat",
    "avocate",
    "dirigeant",
    "dirigeante",
    "responsable",
    "commissaire",
    "gouverneur",
    "patron",
    "patronne",
    "entraineur",
    "selectionneur",
    "capitaine",
    "diplomate",
    "representant",
    "representante",
    "envoye",
    "emissaire",
    "chancelier",
    "chanceliere",
    "roi",
    "reine",
    "pape",
    "prince",
    "cardinal",
    "eveque",
    "colonel",
    "commandant",
    "minister",
    "president",
    "chairman",
    "chairwoman",
    "chief",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "secretary",
    "director",
    "prosecutor",
    "mayor",
    "senator",
    "congressman",
    "congresswoman",
    "ambassador",
    "judge",
    "lawyer",
    "attorney",
    "leader",
    "governor",
    "coach",
    "manager",
    "captain",
    "diplomat",
    "representative",
    "envoy",
    "chancellor",
    "king",
    "queen",
    "pope",
    "ceo",
    "officer",
    "sheriff",
    "inspector",
    "detective",
    "commissioner",
    "head",
    "founder",
    "analyst",
    "expert",
    "professor",
    "doctor",
    "actor",
    "actress",
    "singer",
    "star",
    "publicist",
    "agent",
    "rep",
    "official",
    "adviser",
    "advisor",
];

/// Words that make a capitalised run an organisation.
const ORGANISATION_WORDS: &[&str] = &[
    "front",
    "parti",
    "party",
    "ministere",
    "ministry",
    "union",
    "conseil",
    "council",
    "banque",
    "bank",
    "universite",
    "university",
    "agence",
    "agency",
    "commission",
    "committee",
    "comite",
    "association",
    "groupe",
    "group",
    "inc",
    "ltd",
    "corp",
    "corporation",
    "company",
    "compagnie",
    "police",
    "armee",
    "army",
    "cour",
    "court",
    "tribunal",
    "assemblee",
    "assembly",
    "federation",
    "institut",
    "institute",
    "fondation",
    "foundation",
    "organisation",
    "organization",
    "centre",
    "center",
    "office",
    "departement",
    "department",
    "service",
    "services",
    "forces",
    "force",
    "brigade",
    "brigades",
    "mouvement",
    "movement",
    "alliance",
    "coalition",
    "club",
    "fc",
    "hospital",
    "hopital",
    "school",
    "ecole",
    "college",
    "lycee",
    "journal",
    "times",
    "post",
    "news",
    "press",
    "presse",
    "radio",
    "tv",
    "television",
    "airlines",
    "records",
    "studios",
    "entertainment",
    "motors",
    "senat",
    "senate",
    "parlement",
    "parliament",
    "congres",
    "congress",
    "gouvernement",
    "government",
    "etat-major",
    "sa",
    "ag",
    "gmbh",
    "llc",
    "plc",
];

/// A named entity found in a text, with where it was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// Byte range of the name in the text.
    pub span: Range<usize>,
    /// The entity's key (see the [module docs](self)).
    pub key: String,
    pub kind: EntityKind,
    /// Folded role words written just before the name (`ministre`, `chef`).
    pub roles: Vec<String>,
}

/// What [`find`] returns: the entities, most mentioned first, and every mention in text order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    pub entities: Vec<Entity>,
    pub mentions: Vec<Mention>,
}

impl Found {
    /// The display name of the entity with `key`: its longest surface form.
    pub fn name_of(&self, key: &str) -> Option<&str> {
        self.entities
            .iter()
            .find(|e| e.key == key)
            .map(|e| e.text.as_str())
    }
}

/// One gazetteer line.
struct Listed {
    key: String,
    kind: EntityKind,
}

struct Gazetteer {
    entries: Vec<Listed>,
    /// Folded name (its words joined by spaces) → entry and whether the name is all capitals.
    by_name: HashMap<String, (usize, bool)>,
    /// [`name_key`] of person names → entry: spelling variants of listed people.
    by_person_key: HashMap<String, usize>,
}

static GAZETTEER: LazyLock<Gazetteer> = LazyLock::new(|| {
    let mut gazetteer = Gazetteer {
        entries: Vec::new(),
        by_name: HashMap::default(),
        by_person_key: HashMap::default(),
    };
    for source in GAZETTEERS {
        for line in source.lines().filter(|l| !l.starts_with('#')) {
            let mut fields = line.split('\t');
            let (Some(key), Some(kind), Some(names)) =
                (fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            let kind = match kind {
                "place" => EntityKind::Place,
                "organisation" => EntityKind::Organisation,
                "person" => EntityKind::Person,
                _ => EntityKind::Other,
            };
            let index = gazetteer.entries.len();
            gazetteer.entries.push(Listed {
                key: key.to_string(),
                kind,
            });
            for name in names.split('|') {
                let folded = joined_fold(name);
                if folded.is_empty() {
                    continue;
                }
                let upper = is_all_capitals(name);
                // The first line to list a name keeps it (countries before cities).
                gazetteer.by_name.entry(folded).or_insert((index, upper));
                if kind == EntityKind::Person {
                    gazetteer
                        .by_person_key
                        .entry(name_key(name))
                        .or_insert(index);
                }
            }
        }
    }
    gazetteer
});

/// The folded words of `name` joined by single spaces.
fn joined_fold(name: &str) -> String {
    words(name).map(fold).collect::<Vec<_>>().join(" ")
}

fn is_all_capitals(name: &str) -> bool {
    let mut letters = name.chars().filter(|c| c.is_alphabetic()).peekable();
    letters.peek().is_some() && letters.all(|c| !c.is_lowercase())
}

/// A spelling-insensitive key for a name: folded, name particles (`al-`, `el-`,
/// `de`) dropped, and transliteration variants merged (`ou`→`u`, `gue`→`ge`,
/// `sh`/`sch`/`tch`→`ch`, `kh`→`h`, `ph`→`f`, `w`→`v`, `y`/`j`→`i`, `z`→`s`,
/// `ck`→`k`, final `ine`→`in`, doubled letters single).
///
/// ```
/// use gazette_text::name_key;
/// assert_eq!(name_key("Sergueï Lavrov"), name_key("Sergei Lavrov"));
/// assert_eq!(name_key("Vladimir Poutine"), name_key("Vladimir Putin"));
/// assert_eq!(name_key("Bachar al-Assad"), name_key("Bashar el-Assad"));
/// ```
pub fn name_key(name: &str) -> String {
    // Names recur from article to article: their keys are kept per thread
    // (bounded, like the terms' cache).
    thread_local! {
        static KEYS: std::cell::RefCell<HashMap<Box<str>, Box<str>>> =
            std::cell::RefCell::new(HashMap::default());
    }
    KEYS.with_borrow_mut(|keys| {
        if let Some(key) = keys.get(name) {
            return key.to_string();
        }
        if keys.len() >= NAME_KEY_CACHE_ENTRIES {
            keys.clear();
        }
        let key = name_key_uncached(name);
        keys.insert(name.into(), key.as_str().into());
        key
    })
}

/// Names whose keys [`name_key`] keeps before it starts afresh.
const NAME_KEY_CACHE_ENTRIES: usize = 20_000;

/// [`name_key`] without the cache.
fn name_key_uncached(name: &str) -> String {
    let mut parts = Vec::new();
    for word in words(name) {
        for part in fold(word).split(['-', '\'']) {
            if part.is_empty() || PARTICLE_PREFIXES.contains(&part) {
                continue;
            }
            parts.push(respell(part));
        }
    }
    if parts.is_empty() {
        return fold(name);
    }
    parts.join(" ")
}

/// Particles dropped from keys (`al-Assad`, `an-Nusra`, `de Mistura`).
const PARTICLE_PREFIXES: &[&str] = &[
    "al", "el", "an", "ad", "ar", "as", "ash", "at", "az", "ul", "de", "du", "da", "di", "von",
    "van",
];

fn respell(part: &str) -> String {
    let mut s = part.to_string();
    for (from, to) in [
        ("gue", "ge"),
        ("gui", "gi"),
        ("tch", "ch"),
        ("sch", "ch"),
        ("sh", "ch"),
        ("kh", "h"),
        ("ph", "f"),
        ("ck", "k"),
        ("ou", "u"),
        ("w", "v"),
        ("y", "i"),
        ("j", "i"),
        ("z", "s"),
    ] {
        if s.contains(from) {
            s = s.replace(from, to);
        }
    }
    if let Some(stem) = s.strip_suffix("ine") {
        s = format!("{stem}in");
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

/// A word of a sentence with its position in the text.
#[derive(Debug, Clone)]
struct Token<'a> {
    text: &'a str,
    /// The word [folded](fold), once (the word lists are looked up folded).
    folded: String,
    start: usize,
    end: usize,
    capitalised: bool,
    /// Only spaces between this token and the previous one (no punctuation).
    joined: bool,
}

fn tokens<'a>(text: &'a str, sentence: &'a str, base: usize) -> Vec<Token<'a>> {
    let mut out: Vec<Token<'a>> = Vec::new();
    for word in words(sentence) {
        let start = base + (word.as_ptr() as usize - sentence.as_ptr() as usize);
        let end = start + word.len();
        let joined = out
            .last()
            .is_some_and(|prev| text[prev.end..start].chars().all(char::is_whitespace));
        // `al-Nusra`, `el-Assad`: a lowercase particle before a capitalised name.
        let name = ["al-", "el-", "an-", "ad-", "as-", "ar-"]
            .iter()
            .find_map(|p| word.strip_prefix(p))
            .unwrap_or(word);
        let first = name.chars().next().unwrap_or(' ');
        let capitalised = first.is_uppercase() || (first.is_alphabetic() && !first.is_lowercase());
        out.push(Token {
            text: word,
            folded: fold(word),
            start,
            end,
            capitalised,
            joined,
        });
    }
    out
}

/// The named entities of `text` and their mentions (see the [module docs](self)).
pub fn find(text: &str) -> Found {
    let gazetteer = &*GAZETTEER;
    let mut mentions: Vec<Mention> = Vec::new();
    // Single capitalised words opening a sentence, decided once the whole text is read.
    let mut openers: Vec<(Range<usize>, String)> = Vec::new();
    let mut surfaces: HashMap<String, String> = HashMap::default();
    for sentence in sentences(text) {
        let base = sentence.as_ptr() as usize - text.as_ptr() as usize;
        let toks = tokens(text, sentence, base);
        let mut i = 0;
        // Index of the first token that opens the sentence after a function word (`La Russie`).
        let mut opening = 0;
        while i < toks.len() {
            let at_start = i == opening || is_opening(text, &toks[..i], toks[i].start);
            if at_start
                && toks[i].capitalised
                && !is_title(&toks[i].folded)
                && is_function_word(&toks[i].folded)
            {
                opening = i + 1;
                i += 1;
                continue;
            }
            if let Some((len, index)) = gazetteer_match(gazetteer, &toks[i..]) {
                let listed = &gazetteer.entries[index];
                let span = toks[i].start..toks[i + len - 1].end;
                record_surface(&mut surfaces, &listed.key, &text[span.clone()]);
                mentions.push(Mention {
                    span,
                    key: listed.key.clone(),
                    kind: listed.kind,
                    roles: roles_before(&toks[..i]),
                });
                i += len;
                continue;
            }
            // Titles, and capitalised function words anywhere (a sentence
            // inside a quotation, a caption run into the text).
            if !toks[i].capitalised
                || is_title(&toks[i].folded)
                || is_function_word(&toks[i].folded)
            {
                i += 1;
                continue;
            }
            let len = capitalised_run(&toks[i..]);
            let run = &toks[i..i + len];
            i += len;
            let span = run[0].start..run[run.len() - 1].end;
            let surface = &text[span.clone()];
            if run.len() == 1 && at_start {
                openers.push((span, surface.to_string()));
                continue;
            }
            let before = &toks[..i - len];
            let (key, kind) = classify(gazetteer, run, before, &mentions);
            record_surface(&mut surfaces, &key, surface);
            mentions.push(Mention {
                span,
                key,
                kind,
                roles: roles_before(before),
            });
        }
    }
    // A sentence-opening word counts when the same word is an entity elsewhere.
    for (span, surface) in openers {
        let key = name_key(&surface);
        let known = mentions.iter().find(|m| {
            m.key == key || (m.kind == EntityKind::Person && last_word_key(&m.key) == key)
        });
        if let Some(known) = known {
            let (key, kind) = (known.key.clone(), known.kind);
            mentions.push(Mention {
                span,
                key,
                kind,
                roles: Vec::new(),
            });
        }
    }
    mentions.sort_by_key(|m| m.span.start);
    let entities = count(&mentions, &surfaces);
    Found { entities, mentions }
}

/// Whether the token starting at `start` opens its sentence (only punctuation
/// or opening marks before it).
fn is_opening(text: &str, before: &[Token<'_>], start: usize) -> bool {
    let from = before.last().map_or(0, |t| t.end);
    before.is_empty() || text[from..start].contains([':', '«', '“', '"', '—', '–', '('])
}

/// Keeps the longest surface form of each key, the first seen among equals.
fn record_surface(surfaces: &mut HashMap<String, String>, key: &str, surface: &str) {
    let words = |s: &str| words(s).count();
    match surfaces.get(key) {
        Some(known) if words(known) >= words(surface) => {}
        _ => {
            surfaces.insert(key.to_string(), surface.to_string());
        }
    }
}

/// The longest gazetteer name starting at the first token: its length in tokens and entry.
fn gazetteer_match(gazetteer: &Gazetteer, toks: &[Token<'_>]) -> Option<(usize, usize)> {
    if !toks[0].capitalised {
        return None;
    }
    let mut folded = String::new();
    let mut best = None;
    for (n, token) in toks.iter().take(MAX_NAME_WORDS).enumerate() {
        if n > 0 {
            if !token.joined {
                break;
            }
            folded.push(' ');
        }
        folded.push_str(&token.folded);
        if let Some(&(index, upper)) = gazetteer.by_name.get(&folded) {
            let surface_ok = !upper || toks[..=n].iter().all(|t| is_all_capitals(t.text));
            if surface_ok {
                best = Some((n + 1, index));
            }
        }
    }
    best
}

/// How many tokens from the first form a capitalised name: capitalised words
/// joined by spaces, with particles inside.
fn capitalised_run(toks: &[Token<'_>]) -> usize {
    let mut len = 1;
    let mut i = 1;
    while i < toks.len() && toks[i].joined {
        if toks[i].capitalised && !is_title(&toks[i].folded) && !is_function_word(&toks[i].folded) {
            i += 1;
            len = i;
        } else if PARTICLES.contains(&toks[i].text) {
            i += 1;
        } else {
            break;
        }
    }
    len
}

/// Whether a folded word is a title (`M.`, `président`, `Dr`…).
fn is_title(folded: &str) -> bool {
    TITLE_SET.contains(folded)
}

// The word lists as sets: they are looked up for every capitalised word.
static TITLE_SET: LazyLock<HashSet<&str>> = LazyLock::new(|| TITLES.iter().copied().collect());
pub(crate) static ROLE_SET: LazyLock<HashSet<&str>> =
    LazyLock::new(|| ROLES.iter().copied().collect());
static ORGANISATION_SET: LazyLock<HashSet<&str>> =
    LazyLock::new(|| ORGANISATION_WORDS.iter().copied().collect());
/// The stop words of every language with a list, and [`COMMON_OPENERS`].
static FUNCTION_WORDS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    crate::LANGUAGES
        .iter()
        .filter_map(|lang| crate::stopwords::stop_words(lang))
        .flatten()
        .cloned()
        .chain(COMMON_OPENERS.iter().map(|w| w.to_string()))
        .collect()
});

/// Capitalised words that open sentences without being names.
fn is_function_word(folded: &str) -> bool {
    FUNCTION_WORDS.contains(folded)
}

/// Sentence openers that are not stop words but are not names either.
const COMMON_OPENERS: &[&str] = &[
    "selon",
    "suivez",
    "pour",
    "apres",
    "depuis",
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "samedi",
    "dimanche",
    "according",
    "after",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "yesterday",
    "today",
    "hier",
    "aujourd'hui",
    "however",
    "cependant",
    "pourtant",
    "ainsi",
    "enfin",
    "alors",
    "mais",
    "et",
    "ou",
    "donc",
    "but",
    "and",
    "so",
    "also",
    "meanwhile",
    "police",
    "officials",
];

/// The key and kind of an unlisted capitalised run.
fn classify(
    gazetteer: &Gazetteer,
    run: &[Token<'_>],
    before: &[Token<'_>],
    known: &[Mention],
) -> (String, EntityKind) {
    let surface: Vec<&str> = run.iter().map(|t| t.text).collect();
    let key = name_key(&surface.join(" "));
    if let Some(&index) = gazetteer.by_person_key.get(&key) {
        return (gazetteer.entries[index].key.clone(), EntityKind::Person);
    }
    if run
        .iter()
        .any(|t| ORGANISATION_SET.contains(t.folded.as_str()))
    {
        return (key, EntityKind::Organisation);
    }
    if run.len() == 1 {
        // The surname of a person named before.
        if let Some(person) = known
            .iter()
            .rev()
            .find(|m| m.kind == EntityKind::Person && last_word_key(&m.key) == key)
        {
            return (person.key.clone(), EntityKind::Person);
        }
    }
    let titled = before
        .last()
        .is_some_and(|t| is_title(&t.folded) || ROLE_SET.contains(t.folded.as_str()))
        || !roles_before(before).is_empty();
    if titled || run.len() >= 2 {
        return (key, EntityKind::Person);
    }
    (key, EntityKind::Other)
}

fn last_word_key(key: &str) -> &str {
    key.rsplit(' ').next().unwrap_or(key)
}

/// Role words in the noun phrase just before a name: `le chef de la diplomatie
/// russe` → `chef`; `the Russian foreign minister` → `minister`. Looks back at
/// most five words, through lowercase words only.
fn roles_before(before: &[Token<'_>]) -> Vec<String> {
    let mut roles = Vec::new();
    for token in before.iter().rev().take(5) {
        if ROLE_SET.contains(token.folded.as_str()) {
            roles.push(token.folded.clone());
        }
        if !token.joined {
            break;
        }
    }
    roles
}

/// The entities of the mentions, most mentioned first (then first seen).
fn count(mentions: &[Mention], surfaces: &HashMap<String, String>) -> Vec<Entity> {
    let mut entities: Vec<Entity> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::default();
    for mention in mentions {
        match index.get(mention.key.as_str()) {
            Some(&i) => entities[i].count += 1,
            None => {
                index.insert(&mention.key, entities.len());
                entities.push(Entity {
                    text: surfaces.get(&mention.key).cloned().unwrap_or_default(),
                    key: mention.key.clone(),
                    kind: mention.kind,
                    count: 1,
                });
            }
        }
    }
    entities.sort_by_key(|e| std::cmp::Reverse(e.count));
    entities
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cached_name_keys_are_the_uncached_ones() {
        for name in [
            "Sergueï Lavrov",
            "Bachar al-Assad",
            "Vladimir Poutine",
            "",
            "d'Artagnan",
        ] {
            let first = name_key(name);
            assert_eq!(first, name_key_uncached(name), "{name}");
            assert_eq!(name_key(name), first, "{name}, from the cache");
        }
    }

    fn keys(text: &str) -> Vec<(String, EntityKind)> {
        find(text)
            .entities
            .into_iter()
            .map(|e| (e.key, e.kind))
            .collect()
    }

    #[test]
    fn transliterations_share_a_key() {
        let a = name_key("Sergueï Lavrov");
        assert_eq!(a, name_key("Sergei Lavrov"));
        assert_eq!(a, name_key("Serguéi Lavrov"));
        assert_eq!(a, name_key("Sergey Lavrov"));
        assert_eq!(
            name_key("Volodymyr Zelensky"),
            name_key("Volodymyr Zelenskyy")
        );
        assert_ne!(name_key("Sergei Lavrov"), name_key("Sergei Shoigu"));
    }

    #[test]
    fn aliases_across_languages_share_a_key() {
        for text in [
            "Les frappes visent Daech.",
            "Strikes target ISIS.",
            "Les frappes visent l'État islamique.",
            "Strikes target the Islamic State.",
            "Удары по ИГИЛ.",
        ] {
            assert!(
                keys(text).contains(&("islamic state".into(), EntityKind::Organisation)),
                "{text}: {:?}",
                keys(text)
            );
        }
        for text in ["le Front al-Nosra", "the al-Nusra Front", "Jabhat al-Nusra"] {
            let text = format!("Il combat {text}.");
            assert!(
                keys(&text).contains(&("al-nusra front".into(), EntityKind::Organisation)),
                "{text}"
            );
        }
    }

    #[test]
    fn places_in_several_languages() {
        for (text, key) in [
            ("Il est arrivé à Moscou.", "moscow"),
            ("He landed in Moscow.", "moscow"),
            ("Er ist in Moskau.", "moscow"),
            ("La Russie et la Syrie.", "russia"),
            ("Les USA ont répondu.", "united states"),
            ("La rencontre d'Astana.", "astana"),
        ] {
            assert!(
                keys(text)
                    .iter()
                    .any(|(k, kind)| k == key && *kind == EntityKind::Place),
                "{text}: {:?}",
                keys(text)
            );
        }
    }

    #[test]
    fn lowercase_words_and_articles_are_not_names() {
        // "un" is French for "a", not the UN; "nice" is not Nice.
        assert!(keys("Il a vu un homme dans une ville nice.").is_empty());
    }

    #[test]
    fn titles_and_roles_make_people_and_surnames_refer_back() {
        let found = find(
            "Le ministre Jean Dupont a parlé. Selon M. Martin, tout va bien. Dupont a répondu.",
        );
        let dupont = found
            .entities
            .iter()
            .find(|e| e.key == name_key("Jean Dupont"))
            .unwrap();
        assert_eq!(dupont.kind, EntityKind::Person);
        assert_eq!(dupont.count, 2);
        assert_eq!(dupont.text, "Jean Dupont");
        let martin = found.entities.iter().find(|e| e.key == "martin").unwrap();
        assert_eq!(martin.kind, EntityKind::Person);
        let mention = found.mentions.iter().find(|m| m.key == dupont.key).unwrap();
        assert_eq!(mention.roles, ["ministre"]);
    }

    #[test]
    fn organisation_words_make_organisations() {
        let k = keys("Il a rejoint le Parti Socialiste et la Banque Centrale.");
        assert!(
            k.iter().all(|(_, kind)| *kind == EntityKind::Organisation),
            "{k:?}"
        );
        assert_eq!(k.len(), 2);
    }

    #[test]
    fn a_sentence_opener_counts_only_when_seen_elsewhere() {
        let k = keys("Hier soir, rien. Lavrov parle. Le ministre Sergueï Lavrov répond.");
        assert_eq!(k, [("sergei lavrov".to_string(), EntityKind::Person)]);
    }
}

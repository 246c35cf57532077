//! Text analysis for gazette: everything that turns article text into
//! comparable units and into what a reader wants from it (who speaks, about
//! whom, where). Pure functions, no I/O, no models to download: the language
//! tables, stop words and gazetteers are data files embedded in the crate.
//!
//! - [`analyze()`]: the whole analysis of a text in one call → [`gazette_core::Analysis`];
//! - [`detect_lang`]: language identification (13 languages, headlines too);
//! - [`sentences()`]: a sentence splitter aware of French typography (`M.`, « », `3,5`);
//! - [`words()`]: word tokens (French elisions split off, numbers like `1 200` whole);
//! - [`fold()`]: lowercase and strip accents, the form words are compared in;
//! - [`is_stop_word`]: Snowball stop words for fr, en, es, de, it, pt and nl;
//! - [`terms()`]: index terms (folded Snowball stems without stop words);
//! - [`entities::find`]: people, places and organisations with normalised keys ([`name_key`]);
//! - [`quotations`]: quoted passages; [`attribution::direct_quotes`]: quotes with their speakers;
//! - [`fingerprint`]: a SimHash for near-duplicates.
//!
//! ```
//! use gazette_text::{analyze, AnalyzeConfig};
//! let text = "Sergueï Lavrov a parlé à Moscou.\n\n« Nous saluerons une telle décision », a précisé le ministre.";
//! let analysis = analyze(text, &AnalyzeConfig::default());
//! assert_eq!(analysis.lang.as_deref(), Some("fr"));
//! assert_eq!(analysis.sentences.len(), 2);
//! assert_eq!(analysis.quotes[0].speaker.as_deref(), Some("Sergueï Lavrov"));
//! ```

pub mod analyze;
pub mod attribution;
pub mod entities;
pub mod fold;
pub mod lang;
pub mod quotes;
pub mod sentences;
pub mod stopwords;
pub mod terms;
pub mod words;

pub use analyze::{AnalyzeConfig, analyze, fingerprint};
pub use entities::name_key;
pub use fold::fold;
pub use lang::{LANGUAGES, detect_lang};
pub use quotes::{Quotation, quotations};
pub use sentences::sentences;
pub use stopwords::{STOP_WORD_LANGUAGES, is_stop_word};
pub use terms::{for_each_term, for_each_word_term, terms};
pub use words::{Words, words};

//! Text analysis for gazette: everything that turns article text into
//! comparable units. Pure functions, no I/O, no models to download. Each
//! module's docs give its rules; the functions are re-exported here.
//!
//! - [`fold()`]: lowercase and strip accents, the form words are compared in;
//! - [`words()`]: word tokens (French elisions split off, simple numbers whole);
//! - [`is_stop_word`]: Snowball stop words for fr, en, es, de, it, pt and nl;
//! - [`terms()`]: index terms (folded Snowball stems without stop words);
//! - [`sentences()`]: a sentence splitter aware of French abbreviations and « »;
//! - [`quotations`]: quoted passages;
//! - [`detect_lang`]: language identification (13 languages, headlines too);
//!
//! Language identification proper, entities and quote attribution come later.
//!
//! ```
//! use gazette_text::{detect_lang, sentences, terms};
//! let text = "M. Lavrov a rencontré les négociateurs. « Nous saluerons une telle décision », a-t-il dit.";
//! assert_eq!(detect_lang(text), Some("fr"));
//! assert_eq!(sentences(text).len(), 2);
//! assert!(terms(text, Some("fr")).contains(&"negoci".to_string()));
//! ```

pub mod fold;
pub mod lang;
pub mod quotes;
pub mod sentences;
pub mod stopwords;
pub mod terms;
pub mod words;

pub use fold::fold;
pub use lang::{LANGUAGES, detect_lang};
pub use quotes::{Quotation, quotations};
pub use sentences::sentences;
pub use stopwords::{STOP_WORD_LANGUAGES, is_stop_word};
pub use terms::terms;
pub use words::{Words, words};

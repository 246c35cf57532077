//! HTML page → [`ArticleContent`]: the article's text without boilerplate, and its
//! metadata (title, authors, dates, language, canonical URL, image). Pure: no I/O.
//!
//! The page is decoded ([`charset`]), tokenised once into flat text blocks
//! ([`blocks`] over this crate's byte-level [`tokenizer`], no DOM), the article's blocks are chosen
//! ([`content`]) and the metadata read with a documented precedence ([`metadata`]).
//! [`boilerplate`] learns what a source repeats on its pages and removes it.
//! Limits: a page-size cap and an element cap ([`ExtractConfig`]); nothing recurses.
//! Figures against other extractors: `BENCHMARKS.md`.
//!
//! ```
//! let html = r#"<html lang="fr"><head><title>Un titre</title>
//!   <link rel="canonical" href="/article/1"></head><body><article>
//!   <p>Premier paragraphe de l'article, assez long pour être retenu comme texte principal par l'extracteur.</p>
//!   <p>Second paragraphe, lui aussi assez long pour compter dans le contenu de la page d'actualité.</p>
//!   </article></body></html>"#;
//! let url = "https://news.example/a?utm_source=x".parse().unwrap();
//! let article = gazette_extract::extract(html.as_bytes(), &url, None).unwrap();
//! assert_eq!(article.canonical_url.unwrap().as_str(), "https://news.example/article/1");
//! assert_eq!(article.lang.as_deref(), Some("fr"));
//! assert!(article.text.contains("\n\nSecond paragraphe"));
//! ```

pub mod blocks;
pub mod boilerplate;
pub mod charset;
pub mod content;
mod dates;
pub mod metadata;
pub mod tokenizer;

use gazette_core::ArticleContent;
use url::Url;

pub use dates::parse_date;

/// Why a page gave no article.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The page has no recognisable article text.
    #[error("no article text found in {url}")]
    NoArticle { url: String },
    /// The page is larger than the configured cap.
    #[error("page {url} is {size} bytes, more than the {limit}-byte limit for extraction")]
    TooLarge {
        url: String,
        size: usize,
        limit: usize,
    },
    /// The page has more elements than the configured cap (deeply nested or generated markup).
    #[error("page {url} has too many elements to parse ({found} > {limit})")]
    TooManyElements {
        url: String,
        found: usize,
        limit: usize,
    },
}

/// Fewer letters and digits than this in the main text: no article.
const MIN_ARTICLE_CHARS: usize = 40;

/// Limits and switches of the extractor.
#[derive(Debug, Clone)]
pub struct ExtractConfig {
    /// Pages larger than this are refused.
    pub max_bytes: usize,
    /// Documents with more elements than this are refused.
    pub max_elements: usize,
}

impl Default for ExtractConfig {
    fn default() -> Self {
        ExtractConfig {
            max_bytes: 8 * 1024 * 1024,
            max_elements: 100_000,
        }
    }
}

/// Extracts the article of an HTML page fetched from `url` with the default limits.
/// `http_charset` is the `charset` of the response's `Content-Type`, when it had one.
pub fn extract(
    html: &[u8],
    url: &Url,
    http_charset: Option<&str>,
) -> Result<ArticleContent, ExtractError> {
    extract_with(html, url, http_charset, &ExtractConfig::default())
}

/// [`extract`] with explicit limits.
pub fn extract_with(
    html: &[u8],
    url: &Url,
    http_charset: Option<&str>,
    config: &ExtractConfig,
) -> Result<ArticleContent, ExtractError> {
    if html.len() > config.max_bytes {
        return Err(ExtractError::TooLarge {
            url: url.to_string(),
            size: html.len(),
            limit: config.max_bytes,
        });
    }
    let decoded = charset::decode_html(html, http_charset, Some(url));
    let page = blocks::parse(&decoded.text);
    if page.elements.len() > config.max_elements {
        return Err(ExtractError::TooManyElements {
            url: url.to_string(),
            found: page.elements.len(),
            limit: config.max_elements,
        });
    }
    let meta = metadata::read(&page.raw);
    let selected = content::select(&page);
    let mut text = String::new();
    for i in selected {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&page.blocks[i].text);
    }
    let text = normalise_text(&text);
    if text.chars().filter(|c| c.is_alphanumeric()).count() < MIN_ARTICLE_CHARS {
        return Err(ExtractError::NoArticle {
            url: url.to_string(),
        });
    }
    let canonical_url = meta
        .canonical
        .as_deref()
        .and_then(|c| url.join(c).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"));
    // Relative links resolve against the page's own address when it was read from a file.
    let base = match (&canonical_url, url.scheme()) {
        (Some(c), "file") => c,
        _ => url,
    };
    Ok(ArticleContent {
        url: Some(url.clone()),
        canonical_url: canonical_url.clone(),
        title: meta.title,
        authors: meta.authors,
        published: meta.published.as_deref().and_then(parse_date),
        modified: meta.modified.as_deref().and_then(parse_date),
        lang: meta.lang.as_deref().and_then(primary_language),
        site_name: meta.site_name,
        description: meta.description,
        image: meta
            .image
            .as_deref()
            .and_then(|i| base.join(i).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https")),
        text,
        quotes: Vec::new(),
    })
}

/// Paragraphs separated by exactly one blank line, whitespace inside collapsed.
fn normalise_text(raw: &str) -> String {
    let mut paragraphs = Vec::new();
    for block in raw.split("\n\n") {
        let para = block.split_whitespace().collect::<Vec<_>>().join(" ");
        if !para.is_empty() {
            paragraphs.push(para);
        }
    }
    paragraphs.join("\n\n")
}

/// "By Jane Doe and John Roe" → ["Jane Doe", "John Roe"].
pub(crate) fn split_authors(byline: &str) -> Vec<String> {
    let byline = byline.trim();
    let lower = byline.to_lowercase();
    let byline = ["by ", "par "]
        .iter()
        .find(|p| lower.starts_with(*p))
        .map_or(byline, |p| byline[p.len()..].trim_start());
    byline
        .split([',', ';'])
        .flat_map(|part| part.split(" and ").flat_map(|p| p.split(" et ")))
        .map(str::trim)
        .filter(|a| !a.is_empty() && a.chars().count() <= 80)
        .map(str::to_string)
        .collect()
}

/// "fr-FR" → "fr".
fn primary_language(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    (primary.len() >= 2 && primary.len() <= 3 && primary.chars().all(|c| c.is_ascii_alphabetic()))
        .then_some(primary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bylines_are_split_into_names() {
        assert_eq!(
            split_authors("By Jane Doe and John Roe"),
            ["Jane Doe", "John Roe"]
        );
        assert_eq!(
            split_authors("Par Marie Curie, Pierre Curie"),
            ["Marie Curie", "Pierre Curie"]
        );
    }

    #[test]
    fn language_tags_keep_the_primary_subtag() {
        assert_eq!(primary_language("fr-FR").as_deref(), Some("fr"));
        assert_eq!(primary_language("EN").as_deref(), Some("en"));
        assert_eq!(primary_language("x"), None);
    }

    #[test]
    fn text_is_normalised_to_paragraphs() {
        assert_eq!(normalise_text("  a  b \n c\n\n\n\n d "), "a b c\n\nd");
    }

    #[test]
    fn oversized_pages_are_refused() {
        let url: Url = "https://a.example/".parse().unwrap();
        let config = ExtractConfig {
            max_bytes: 10,
            ..Default::default()
        };
        let err = extract_with(&[b'a'; 11], &url, None, &config).unwrap_err();
        assert!(
            matches!(err, ExtractError::TooLarge { size: 11, .. }),
            "{err}"
        );
    }

    #[test]
    fn a_page_without_text_is_no_article() {
        let url: Url = "https://a.example/".parse().unwrap();
        let err = extract(b"<html><body><nav>Home</nav></body></html>", &url, None).unwrap_err();
        assert!(matches!(err, ExtractError::NoArticle { .. }), "{err}");
    }
}

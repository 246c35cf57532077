//! HTML page → [`ArticleContent`]: main text, title, authors, dates, language,
//! canonical URL, image. Pure: no I/O.
//!
//! (Being written: the signature below is the contract.)

use gazette_core::ArticleContent;
use url::Url;

/// Why a page gave no article.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The page has no recognisable article text.
    #[error("no article text found in {url}")]
    NoArticle { url: String },
}

/// Extracts the article of an HTML page fetched from `url`. `http_charset` is the
/// `charset` of the response's `Content-Type`, when it had one.
pub fn extract(html: &[u8], url: &Url, http_charset: Option<&str>) -> Result<ArticleContent, ExtractError> {
    let _ = (html, http_charset);
    Err(ExtractError::NoArticle { url: url.to_string() })
}

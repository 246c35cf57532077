//! Pages that are not articles, or are hostile: the extractor answers with an
//! error or an article, never a panic, and within its limits.

use gazette_extract::{ExtractConfig, ExtractError, extract, extract_with};
use url::Url;

fn url() -> Url {
    "https://news.example/a".parse().unwrap()
}

const ARTICLE: &str = "<p>Le gouvernement a présenté mardi un projet de loi sur l'énergie, qui prévoit une hausse des investissements dans le réseau électrique.</p><p>Les députés examineront le texte à partir du mois prochain, a indiqué la ministre lors d'une conférence de presse à Paris.</p>";

#[test]
fn an_empty_page_is_no_article() {
    for page in [&b""[..], b"   ", b"<html></html>"] {
        let err = extract(page, &url(), None).unwrap_err();
        assert!(matches!(err, ExtractError::NoArticle { .. }), "{err}");
    }
}

#[test]
fn binary_garbage_is_no_article() {
    let mut state: u32 = 0x1234_5678;
    let bytes: Vec<u8> = (0..200_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect();
    assert!(extract(&bytes, &url(), None).is_err());
}

#[test]
fn pages_over_the_size_cap_are_refused() {
    let config = ExtractConfig {
        max_bytes: 1000,
        ..Default::default()
    };
    let big = format!("<html><body>{}</body></html>", ARTICLE.repeat(10));
    let err = extract_with(big.as_bytes(), &url(), None, &config).unwrap_err();
    assert!(
        matches!(err, ExtractError::TooLarge { limit: 1000, .. }),
        "{err}"
    );
}

#[test]
fn deeply_nested_markup_is_handled_without_recursion() {
    let depth = 50_000;
    let page = format!(
        "<html><body>{}{ARTICLE}{}</body></html>",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    let article = extract(page.as_bytes(), &url(), None).unwrap();
    assert!(
        article.text.starts_with("Le gouvernement"),
        "{}",
        article.text
    );
    // Past the element cap, the page is refused instead.
    let config = ExtractConfig {
        max_elements: 10_000,
        ..Default::default()
    };
    let err = extract_with(page.as_bytes(), &url(), None, &config).unwrap_err();
    assert!(matches!(err, ExtractError::TooManyElements { .. }), "{err}");
}

#[test]
fn many_unclosed_paragraphs_and_broken_markup_still_give_the_text() {
    let page = "<html><body><div class=content><p>Le gouvernement a présenté mardi un projet de loi sur l'énergie, qui prévoit une hausse des investissements<p>Les députés examineront le texte à partir du mois prochain, a indiqué la ministre lors d'une conférence de presse</b></i></span><p>Troisième paragraphe sans fin de balise, assez long pour compter comme du texte";
    let article = extract(page.as_bytes(), &url(), None).unwrap();
    assert_eq!(article.text.split("\n\n").count(), 3, "{}", article.text);
}

#[test]
fn a_non_utf8_page_is_decoded_from_its_meta_charset() {
    let page =
        format!("<html><head><meta charset=\"iso-8859-1\"></head><body>{ARTICLE}</body></html>");
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&page);
    assert!(std::str::from_utf8(&bytes).is_err());
    let article = extract(&bytes, &url(), None).unwrap();
    assert!(article.text.contains("présenté"), "{}", article.text);
    assert!(article.text.contains("députés"));
}

#[test]
fn a_non_utf8_page_without_declaration_is_detected() {
    let page = format!("<html><body>{ARTICLE}</body></html>");
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&page);
    let article = extract(&bytes, &"https://news.example.fr/a".parse().unwrap(), None).unwrap();
    assert!(article.text.contains("présenté"), "{}", article.text);
}

#[test]
fn the_http_charset_wins_over_the_page() {
    let page = format!("<html><head><meta charset=\"utf-8\"></head><body>{ARTICLE}</body></html>");
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&page);
    let article = extract(&bytes, &url(), Some("windows-1252")).unwrap();
    assert!(article.text.contains("présenté"));
}

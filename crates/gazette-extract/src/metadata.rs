//! Page metadata from what the tokenizer pass saw ([`Raw`]): JSON-LD, OpenGraph,
//! Twitter cards, `<meta>`, microdata, `<time>`, `<title>`.
//!
//! Precedence, best first (the first source that gives a usable value wins):
//!
//! | field | order |
//! |---|---|
//! | title | JSON-LD `headline`/`name` of the article → `og:title` → `twitter:title` → `<title>` (a trailing " - Site" removed) |
//! | authors | JSON-LD `author` (names; several kept) → `<meta name=author>` / `article:author` / `dc.creator` / `parsely-author` (not URLs) → `itemprop=author`, `rel=author` text |
//! | published | JSON-LD `datePublished` → `article:published_time` → `itemprop=datePublished` → `pubdate`, `publishdate`, `date`, `dc.date`, `dcterms.created`, `sailthru.date`, `parsely-pub-date` → first `<time datetime>` |
//! | modified | JSON-LD `dateModified` → `article:modified_time` → `og:updated_time` → `itemprop=dateModified` |
//! | lang | `<html lang>` → `og:locale` → `content-language` → JSON-LD `inLanguage` |
//! | site_name | `og:site_name` → JSON-LD `publisher.name` → `application-name` → `twitter:site` |
//! | description | `og:description` → `description` → `twitter:description` → JSON-LD `description` |
//! | image | `og:image` → `twitter:image` → JSON-LD `image` |
//! | canonical_url | `<link rel=canonical>` → `og:url` → JSON-LD `url`/`mainEntityOfPage` |
//!
//! JSON-LD is read from every `<script type="application/ld+json">`: single objects,
//! arrays and `@graph`; the article is the first object typed `NewsArticle`,
//! `Article`, `BlogPosting`, `ReportageNewsArticle` or another `*Article`/`*Posting`,
//! else a `WebPage`.

use serde_json::Value;

use crate::blocks::Raw;

/// Metadata, as strings (dates and URLs parsed by the caller).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Meta {
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub published: Option<String>,
    pub modified: Option<String>,
    pub lang: Option<String>,
    pub site_name: Option<String>,
    pub description: Option<String>,
    pub image: Option<String>,
    pub canonical: Option<String>,
}

fn meta<'a>(raw: &'a Raw, names: &[&str]) -> Option<&'a str> {
    names.iter().find_map(|n| {
        raw.metas
            .iter()
            .find(|(k, v)| k == n && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
    })
}

fn is_article_type(t: &str) -> bool {
    t.ends_with("Article") || t.ends_with("Posting") || t == "Report"
}

fn types(v: &Value) -> Vec<&str> {
    match v.get("@type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn flatten<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    match v {
        Value::Array(a) => a.iter().for_each(|x| flatten(x, out)),
        Value::Object(o) => {
            out.push(v);
            if let Some(g) = o.get("@graph") {
                flatten(g, out);
            }
        }
        _ => {}
    }
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => non_empty(s),
        Value::Array(a) => a.iter().find_map(text_of),
        Value::Object(o) => o
            .get("name")
            .or_else(|| o.get("url"))
            .or_else(|| o.get("@id"))
            .and_then(text_of),
        _ => None,
    }
}

fn url_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => non_empty(s),
        Value::Array(a) => a.iter().find_map(url_of),
        Value::Object(o) => o.get("url").or_else(|| o.get("@id")).and_then(url_of),
        _ => None,
    }
}

fn names_of(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.extend(crate::split_authors(s)),
        Value::Array(a) => a.iter().for_each(|x| names_of(x, out)),
        Value::Object(o) => {
            if let Some(Value::String(n)) = o.get("name") {
                out.extend(non_empty(n));
            }
        }
        _ => {}
    }
}

fn non_empty(s: &str) -> Option<String> {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!s.is_empty()).then_some(s)
}

fn looks_like_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://") || s.starts_with('/')
}

/// Reads the metadata of a page.
pub fn read(raw: &Raw) -> Meta {
    let parsed: Vec<Value> = raw
        .json_ld
        .iter()
        .filter_map(|s| serde_json::from_str::<Value>(s.trim().trim_end_matches(';')).ok())
        .collect();
    let mut objects = Vec::new();
    for p in &parsed {
        flatten(p, &mut objects);
    }
    let article = objects
        .iter()
        .find(|o| types(o).iter().any(|t| is_article_type(t)))
        .or_else(|| {
            objects
                .iter()
                .find(|o| types(o).iter().any(|t| t.ends_with("WebPage")))
        })
        .copied();
    let ld = |key: &str| article.and_then(|a| a.get(key));
    let publisher = ld("publisher").and_then(text_of).or_else(|| {
        objects
            .iter()
            .find(|o| {
                types(o)
                    .iter()
                    .any(|t| matches!(*t, "NewsMediaOrganization" | "Organization" | "WebSite"))
            })
            .and_then(|o| o.get("name"))
            .and_then(text_of)
    });

    let html_title = non_empty(&raw.title).map(|t| strip_site_suffix(&t));
    let title = ld("headline")
        .and_then(text_of)
        .or_else(|| meta(raw, &["og:title", "twitter:title"]).and_then(non_empty))
        .or(html_title);

    let mut authors = Vec::new();
    if let Some(a) = ld("author") {
        names_of(a, &mut authors);
    }
    if authors.is_empty() {
        for key in [
            "author",
            "article:author",
            "dc.creator",
            "parsely-author",
            "byl",
        ] {
            for (k, v) in &raw.metas {
                if k == key && !looks_like_url(v.trim()) {
                    authors.extend(crate::split_authors(v));
                }
            }
            if !authors.is_empty() {
                break;
            }
        }
    }
    if authors.is_empty() {
        authors.extend(
            raw.author_texts
                .iter()
                .take(3)
                .flat_map(|t| crate::split_authors(t)),
        );
    }
    authors.retain(|a| !looks_like_url(a) && a.chars().any(char::is_alphabetic));
    let mut seen = std::collections::HashSet::new();
    authors.retain(|a| seen.insert(a.to_lowercase()));
    authors.truncate(10);

    let published = ld("datePublished")
        .and_then(text_of)
        .or_else(|| {
            meta(
                raw,
                &[
                    "article:published_time",
                    "datepublished",
                    "pubdate",
                    "publishdate",
                    "publish-date",
                    "date",
                    "dc.date",
                    "dc.date.issued",
                    "dcterms.created",
                    "sailthru.date",
                    "parsely-pub-date",
                    "og:published_time",
                ],
            )
            .map(str::to_string)
        })
        .or_else(|| raw.times.first().cloned());
    let modified = ld("dateModified").and_then(text_of).or_else(|| {
        meta(
            raw,
            &[
                "article:modified_time",
                "og:updated_time",
                "datemodified",
                "dcterms.modified",
            ],
        )
        .map(str::to_string)
    });
    let lang = raw
        .html_lang
        .clone()
        .and_then(|l| non_empty(&l))
        .or_else(|| meta(raw, &["og:locale", "content-language", "language"]).and_then(non_empty))
        .or_else(|| ld("inLanguage").and_then(text_of));
    let site_name = meta(raw, &["og:site_name"])
        .and_then(non_empty)
        .or(publisher)
        .or_else(|| meta(raw, &["application-name", "twitter:site"]).and_then(non_empty));
    let description = meta(
        raw,
        &["og:description", "description", "twitter:description"],
    )
    .and_then(non_empty)
    .or_else(|| ld("description").and_then(text_of));
    let image = meta(
        raw,
        &[
            "og:image",
            "og:image:url",
            "twitter:image",
            "twitter:image:src",
        ],
    )
    .and_then(non_empty)
    .or_else(|| ld("image").and_then(url_of));
    let canonical = raw
        .links
        .iter()
        .find(|(rel, _)| rel.split_whitespace().any(|r| r == "canonical"))
        .and_then(|(_, href)| non_empty(href))
        .or_else(|| meta(raw, &["og:url"]).and_then(non_empty))
        .or_else(|| {
            ld("mainEntityOfPage")
                .and_then(url_of)
                .or_else(|| ld("url").and_then(url_of))
        });
    Meta {
        title,
        authors,
        published,
        modified,
        lang,
        site_name,
        description,
        image,
        canonical,
    }
}

/// "Headline - Le Site" → "Headline", when the rest looks like a site name.
fn strip_site_suffix(title: &str) -> String {
    for sep in [" | ", " - ", " – ", " — ", " :: "] {
        if let Some(pos) = title.rfind(sep) {
            let (head, tail) = (&title[..pos], &title[pos + sep.len()..]);
            if tail.split_whitespace().count() <= 4 && head.split_whitespace().count() >= 3 {
                return head.trim().to_string();
            }
        }
    }
    title.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blocks::parse;

    #[test]
    fn json_ld_wins_over_opengraph_and_graph_is_searched() {
        let page = parse(
            r#"<html lang="fr-FR"><head><title>Titre - Le Site</title>
            <meta property="og:title" content="OG titre">
            <meta property="og:site_name" content="Le Site">
            <meta name="author" content="Jean Meta">
            <meta property="article:published_time" content="2024-01-01T00:00:00Z">
            <script type="application/ld+json">{"@context":"https://schema.org","@graph":[
              {"@type":"WebSite","name":"Site LD"},
              {"@type":"NewsArticle","headline":"LD titre","datePublished":"2024-05-02T10:00:00+02:00",
               "author":[{"@type":"Person","name":"Marie Curie"},{"@type":"Person","name":"Pierre Curie"}]}]}
            </script></head><body></body></html>"#,
        );
        let m = read(&page.raw);
        assert_eq!(m.title.as_deref(), Some("LD titre"));
        assert_eq!(m.authors, ["Marie Curie", "Pierre Curie"]);
        assert_eq!(m.published.as_deref(), Some("2024-05-02T10:00:00+02:00"));
        assert_eq!(m.site_name.as_deref(), Some("Le Site"));
        assert_eq!(m.lang.as_deref(), Some("fr-FR"));
    }

    #[test]
    fn meta_tags_and_time_fill_in_without_json_ld() {
        let page = parse(
            r#"<head><title>A long enough headline here | Site</title>
            <meta name="author" content="By Jane Doe and John Roe">
            <link rel="canonical" href="https://x.example/a"></head>
            <body><time datetime="2023-03-04T05:06:07Z">March 4</time></body>"#,
        );
        let m = read(&page.raw);
        assert_eq!(m.title.as_deref(), Some("A long enough headline here"));
        assert_eq!(m.authors, ["Jane Doe", "John Roe"]);
        assert_eq!(m.published.as_deref(), Some("2023-03-04T05:06:07Z"));
        assert_eq!(m.canonical.as_deref(), Some("https://x.example/a"));
    }
}

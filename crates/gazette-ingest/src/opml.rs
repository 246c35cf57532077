//! OPML subscription lists: reading them ([`parse_opml`]) and writing them
//! ([`write_opml`], OPML 2.0).
//!
//! Readers of real-world OPML must be tolerant: attribute names come in any
//! case (`xmlUrl`, `xmlurl`), the name is in `text` or `title`, `type` is often
//! missing. An outline with an `xmlUrl` is a feed; an outline without one is a
//! folder, and nested folders make the feed's category path (`News/France`).
//!
//! Hostile files are read in one pass without recursion: any depth of nesting
//! is read, and a category path keeps its outermost [`MAX_FOLDERS`] folders, so
//! 100,000 nested folders neither overflow the stack nor build paths whose
//! total length grows with the square of the depth.
//!
//! ```
//! use gazette_ingest::opml::{parse_opml, write_opml};
//! let xml = r#"<opml version="2.0"><body><outline text="News">
//!   <outline text="Le Monde" xmlUrl="https://www.lemonde.fr/rss/une.xml"/>
//! </outline></body></opml>"#;
//! let feeds = parse_opml(xml.as_bytes()).unwrap();
//! assert_eq!(feeds[0].category.as_deref(), Some("News"));
//! assert_eq!(parse_opml(write_opml("Mine", &feeds).as_bytes()).unwrap(), feeds);
//! ```

use std::fmt::Write as _;

use quick_xml::escape::escape;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use url::Url;

use crate::charset;
use crate::position::Position;

/// Folders of a category path kept, outermost first (deeper ones are
/// ignored, reading and writing).
pub const MAX_FOLDERS: usize = 16;

/// One feed of an OPML file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpmlFeed {
    /// The feed (`xmlUrl`).
    pub url: Url,
    /// `text`, else `title`.
    pub title: Option<String>,
    /// The site (`htmlUrl`).
    pub site_url: Option<Url>,
    /// The folders the feed is in, outermost first, joined with `/`; else the
    /// first path of the outline's own `category` attribute.
    pub category: Option<String>,
}

/// Why an OPML file could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OpmlError {
    /// The file is not well-formed XML.
    #[error("invalid OPML: XML error at {position}: {message}")]
    Xml { position: Position, message: String },
    /// Well-formed XML whose root is not `<opml>`.
    #[error("not an OPML file: the root element is <{root}>, expected <opml>")]
    NotOpml { root: String },
    /// No element at all.
    #[error("not an OPML file: it has no elements")]
    Empty,
    /// A feed outline whose `xmlUrl` is not an http(s) URL.
    #[error(
        "invalid OPML at line {line}: xmlUrl {value:?} is not an http(s) URL ({reason}); fix or remove that outline"
    )]
    InvalidUrl {
        line: u64,
        value: String,
        reason: String,
    },
}

/// Reads the feeds of an OPML file, in document order. An outline whose
/// text is its own `xmlUrl` has no title.
pub fn parse_opml(bytes: &[u8]) -> Result<Vec<OpmlFeed>, OpmlError> {
    let text = charset::decode(bytes, None).text;
    let mut reader = Reader::from_str(&text);
    let mut folders = Folders::default();
    let mut feeds = Vec::new();
    let mut root_seen = false;
    loop {
        let start = reader.buffer_position();
        let event = reader.read_event().map_err(|e| OpmlError::Xml {
            position: Position::at(&text, reader.error_position()),
            message: e.to_string(),
        })?;
        let (element, has_children) = match &event {
            Event::Start(e) => (e, true),
            Event::Empty(e) => (e, false),
            Event::End(e) if e.local_name().as_ref() == "outline" => {
                folders.close();
                continue;
            }
            Event::Eof if !root_seen => return Err(OpmlError::Empty),
            Event::Eof => return Ok(feeds),
            _ => continue,
        };
        let name = element.local_name();
        if !root_seen {
            root_seen = true;
            if !name.as_ref().eq_ignore_ascii_case("opml") {
                return Err(OpmlError::NotOpml {
                    root: name.as_ref().to_string(),
                });
            }
        }
        if name.as_ref() != "outline" {
            continue;
        }
        let outline = Outline::read(element);
        match outline.xml_url {
            Some(value) => {
                // The line is counted only for an error: counting it for every
                // outline would make reading quadratic.
                let url = http_url(&value).map_err(|reason| OpmlError::InvalidUrl {
                    line: Position::at(&text, start).line,
                    value: value.clone(),
                    reason,
                })?;
                // A text that is the feed's URL is no title: `write_opml` writes
                // the URL there for a feed without one (found by fuzzing the
                // round trip), and other tools do the same.
                let title = outline.text.filter(|t| *t != value && t != url.as_str());
                feeds.push(OpmlFeed {
                    url,
                    title,
                    site_url: outline.html_url.as_deref().and_then(|u| http_url(u).ok()),
                    category: folders.path().or(outline.category),
                });
                if has_children {
                    folders.open(None);
                }
            }
            None if has_children => folders.open(outline.text),
            None => {}
        }
    }
}

/// Writes an OPML 2.0 document listing `feeds`, grouped into nested folders
/// by their category path (split at `/`), in the order categories first appear.
pub fn write_opml(title: &str, feeds: &[OpmlFeed]) -> String {
    let mut root = Folder::default();
    for feed in feeds {
        let path = feed.category.as_deref().unwrap_or_default();
        path.split('/')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .take(MAX_FOLDERS)
            .fold(&mut root, |folder, name| folder.child(name))
            .feeds
            .push(feed);
    }
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n");
    let _ = writeln!(
        out,
        "  <head>\n    <title>{}</title>\n  </head>",
        escape(title)
    );
    out.push_str("  <body>\n");
    root.write(&mut out, 2);
    out.push_str("  </body>\n</opml>\n");
    out
}

/// The attributes of an `<outline>` that matter, names matched in any case.
#[derive(Default)]
struct Outline {
    text: Option<String>,
    xml_url: Option<String>,
    html_url: Option<String>,
    category: Option<String>,
}

impl Outline {
    fn read(element: &BytesStart<'_>) -> Outline {
        let mut outline = Outline::default();
        let mut title = None;
        for attribute in element.attributes().flatten() {
            let Ok(value) = attribute.normalized_value(XmlVersion::Implicit1_0) else {
                continue;
            };
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            let slot = match attribute
                .key
                .local_name()
                .as_ref()
                .to_ascii_lowercase()
                .as_str()
            {
                "text" => &mut outline.text,
                "title" => &mut title,
                "xmlurl" => &mut outline.xml_url,
                "htmlurl" => &mut outline.html_url,
                "category" => &mut outline.category,
                _ => continue,
            };
            *slot = Some(value.to_string());
        }
        outline.text = outline.text.or(title);
        // OPML 2.0: a comma-separated list of slash-delimited paths.
        outline.category = outline.category.and_then(|list| {
            let first = list.split(',').next()?;
            let folders: Vec<&str> = first
                .split('/')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .take(MAX_FOLDERS)
                .collect();
            (!folders.is_empty()).then(|| folders.join("/"))
        });
        outline
    }
}

/// The outlines open while reading: how each was counted, and the names of
/// the outermost [`MAX_FOLDERS`] folders among them.
#[derive(Default)]
struct Folders {
    /// For each open outline: whether its name is in `path`.
    open: Vec<bool>,
    path: Vec<String>,
}

impl Folders {
    /// An outline with children opens: a folder when it has a name.
    fn open(&mut self, name: Option<String>) {
        let kept = name.is_some() && self.path.len() < MAX_FOLDERS;
        if let Some(name) = name.filter(|_| kept) {
            self.path.push(name);
        }
        self.open.push(kept);
    }

    fn close(&mut self) {
        if self.open.pop() == Some(true) {
            self.path.pop();
        }
    }

    /// The category path of a feed in the open folders.
    fn path(&self) -> Option<String> {
        (!self.path.is_empty()).then(|| self.path.join("/"))
    }
}

fn http_url(value: &str) -> Result<Url, String> {
    let url = Url::parse(value).map_err(|e| e.to_string())?;
    if matches!(url.scheme(), "http" | "https") {
        Ok(url)
    } else {
        Err(format!("scheme {:?}", url.scheme()))
    }
}

/// A folder of the document being written.
#[derive(Default)]
struct Folder<'a> {
    name: String,
    feeds: Vec<&'a OpmlFeed>,
    folders: Vec<Folder<'a>>,
}

impl<'a> Folder<'a> {
    fn child(&mut self, name: &str) -> &mut Folder<'a> {
        let index = match self.folders.iter().position(|f| f.name == name) {
            Some(index) => index,
            None => {
                self.folders.push(Folder {
                    name: name.to_string(),
                    ..Folder::default()
                });
                self.folders.len() - 1
            }
        };
        &mut self.folders[index]
    }

    fn write(&self, out: &mut String, depth: usize) {
        let indent = "  ".repeat(depth);
        for feed in &self.feeds {
            let name = feed.title.clone().unwrap_or_else(|| feed.url.to_string());
            let name = escape(name.as_str());
            let _ = write!(
                out,
                "{indent}<outline type=\"rss\" text=\"{name}\" title=\"{name}\" xmlUrl=\"{}\"",
                escape(feed.url.as_str())
            );
            if let Some(site) = &feed.site_url {
                let _ = write!(out, " htmlUrl=\"{}\"", escape(site.as_str()));
            }
            out.push_str("/>\n");
        }
        for folder in &self.folders {
            let name = escape(folder.name.as_str());
            let _ = writeln!(out, "{indent}<outline text=\"{name}\" title=\"{name}\">");
            folder.write(out, depth + 1);
            let _ = writeln!(out, "{indent}</outline>");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        s.parse().unwrap()
    }

    #[test]
    fn real_world_variations_are_tolerated() {
        let xml = r#"<?xml version="1.0" encoding="ISO-8859-1"?>
<opml version="1.0">
  <head><title>Export</title></head>
  <body>
    <outline title="Actualités">
      <outline text="France">
        <outline xmlurl="https://a.example/rss" htmlurl="https://a.example/" title="A"/>
      </outline>
      <outline type="rss" TEXT="B &amp; co" XMLURL="https://b.example/feed"/>
    </outline>
    <outline xmlUrl="https://c.example/atom" text="" category="/Tech"/>
  </body>
</opml>"#;
        let latin1: Vec<u8> = xml.chars().map(|c| c as u8).collect();
        let feeds = parse_opml(&latin1).unwrap();
        assert_eq!(
            feeds,
            vec![
                OpmlFeed {
                    url: url("https://a.example/rss"),
                    title: Some("A".into()),
                    site_url: Some(url("https://a.example/")),
                    category: Some("Actualités/France".into()),
                },
                OpmlFeed {
                    url: url("https://b.example/feed"),
                    title: Some("B & co".into()),
                    site_url: None,
                    category: Some("Actualités".into()),
                },
                OpmlFeed {
                    url: url("https://c.example/atom"),
                    title: None,
                    site_url: None,
                    category: Some("Tech".into()),
                },
            ]
        );
    }

    #[test]
    fn round_trip_keeps_feeds_and_categories() {
        let feeds = vec![
            OpmlFeed {
                url: url("https://a.example/rss?x=1&y=2"),
                title: Some("A <\"quoted\"> & 'co'".into()),
                site_url: Some(url("https://a.example/")),
                category: Some("News/France".into()),
            },
            OpmlFeed {
                url: url("https://b.example/feed"),
                title: None,
                site_url: None,
                category: None,
            },
            OpmlFeed {
                url: url("https://c.example/feed"),
                title: Some("C".into()),
                site_url: None,
                category: Some("News".into()),
            },
            OpmlFeed {
                url: url("https://d.example/feed"),
                title: Some("D".into()),
                site_url: None,
                category: Some("News/France".into()),
            },
        ];
        let written = write_opml("Mes flux & co", &feeds);
        assert!(
            written.contains("<title>Mes flux &amp; co</title>"),
            "{written}"
        );
        // A feed without a title is written with its URL as text (OPML
        // requires one), which reads back as no title.
        assert!(
            written.contains("text=\"https://b.example/feed\""),
            "{written}"
        );
        let mut read = parse_opml(written.as_bytes()).unwrap();
        let by_url = |f: &OpmlFeed| f.url.clone();
        let mut expected = feeds.clone();
        expected.sort_by_key(by_url);
        read.sort_by_key(by_url);
        assert_eq!(read, expected);
    }

    #[test]
    fn errors_name_the_line() {
        let bad_url =
            "<opml>\n<body>\n<outline text=\"x\" xmlUrl=\"ftp://x.example/f\"/>\n</body></opml>";
        let err = parse_opml(bad_url.as_bytes()).unwrap_err();
        assert!(
            matches!(err, OpmlError::InvalidUrl { line: 3, .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("line 3"), "{err}");

        let bad_xml = "<opml>\n<body>\n<outline text=\"x\">\n</body></opml>";
        let err = parse_opml(bad_xml.as_bytes()).unwrap_err();
        let OpmlError::Xml { position, .. } = &err else {
            panic!("expected an XML error, got {err:?}");
        };
        assert_eq!(position.line, 4, "{err}");
    }

    #[test]
    fn other_documents_are_refused() {
        assert_eq!(
            parse_opml(b"<rss version=\"2.0\"/>"),
            Err(OpmlError::NotOpml { root: "rss".into() })
        );
        assert_eq!(parse_opml(b"  "), Err(OpmlError::Empty));
    }
}

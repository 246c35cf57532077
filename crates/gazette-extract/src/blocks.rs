//! One pass over the page: HTML tokens → a flat list of text [`Block`]s and the page's
//! metadata [`Raw`] (title, `<meta>`, `<link>`, JSON-LD, `<time>`, microdata).
//!
//! No DOM is built. The tokenizer is this crate's [`tokenizer`](crate::tokenizer)
//! (the HTML standard's tokenization of tags, comments, raw text and character
//! references, over bytes, borrowing from the page); on top of it a stack
//! of open elements with the few implied end tags that matter for text (`<p>`,
//! `<li>`, table cells) records every element once, with its parent, its tag and
//! what its `class`/`id`/`role` say (boilerplate or content). Text between block
//! boundaries becomes a block that knows its innermost element, how much of it is
//! link text, and whether it is a heading, a list item or a caption.

use std::borrow::Cow;

use crate::tokenizer::{Mode, Tag, tokenize};

/// An element of the page, recorded when it opens.
#[derive(Debug, Clone)]
pub struct Element {
    /// Index of the parent element (the root points to itself).
    pub parent: u32,
    pub tag: Kind,
    /// Boilerplate elements (by tag, class, id or role) between the root and here, inclusive.
    pub boiler_depth: u16,
    /// Whether class/id/itemprop name this element as the article body.
    pub content_hint: bool,
    /// Depth in the element tree.
    pub depth: u16,
    /// A hash of the tag name and `class` attribute (elements of one kind
    /// share it: the parts of an article body cut by ads); 0 without `class`.
    pub class_key: u32,
}

/// What kind of element, for the classifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Root,
    /// `<p>`, `<pre>`, `<blockquote>`, `<dd>`.
    Paragraph,
    Heading(u8),
    ListItem,
    Cell,
    Caption,
    Article,
    Main,
    Other,
}

/// A run of text between block boundaries.
#[derive(Debug, Clone)]
pub struct Block {
    pub text: String,
    /// The innermost open element when the block ended.
    pub element: u32,
    /// The nearest block-level element (paragraph, heading, list item...).
    pub kind: Kind,
    /// Letters and digits in the text.
    pub chars: u32,
    /// Letters and digits inside links.
    pub link_chars: u32,
}

impl Block {
    pub fn link_density(&self) -> f32 {
        if self.chars == 0 {
            1.0
        } else {
            self.link_chars as f32 / self.chars as f32
        }
    }
}

/// Metadata seen during the pass, unparsed.
#[derive(Debug, Default)]
pub struct Raw {
    pub title: String,
    pub html_lang: Option<String>,
    /// `<meta>`: (name, property or itemprop, lowercased) → content, in page order.
    pub metas: Vec<(String, String)>,
    /// `<link rel>`: (rel, href).
    pub links: Vec<(String, String)>,
    /// Every `<link>` with `rel` and `href`, with its `type` and `title`, in
    /// page order (for feed discovery).
    pub link_elements: Vec<LinkElement>,
    /// The first `<base href>`.
    pub base_href: Option<String>,
    /// Contents of `<script type="application/ld+json">`.
    pub json_ld: Vec<String>,
    /// `datetime` attributes of `<time>` elements, in page order.
    pub times: Vec<String>,
    /// Text of elements with `itemprop="author"` / `rel="author"` / author class (first few).
    pub author_texts: Vec<String>,
}

/// A `<link>` element's attributes, as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkElement {
    pub rel: String,
    pub href: String,
    pub media_type: Option<String>,
    pub title: Option<String>,
}

/// The result of the pass.
#[derive(Debug, Default)]
pub struct Page {
    pub elements: Vec<Element>,
    pub blocks: Vec<Block>,
    pub raw: Raw,
}

#[derive(Debug)]
struct Open {
    name: Cow<'static, str>,
    index: u32,
    block: bool,
}

#[derive(Default)]
struct State {
    page: Page,
    stack: Vec<Open>,
    text: String,
    chars: u32,
    link_chars: u32,
    in_link: u32,
    /// Inside an element whose content is not text (svg, select, template...): its depth.
    skip: u32,
    capture: Capture,
    captured: String,
    /// Capturing the text of an author element: stack depth where it opened.
    author_at: Option<usize>,
    author_text: String,
    max_depth: usize,
    /// The element holding a "Related" heading: the elements opened in it
    /// after the heading are boilerplate.
    related_under: Option<u32>,
}

#[derive(Default, PartialEq, Eq, Clone, Copy)]
enum Capture {
    #[default]
    None,
    Title,
    JsonLd,
    Script,
}

/// Words in class/id that mark boilerplate.
const BOILER_WORDS: &[&str] = &[
    "nav",
    "menu",
    "footer",
    "sidebar",
    "comment",
    "share",
    "sharing",
    "social",
    "related",
    "recommend",
    "newsletter",
    "subscribe",
    "promo",
    "advert",
    "ad",
    "ads",
    "banner",
    "cookie",
    "breadcrumb",
    "breadcrumbs",
    "widget",
    "popup",
    "signup",
    "outbrain",
    "taboola",
    "login",
    "toolbar",
    "pagination",
    "trending",
    "popular",
    "copyright",
    "disclaimer",
    "masthead",
    "skip",
    "tags",
    "tag",
    "byline",
    "author",
    "meta",
    "caption",
    "credit",
    "sr",
    "visually",
    "print",
    "teaser",
    "more",
    "readmore",
    "lire",
    "aussi",
    "newsletters",
    "rail",
    "dateline",
    "timestamp",
    "date",
    "topics",
];

/// Words in class/id that mark the article body.
const CONTENT_WORDS: &[&str] = &[
    "articlebody",
    "article-body",
    "article_body",
    "articletext",
    "article-text",
    "article-content",
    "article__body",
    "article__content",
    "story-body",
    "storybody",
    "story-content",
    "entry-content",
    "post-content",
    "post-body",
    "postbody",
    "content-body",
    "body-text",
    "bodytext",
    "rich-text",
    "article-main",
];

fn class_hints(value: &str) -> (bool, bool) {
    let lower = value.to_ascii_lowercase();
    let content = CONTENT_WORDS.iter().any(|w| lower.contains(w));
    if content {
        return (false, true);
    }
    // A class or id is boilerplate when its first or last word is a boilerplate
    // word ("share-buttons", "SideBar__widget", "entry-meta"), except taxonomy
    // classes that describe the page rather than the element ("tag-economy").
    // An embedded post ("social-media-embed", "embed-twitter") is part of the
    // article: its words say social, but it quotes what the article discusses.
    let boiler = lower.split_whitespace().any(|token| {
        // "content-has-sidebar", "page-with-sidebar": the layout of the page.
        if token.contains("embed") || token.contains("has-") || token.contains("with-") {
            return false;
        }
        if [
            "tag-",
            "category-",
            "categories-",
            "postid",
            "post-",
            "page-",
            "format-",
            "has-",
            "status-",
            // Page builders name every layout box ("elementor-widget-container"):
            // their classes say nothing about the content.
            "elementor-",
            "et_pb_",
            "vc_",
            "fl-",
            "wp-block-",
            "hs_cos_wrapper",
        ]
        .iter()
        .any(|p| token.starts_with(p))
        {
            return false;
        }
        let mut words = token
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty());
        let first = words.next();
        let last = words.next_back();
        // "widget" only ends a boilerplate name ("zone-widget"): WordPress
        // names its content boxes "widget_text", "widget_sow-editor".
        first.is_some_and(|w| BOILER_WORDS.contains(&w) && w != "widget")
            || last.is_some_and(|w| BOILER_WORDS.contains(&w))
    });
    (boiler, false)
}

/// Headings that open a list of other articles ("Related", "Lire aussi"),
/// lowercased, in the languages of the news gazette reads most.
const RELATED_HEADINGS: &[&str] = &[
    "related",
    "related articles",
    "related posts",
    "related stories",
    "related news",
    "related content",
    "you may also like",
    "you might also like",
    "you may like",
    "more stories",
    "more from",
    "more on this story",
    "most read",
    "most popular",
    "read more",
    "read next",
    "also read",
    "read also",
    "see also",
    "recommended",
    "recommended for you",
    "lire aussi",
    "à lire aussi",
    "a lire aussi",
    "voir aussi",
    "à voir aussi",
    "sur le même sujet",
    "les plus lus",
    "vous aimerez aussi",
    "vous aimerez peut-être aussi",
    "articles similaires",
    "dans la même rubrique",
    "você pode gostar",
    "leia também",
    "veja também",
    "mais lidas",
    "posts relacionados",
    "artigos relacionados",
    "te puede interesar",
    "también te puede interesar",
    "lee también",
    "noticias relacionadas",
    "artículos relacionados",
    "lo más leído",
    "lesen sie auch",
    "mehr zum thema",
    "das könnte sie auch interessieren",
    "meistgelesen",
    "leggi anche",
    "potrebbe interessarti",
    "articoli correlati",
];

/// FNV-1a of `name` and `class`.
fn class_key(name: &str, class: &str) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in name.bytes().chain([b' ']).chain(class.bytes()) {
        hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
    }
    hash
}

/// Whether a heading's text announces a list of other articles.
fn is_related_heading(text: &str) -> bool {
    let lower = text.to_lowercase();
    let trimmed = lower.trim_matches(|c: char| !c.is_alphanumeric());
    RELATED_HEADINGS.contains(&trimmed)
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "table"
            | "tr"
            | "td"
            | "th"
            | "tbody"
            | "thead"
            | "tfoot"
            | "caption"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "nav"
            | "aside"
            | "main"
            | "blockquote"
            | "pre"
            | "figure"
            | "figcaption"
            | "form"
            | "fieldset"
            | "address"
            | "details"
            | "summary"
            | "center"
            | "body"
            | "html"
            | "option"
            | "label"
            | "button"
            | "dialog"
            | "menu"
            | "legend"
            | "hgroup"
            | "picture"
            | "video"
            | "audio"
    )
}

fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
            | "keygen"
    )
}

fn kind_of(name: &str) -> Kind {
    match name {
        "p" | "pre" | "blockquote" | "dd" => Kind::Paragraph,
        "h1" => Kind::Heading(1),
        "h2" => Kind::Heading(2),
        "h3" => Kind::Heading(3),
        "h4" => Kind::Heading(4),
        "h5" => Kind::Heading(5),
        "h6" => Kind::Heading(6),
        "li" | "dt" => Kind::ListItem,
        "td" | "th" => Kind::Cell,
        "figcaption" | "caption" | "figure" => Kind::Caption,
        "article" => Kind::Article,
        "main" => Kind::Main,
        _ => Kind::Other,
    }
}

/// An element's name as kept on the stack: the usual ones without allocating.
fn intern(name: &str) -> Cow<'static, str> {
    const NAMES: &[&str] = &[
        "a",
        "p",
        "div",
        "span",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "b",
        "i",
        "em",
        "strong",
        "small",
        "table",
        "tr",
        "td",
        "th",
        "tbody",
        "thead",
        "section",
        "article",
        "header",
        "footer",
        "nav",
        "aside",
        "main",
        "figure",
        "figcaption",
        "picture",
        "blockquote",
        "pre",
        "code",
        "time",
        "button",
        "form",
        "label",
        "dl",
        "dt",
        "dd",
        "sup",
        "sub",
        "u",
        "s",
        "cite",
        "q",
        "abbr",
        "body",
        "html",
        "head",
        "title",
        "caption",
        "center",
        "font",
        "address",
        "details",
        "summary",
        "video",
        "audio",
        "option",
        "menu",
    ];
    match NAMES.iter().find(|&&n| n == name) {
        Some(&n) => Cow::Borrowed(n),
        None => Cow::Owned(name.to_string()),
    }
}

impl State {
    fn flush(&mut self) {
        if self.chars > 0 {
            let text = self.text.trim().to_string();
            let element = self.stack.last().map_or(0, |o| o.index);
            let kind = self
                .stack
                .iter()
                .rev()
                .find(|o| o.block)
                .map_or(Kind::Other, |o| kind_of(&o.name));
            self.page.blocks.push(Block {
                text,
                element,
                kind,
                chars: self.chars,
                link_chars: self.link_chars,
            });
        }
        self.text.clear();
        self.chars = 0;
        self.link_chars = 0;
    }

    fn push_text(&mut self, s: &str) {
        for c in s.chars() {
            if c.is_whitespace() {
                if !self.text.is_empty() && !self.text.ends_with(' ') {
                    self.text.push(' ');
                }
            } else {
                self.text.push(c);
                if c.is_alphanumeric() {
                    self.chars += 1;
                    if self.in_link > 0 {
                        self.link_chars += 1;
                    }
                }
            }
        }
    }

    fn start(&mut self, tag: &Tag<'_>) -> Mode {
        let name = tag.name.as_ref();
        if self.skip > 0 {
            if !is_void(name) && !tag.self_closing {
                self.skip += 1;
            }
            return Mode::Data;
        }
        match name {
            "script" => {
                let ty = tag.attr("type").unwrap_or("").to_ascii_lowercase();
                self.capture = if ty.contains("ld+json") {
                    Capture::JsonLd
                } else {
                    Capture::Script
                };
                self.captured.clear();
                return Mode::ScriptData;
            }
            "style" | "noscript" | "xmp" | "iframe" | "noembed" | "noframes" => {
                self.capture = Capture::Script;
                return Mode::RawText;
            }
            "title" => {
                self.capture = Capture::Title;
                self.captured.clear();
                return Mode::RcData;
            }
            "textarea" => {
                self.capture = Capture::Script;
                return Mode::RcData;
            }
            "plaintext" => return Mode::Plaintext,
            "svg" | "math" | "select" | "template" | "object" | "canvas" | "map" => {
                if !tag.self_closing {
                    self.skip = 1;
                }
                return Mode::Data;
            }
            "meta" => {
                let key = tag
                    .attr("property")
                    .or_else(|| tag.attr("name"))
                    .or_else(|| tag.attr("itemprop"));
                if let (Some(k), Some(v)) = (key, tag.attr("content")) {
                    self.page
                        .raw
                        .metas
                        .push((k.trim().to_ascii_lowercase(), v.to_string()));
                }
                if let (Some(ip), Some(v)) = (tag.attr("itemprop"), tag.attr("datetime")) {
                    self.page
                        .raw
                        .metas
                        .push((ip.to_ascii_lowercase(), v.to_string()));
                }
                return Mode::Data;
            }
            "link" => {
                if let (Some(rel), Some(href)) = (tag.attr("rel"), tag.attr("href")) {
                    self.page
                        .raw
                        .links
                        .push((rel.to_ascii_lowercase(), href.to_string()));
                    self.page.raw.link_elements.push(LinkElement {
                        rel: rel.to_string(),
                        href: href.to_string(),
                        media_type: tag.attr("type").map(str::to_string),
                        title: tag.attr("title").map(str::to_string),
                    });
                }
                return Mode::Data;
            }
            "base" => {
                if let Some(href) = tag.attr("href") {
                    self.page
                        .raw
                        .base_href
                        .get_or_insert_with(|| href.to_string());
                }
                return Mode::Data;
            }
            "html" => {
                if let Some(lang) = tag.attr("lang") {
                    self.page.raw.html_lang.get_or_insert(lang.to_string());
                }
            }
            "br" => {
                if !self.text.is_empty() && !self.text.ends_with(' ') {
                    self.text.push(' ');
                }
                return Mode::Data;
            }
            "hr" => {
                self.flush();
                return Mode::Data;
            }
            "time" => {
                if let Some(dt) = tag.attr("datetime") {
                    self.page.raw.times.push(dt.to_string());
                }
            }
            _ => {}
        }
        if is_void(name) {
            return Mode::Data;
        }
        // Implied end tags: a new <p> closes an open <p>, a new <li> an open <li>...
        let closes: &[&str] = match name {
            "p" | "div" | "ul" | "ol" | "table" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
            | "blockquote" | "section" | "article" | "pre" => &["p"],
            "li" => &["li", "p"],
            "dt" | "dd" => &["dt", "dd", "p"],
            "td" | "th" => &["td", "th", "p"],
            "tr" => &["tr", "td", "th", "p"],
            "option" => &["option"],
            _ => &[],
        };
        if let Some(top) = self.stack.last()
            && closes.contains(&top.name.as_ref())
        {
            self.end_name(&top.name.clone());
        }
        let block = is_block(name);
        if block {
            self.flush();
        }
        if name == "a" {
            self.in_link += 1;
        }
        let parent = self.stack.last().map_or(0, |o| o.index);
        let (parent_boiler, parent_depth) = self
            .page
            .elements
            .get(parent as usize)
            .map_or((0, 0), |e| (e.boiler_depth, e.depth));
        // A form wrapping the whole page (ASP.NET's `<form runat>`, directly
        // under `<body>`) is the page, not a search box or a sign-up.
        let page_form = name == "form" && parent_depth <= 2;
        let mut boiler = matches!(
            name,
            "nav" | "aside" | "footer" | "form" | "button" | "header" | "dialog" | "menu"
        ) && !page_form;
        boiler |= self.related_under == Some(parent);
        let mut content = false;
        for a in &tag.attrs {
            match a.name.as_ref() {
                "class" | "id" if !matches!(name, "html" | "body" | "article" | "main") => {
                    let (b, c) = class_hints(&a.value);
                    boiler |= b;
                    content |= c;
                }
                "role" => {
                    boiler |= matches!(
                        a.value.as_ref(),
                        "navigation"
                            | "complementary"
                            | "contentinfo"
                            | "banner"
                            | "menu"
                            | "dialog"
                            | "alert"
                            | "button"
                    );
                    content |= a.value.as_ref() == "main" || a.value.as_ref() == "article";
                }
                "itemprop" => {
                    let v = a.value.to_ascii_lowercase();
                    content |= v.contains("articlebody");
                    if v == "author" && self.author_at.is_none() {
                        self.author_at = Some(self.stack.len());
                        self.author_text.clear();
                    }
                }
                "rel" if name == "a" && a.value.contains("author") && self.author_at.is_none() => {
                    self.author_at = Some(self.stack.len());
                    self.author_text.clear();
                }
                "hidden" => boiler = true,
                "aria-hidden" => boiler |= a.value.as_ref() == "true",
                "style" => {
                    let v = a.value.to_ascii_lowercase().replace(' ', "");
                    boiler |= v.contains("display:none") || v.contains("visibility:hidden");
                }
                _ => {}
            }
        }
        let index = self.page.elements.len() as u32;
        self.page.elements.push(Element {
            parent,
            tag: kind_of(name),
            // An element named as the article body is content whatever its ancestors say.
            boiler_depth: if content {
                0
            } else {
                parent_boiler + u16::from(boiler)
            },
            content_hint: content,
            depth: parent_depth.saturating_add(1),
            class_key: tag.attr("class").map_or(0, |class| class_key(name, class)),
        });
        self.stack.push(Open {
            name: intern(name),
            index,
            block,
        });
        self.max_depth = self.max_depth.max(self.stack.len());
        Mode::Data
    }

    fn end_name(&mut self, name: &str) {
        let Some(pos) = self.stack.iter().rposition(|o| o.name == name) else {
            return;
        };
        // Unclosed elements inside a closing block are closed too (broken markup).
        while self.stack.len() > pos {
            // The block's text belongs to the element that ends: flush before popping.
            if self.stack.last().is_some_and(|o| o.block) {
                self.flush();
            }
            let open = self.stack.pop().expect("non-empty");
            if self.related_under == Some(open.index) {
                self.related_under = None;
            }
            if matches!(kind_of(&open.name), Kind::Heading(2..)) {
                let heading = self.page.blocks.last().filter(|b| {
                    b.element == open.index
                        || self.page.elements[b.element as usize].parent == open.index
                });
                if heading.is_some_and(|b| is_related_heading(&b.text)) {
                    self.related_under = Some(self.page.elements[open.index as usize].parent);
                }
            }
            if open.name == "a" {
                self.in_link = self.in_link.saturating_sub(1);
            }
            if self.author_at == Some(self.stack.len()) {
                self.author_at = None;
                let t = self
                    .author_text
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                if !t.is_empty() && self.page.raw.author_texts.len() < 8 {
                    self.page.raw.author_texts.push(t);
                }
            }
        }
    }

    fn end(&mut self, name: &str) {
        if self.skip > 0 {
            self.skip -= 1;
            return;
        }
        match name {
            "script" | "style" | "noscript" | "xmp" | "iframe" | "noembed" | "noframes"
            | "textarea" => {
                if self.capture == Capture::JsonLd && self.page.raw.json_ld.len() < 16 {
                    self.page
                        .raw
                        .json_ld
                        .push(std::mem::take(&mut self.captured));
                }
                self.capture = Capture::None;
                return;
            }
            "title" => {
                if self.capture == Capture::Title && self.page.raw.title.is_empty() {
                    self.page.raw.title = std::mem::take(&mut self.captured);
                }
                self.capture = Capture::None;
                return;
            }
            "br" => {
                self.push_text(" ");
                return;
            }
            "p" if !self.stack.iter().any(|o| o.name == "p") => {
                // A stray </p> is an empty paragraph: a block boundary.
                self.flush();
                return;
            }
            _ => {}
        }
        self.end_name(name);
    }

    fn chars(&mut self, s: &str) {
        match self.capture {
            Capture::None => {}
            Capture::Script => return,
            Capture::Title | Capture::JsonLd => {
                if self.captured.len() < 1 << 20 {
                    self.captured.push_str(s);
                }
                return;
            }
        }
        if self.skip > 0 {
            return;
        }
        if self.author_at.is_some() && self.author_text.len() < 200 {
            self.author_text.push_str(s);
            self.author_text.push(' ');
        }
        self.push_text(s);
    }
}

impl crate::tokenizer::Sink for State {
    fn start(&mut self, tag: &Tag<'_>) -> Mode {
        let mode = State::start(self, tag);
        if tag.self_closing && !is_void(&tag.name) && mode == Mode::Data {
            // <div/> in HTML is an open tag, but <a/> in generated markup is
            // meant empty: close it when it was pushed.
            if self.stack.last().is_some_and(|o| o.name == tag.name) {
                self.end_name(&tag.name);
            }
        }
        mode
    }

    fn end(&mut self, name: &str) {
        State::end(self, name);
    }

    fn text(&mut self, text: &str) {
        self.chars(text);
    }
}

/// Drops the contents of `<script>` (except JSON-LD) and `<style>` elements before
/// tokenising: they are often most of a page's bytes, and a byte search skips them
/// much faster than the tokenizer's character-by-character raw-text states. The
/// tags themselves stay, so the tokenizer still sees the elements open and close.
fn drop_raw_text(html: &str) -> std::borrow::Cow<'_, str> {
    let bytes = html.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0; // bytes of `html` already in `out` (or to be copied)
    let mut pos = 0;
    while let Some(off) = html[pos..].find('<') {
        let start = pos + off;
        pos = start + 1;
        let rest = &bytes[start + 1..];
        let name: &[u8] = if rest.len() >= 6 && rest[..6].eq_ignore_ascii_case(b"script") {
            b"script"
        } else if rest.len() >= 5 && rest[..5].eq_ignore_ascii_case(b"style") {
            b"style"
        } else {
            continue;
        };
        // The name must end there: `<scripts>` or `<styles>` are other elements.
        match rest.get(name.len()) {
            Some(b'>' | b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/') => {}
            _ => continue,
        }
        let Some(gt) = html[start..].find('>') else {
            break;
        };
        let content_start = start + gt + 1;
        let open_tag = &html[start..content_start];
        if name == b"script" && open_tag.to_ascii_lowercase().contains("ld+json") {
            pos = content_start;
            continue;
        }
        // The end tag, case-insensitively.
        let mut search = content_start;
        let content_end = loop {
            match html[search..].find("</") {
                Some(o) => {
                    let at = search + o;
                    let tail = &bytes[at + 2..];
                    if tail.len() >= name.len() && tail[..name.len()].eq_ignore_ascii_case(name) {
                        break Some(at);
                    }
                    search = at + 2;
                }
                None => break None,
            }
        };
        let Some(content_end) = content_end else {
            break;
        };
        let buf = out.get_or_insert_with(|| String::with_capacity(html.len() / 2));
        buf.push_str(&html[copied..content_start]);
        copied = content_end;
        pos = content_end + 2;
    }
    match out {
        None => std::borrow::Cow::Borrowed(html),
        Some(mut buf) => {
            buf.push_str(&html[copied..]);
            std::borrow::Cow::Owned(buf)
        }
    }
}

/// Tokenises `html` once and returns its blocks, elements and raw metadata.
pub fn parse(html: &str) -> Page {
    let html = drop_raw_text(html);
    let html = html.as_ref();
    let mut state = State::default();
    state.page.elements.push(Element {
        parent: 0,
        tag: Kind::Root,
        boiler_depth: 0,
        content_hint: false,
        depth: 0,
        class_key: 0,
    });
    tokenize(html, &mut state);
    state.flush();
    state.page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_know_their_links_and_kind() {
        let page = parse(
            "<html lang=fr><head><title>T &amp; U</title></head><body><nav><a href=/>Home</a></nav>\
             <p>Un <b>texte</b> avec <a href=x>un lien</a><p>Second<h2>Titre</h2></body>",
        );
        assert_eq!(page.raw.title, "T & U");
        assert_eq!(page.raw.html_lang.as_deref(), Some("fr"));
        let texts: Vec<_> = page.blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(texts, ["Home", "Un texte avec un lien", "Second", "Titre"]);
        assert_eq!(page.blocks[0].link_density(), 1.0);
        assert_eq!(page.blocks[1].kind, Kind::Paragraph);
        assert_eq!(page.blocks[3].kind, Kind::Heading(2));
        let nav = &page.elements[page.blocks[0].element as usize];
        assert!(nav.boiler_depth > 0);
    }

    #[test]
    fn raw_text_is_dropped_before_tokenising() {
        assert_eq!(
            drop_raw_text(
                "<p>a<SCRIPT src=x>if (a</b) {}</Script><style>p{}</style><scripts>k</scripts>"
            ),
            "<p>a<SCRIPT src=x></Script><style></style><scripts>k</scripts>"
        );
        let ld = "<script type=\"application/ld+json\">{}</script>";
        assert_eq!(drop_raw_text(ld), ld);
        assert_eq!(
            drop_raw_text("<script>never closed"),
            "<script>never closed"
        );
    }

    #[test]
    fn scripts_and_styles_are_not_text_but_json_ld_is_kept() {
        let page = parse(
            "<script>var a = '<p>no</p>';</script><style>p{}</style>\
             <script type=\"application/ld+json\">{\"@type\":\"NewsArticle\"}</script><p>yes</p>",
        );
        let texts: Vec<_> = page.blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(texts, ["yes"]);
        assert_eq!(page.raw.json_ld, ["{\"@type\":\"NewsArticle\"}"]);
    }
}

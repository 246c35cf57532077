//! Rendering editions: plain text, JSON, Telegram HTML and HTML fragments.
//!
//! Every format but JSON goes through a [minijinja] template embedded in the
//! crate (`templates/`). A user template directory may override any of them,
//! file by file, and add partials for `{% include %}`; every `*.j2` file in
//! it is loaded (and checked) when the [`Renderer`] is built.
//!
//! | format | template(s) | parts |
//! |---|---|---|
//! | [`Format::Text`] | `edition.txt.j2` | one |
//! | [`Format::Html`] | `edition.html.j2` | one |
//! | [`Format::Telegram`] | `telegram_header.html.j2`, then `telegram_story.html.j2` per story | messages of ≤ 4,096 characters, split between stories |
//! | [`Format::Json`] | none (the keys are a contract) | one |
//! | [`Format::Email`] | `email.html.j2` (a whole document around `edition.html.j2`) | one |
//! | [`Format::Atom`] | `atom_entry.xml.j2` (an Atom 1.0 `<entry>`; `content_html` is the rendered `edition.html.j2`, escaped) | one |
//!
//! Templates see the edition prepared for display: `channel`, `title`, `lang`,
//! `heading` ("Morning edition"), `date`, `time`, `slot` (RFC 3339), `labels`
//! (`sources`, `update`, `empty`, `quote_open`, `quote_close`, `colon`) and
//! `stories`, each with `number`, `title`, `summary` (sentences), `key_quote`
//! (`text`, `speaker`), `sources` (`outlet`, `title`, `href`: only for http(s)
//! URLs), `update`, `coverage` ("3 outlets"), `outlet_count`, `article_count`,
//! `languages` and `reasons`. The story template also gets `story`. Block tags
//! take their line with them (`trim_blocks`, `lstrip_blocks`; end a tag with
//! `+%}` to keep its newline), a file's last newline is kept (so partials end
//! their line), and an undefined name is an error.
//!
//! Escaping is not left to template authors: every template except the
//! `*.txt.j2` ones is auto-escaped for HTML (`&`, `<`, `>`, `"`, `'`), and every
//! text is first cleaned of control characters, so a hostile title cannot
//! inject markup, break out of an attribute or drive a terminal.
//!
//! ```
//! # use gazette_core::{NewEdition, Format};
//! use gazette_editions::Renderer;
//! # let edition = NewEdition {
//! #     channel: "briefing".into(),
//! #     slot: "2026-01-15T07:30:00+01:00[Europe/Paris]".parse().unwrap(),
//! #     window_start: "2026-01-14T18:00:00Z".parse().unwrap(),
//! #     window_end: "2026-01-15T06:30:00Z".parse().unwrap(),
//! #     composed_at: "2026-01-15T06:30:00Z".parse().unwrap(),
//! #     lang: "en".into(),
//! #     stories: vec![],
//! # };
//! let renderer = Renderer::new(None).unwrap();
//! let text = renderer.render(&edition, "The <Briefing>", Format::Text).unwrap();
//! assert!(text.parts[0].starts_with("The <Briefing>\nMorning edition"));
//! let html = renderer.render(&edition, "The <Briefing>", Format::Html).unwrap();
//! assert!(html.parts[0].contains("<h1>The &lt;Briefing&gt;</h1>"));
//! ```

mod json;
mod telegram;
mod view;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::{fs, io};

use gazette_core::{Format, NewEdition, Rendered};
use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Serde, Value};
use minijinja::{AutoEscape, Environment, Output, State, UndefinedBehavior, context};

use self::telegram::{MESSAGE_LIMIT, fit_story, message_len, pack};
use self::view::{EditionView, StoryView};

const TEXT: &str = "edition.txt.j2";
const HTML: &str = "edition.html.j2";
const TELEGRAM_HEADER: &str = "telegram_header.html.j2";
const TELEGRAM_STORY: &str = "telegram_story.html.j2";
const EMAIL: &str = "email.html.j2";
const ATOM_ENTRY: &str = "atom_entry.xml.j2";

/// The built-in templates, by name.
const BUILT_IN: [(&str, &str); 6] = [
    (EMAIL, include_str!("../../templates/email.html.j2")),
    (
        ATOM_ENTRY,
        include_str!("../../templates/atom_entry.xml.j2"),
    ),
    (TEXT, include_str!("../../templates/edition.txt.j2")),
    (HTML, include_str!("../../templates/edition.html.j2")),
    (
        TELEGRAM_HEADER,
        include_str!("../../templates/telegram_header.html.j2"),
    ),
    (
        TELEGRAM_STORY,
        include_str!("../../templates/telegram_story.html.j2"),
    ),
];

/// Why an edition could not be rendered, or the renderer built.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The template directory could not be listed.
    #[error("cannot read the template directory {}", path.display())]
    ReadDir {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// A template file could not be read.
    #[error("cannot read the template {}", path.display())]
    ReadTemplate {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// A template does not compile or fails to render.
    #[error("template {file}{}: {}", at_line(.line), describe(.source))]
    Template {
        /// The template's file, or `built-in <name>` for an embedded one.
        file: String,
        line: Option<usize>,
        #[source]
        source: minijinja::Error,
    },
    /// A Telegram template renders more than a message holds, even for a
    /// header alone or a story shortened to its title.
    #[error(
        "template {file} renders more than the {limit} characters of a Telegram message, even shortened"
    )]
    TooLong { file: String, limit: usize },
    /// The edition could not be serialised.
    #[error("cannot serialise the edition as JSON")]
    Json {
        #[source]
        source: serde_json::Error,
    },
}

fn at_line(line: &Option<usize>) -> String {
    line.map(|l| format!(", line {l}")).unwrap_or_default()
}

/// A template error without the location minijinja appends (the error names it).
fn describe(error: &minijinja::Error) -> String {
    match error.detail() {
        Some(detail) => format!("{}: {detail}", error.kind()),
        None => error.kind().to_string(),
    }
}

/// An edition as an e-mail ([`Renderer::email`]); serialised as JSON, it is
/// the body of an `email` sink's outbox row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EmailParts {
    /// Plain text (control characters removed), not encoded.
    pub subject: String,
    pub html: String,
    pub text: String,
}

/// Renders editions in every [`Format`]. Build it once and share it.
#[derive(Debug)]
pub struct Renderer {
    env: Environment<'static>,
    /// Templates read from the user's directory, by name, with their file.
    overrides: BTreeMap<String, PathBuf>,
}

impl Renderer {
    /// A renderer with the built-in templates, overridden by the `*.j2` files of
    /// `template_dir` when given. Every template is compiled now, so a syntax
    /// error is reported here, naming its file and line.
    pub fn new(template_dir: Option<&Path>) -> Result<Renderer, RenderError> {
        let mut env = Environment::new();
        env.set_syntax(
            SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .keep_trailing_newline(true)
                .build()
                .expect("the default delimiters are valid"),
        );
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".txt.j2") {
                AutoEscape::None
            } else {
                AutoEscape::Html
            }
        });
        env.set_formatter(format_value);
        for (name, source) in BUILT_IN {
            env.add_template(name, source)
                .map_err(|source| RenderError::Template {
                    file: format!("built-in {name}"),
                    line: source.line(),
                    source,
                })?;
        }
        let overrides = match template_dir {
            Some(dir) => load_overrides(&mut env, dir)?,
            None => BTreeMap::new(),
        };
        Ok(Renderer { env, overrides })
    }

    /// Renders `edition` under the channel's `title` in `format`.
    pub fn render(
        &self,
        edition: &NewEdition,
        title: &str,
        format: Format,
    ) -> Result<Rendered, RenderError> {
        let parts = match format {
            Format::Json => {
                vec![json::render(edition, title).map_err(|source| RenderError::Json { source })?]
            }
            Format::Text => vec![self.render_document(TEXT, &EditionView::new(edition, title))?],
            Format::Html => vec![self.render_document(HTML, &EditionView::new(edition, title))?],
            Format::Telegram => self.render_telegram(&EditionView::new(edition, title))?,
            Format::Email => vec![self.render_document(EMAIL, &EditionView::new(edition, title))?],
            Format::Atom => {
                vec![self.render_atom_entry(edition, &EditionView::new(edition, title))?]
            }
        };
        Ok(Rendered { format, parts })
    }

    /// An e-mail of the edition: its subject (`<title> · <heading> · <date>`),
    /// the HTML document of [`Format::Email`] and the text of [`Format::Text`].
    pub fn email(&self, edition: &NewEdition, title: &str) -> Result<EmailParts, RenderError> {
        let view = EditionView::new(edition, title);
        Ok(EmailParts {
            subject: format!("{} · {} · {}", view.title, view.heading, view.date),
            html: self.render_document(EMAIL, &view)?,
            text: self.render_document(TEXT, &view)?,
        })
    }

    /// One document, ending with exactly one newline.
    fn render_document(&self, name: &str, view: &EditionView) -> Result<String, RenderError> {
        let text = self.render_template(name, Value::from(Serde(view)))?;
        Ok(format!("{}\n", text.trim_end()))
    }

    /// An Atom `<entry>`: its content is the HTML rendering, escaped as
    /// `type="html"` requires; its id names the channel and slot, so a
    /// re-rendered edition keeps its identity in feed readers.
    fn render_atom_entry(
        &self,
        edition: &NewEdition,
        view: &EditionView,
    ) -> Result<String, RenderError> {
        let context = Value::from(Serde(view));
        let html = self.render_template(HTML, context.clone())?;
        let entry = context! {
            entry_id => atom_id(edition),
            updated => edition.composed_at.to_string(),
            content_html => html.trim(),
            ..context
        };
        let text = self.render_template(ATOM_ENTRY, entry)?;
        Ok(format!("{}\n", text.trim_end()))
    }

    /// Messages of at most [`MESSAGE_LIMIT`] characters: the header, then the
    /// stories, each shortened if it cannot fit in a message of its own.
    fn render_telegram(&self, view: &EditionView) -> Result<Vec<String>, RenderError> {
        let edition = Value::from(Serde(view));
        let header = self.render_template(TELEGRAM_HEADER, edition.clone())?;
        let header = header.trim().to_string();
        if message_len(&header) > MESSAGE_LIMIT {
            return Err(self.too_long(TELEGRAM_HEADER));
        }
        let render_story = |story: &StoryView| {
            let context = context! { story => Serde(story), ..edition.clone() };
            Ok::<_, RenderError>(
                self.render_template(TELEGRAM_STORY, context)?
                    .trim()
                    .to_string(),
            )
        };
        let mut pieces = vec![header];
        for story in &view.stories {
            let piece = fit_story(story, MESSAGE_LIMIT, render_story)?;
            pieces.push(piece.ok_or_else(|| self.too_long(TELEGRAM_STORY))?);
        }
        Ok(pack(pieces, MESSAGE_LIMIT))
    }

    fn render_template(&self, name: &str, context: Value) -> Result<String, RenderError> {
        self.env
            .get_template(name)
            .and_then(|template| template.render(context))
            .map_err(|source| RenderError::Template {
                file: self.file_of(source.name().unwrap_or(name)),
                line: source.line(),
                source,
            })
    }

    fn too_long(&self, name: &str) -> RenderError {
        RenderError::TooLong {
            file: self.file_of(name),
            limit: MESSAGE_LIMIT,
        }
    }

    /// Where a template comes from, for messages.
    fn file_of(&self, name: &str) -> String {
        match self.overrides.get(name) {
            Some(path) => path.display().to_string(),
            None => format!("built-in {name}"),
        }
    }
}

/// The stable Atom id of an edition: `urn:gazette:edition:<channel>:<slot, RFC 3339>`.
pub fn atom_id(edition: &NewEdition) -> String {
    format!(
        "urn:gazette:edition:{}:{}",
        edition.channel,
        view::rfc3339(&edition.slot)
    )
}

/// Adds every `*.j2` file of `dir` to `env` under its file name (replacing a
/// built-in of the same name); returns them by name.
fn load_overrides(
    env: &mut Environment<'static>,
    dir: &Path,
) -> Result<BTreeMap<String, PathBuf>, RenderError> {
    let dir_error = |source| RenderError::ReadDir {
        path: dir.to_path_buf(),
        source,
    };
    let mut paths = fs::read_dir(dir)
        .map_err(dir_error)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(dir_error)?;
    paths.retain(|p| p.is_file() && p.extension().is_some_and(|ext| ext == "j2"));
    paths.sort();
    let mut overrides = BTreeMap::new();
    for path in paths {
        let name = path
            .file_name()
            .expect("a listed file has a name")
            .to_string_lossy()
            .into_owned();
        let source = fs::read_to_string(&path).map_err(|source| RenderError::ReadTemplate {
            path: path.clone(),
            source,
        })?;
        env.add_template_owned(name.clone(), source)
            .map_err(|source| RenderError::Template {
                file: path.display().to_string(),
                line: source.line(),
                source,
            })?;
        overrides.insert(name, path);
    }
    Ok(overrides)
}

/// Writes a value into a template's output. Strings in HTML templates are
/// escaped with the five entities both HTML and Telegram understand
/// (minijinja's own escaping also encodes `/`, which Telegram links do not need).
fn format_value(
    out: &mut Output<'_>,
    state: &mut State<'_, '_>,
    value: &Value,
) -> Result<(), minijinja::Error> {
    match value.as_str() {
        Some(text) if *state.auto_escape() == AutoEscape::Html && !value.is_safe() => {
            escape_html(out, text)
                .map_err(|_| minijinja::Error::from(minijinja::ErrorKind::WriteFailure))
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// Writes `text` with `&`, `<`, `>`, `"` and `'` replaced by entities.
fn escape_html(out: &mut impl fmt::Write, text: &str) -> fmt::Result {
    let mut written = 0;
    for (i, c) in text.char_indices() {
        let entity = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&#39;",
            _ => continue,
        };
        out.write_str(&text[written..i])?;
        out.write_str(entity)?;
        written = i + 1;
    }
    out.write_str(&text[written..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_html_replaces_the_five_specials_only() {
        let mut out = String::new();
        escape_html(&mut out, r#"a&b<c>d"e'f/g é"#).unwrap();
        assert_eq!(out, "a&amp;b&lt;c&gt;d&quot;e&#39;f/g é");
    }
}

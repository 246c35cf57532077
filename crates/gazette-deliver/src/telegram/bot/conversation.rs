//! The bot's conversation as a pure function: a message and the chat's stored
//! subscriber in, the subscriber to store and the answer out ([`respond`]).
//! No I/O, no clock: the bot runs it and carries out the outcome.

use gazette_core::config::{ChannelConfig, parse_hhmm};
use gazette_core::{Awaiting, EditionChoice, Subscriber};
use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::texts::{self, Lang};
use crate::telegram::api::{KeyboardButton, ReplyMarkup};
use crate::telegram::fanout::delivery_times;

/// Most topics, and most muted words, per subscriber.
pub const MAX_WORDS: usize = 20;
/// Longest topic or muted word, in characters.
pub const MAX_WORD_CHARS: usize = 64;

/// A message as the bot reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// `/name args`, `@bot` suffix removed, name lowercased.
    Command { name: String, args: String },
    /// Anything else.
    Text(String),
}

/// Reads a message. `None` when it is a command for another bot (`/start@other_bot`).
pub fn parse(text: &str, bot_username: Option<&str>) -> Option<Input> {
    let text = text.trim();
    let Some(rest) = text.strip_prefix('/') else {
        return Some(Input::Text(text.to_string()));
    };
    let (head, args) = rest
        .split_once(char::is_whitespace)
        .map_or((rest, ""), |(h, a)| (h, a.trim()));
    let (name, addressee) = head
        .split_once('@')
        .map_or((head, None), |(n, b)| (n, Some(b)));
    if let (Some(addressee), Some(me)) = (addressee, bot_username)
        && !addressee.eq_ignore_ascii_case(me)
    {
        return None;
    }
    Some(Input::Command {
        name: name.to_ascii_lowercase(),
        args: args.to_string(),
    })
}

/// What the bot knows when it answers.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub channel: &'a ChannelConfig,
    pub chat_id: i64,
    /// A private chat (not a group): free text gets an answer there only.
    pub private: bool,
    /// The sender's Telegram language (`fr`, `en-GB`, …), if known.
    pub sender_lang: Option<&'a str>,
    pub now: Timestamp,
}

/// What to do after a message.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The subscriber to store, when it changed.
    pub save: Option<Subscriber>,
    /// The answer (Telegram HTML); `None`: stay silent.
    pub reply: Option<String>,
    pub keyboard: Option<ReplyMarkup>,
    /// Send the latest edition (as this subscriber gets it) after the reply.
    pub send_latest: bool,
}

impl Outcome {
    fn reply(text: String) -> Outcome {
        Outcome {
            save: None,
            reply: Some(text),
            keyboard: None,
            send_latest: false,
        }
    }

    fn latest() -> Outcome {
        Outcome {
            save: None,
            reply: None,
            keyboard: None,
            send_latest: true,
        }
    }

    fn saving(subscriber: Subscriber, text: String) -> Outcome {
        Outcome {
            save: Some(subscriber),
            ..Outcome::reply(text)
        }
    }
}

/// The answer to `input` from the chat whose stored subscriber is `stored`.
pub fn respond(ctx: &Context<'_>, stored: Option<&Subscriber>, input: Input) -> Outcome {
    let active = stored.filter(|s| s.active);
    let lang = Lang::of(
        active
            .map(|s| s.lang.as_str())
            .unwrap_or_else(|| guess_lang(ctx)),
    );
    match input {
        Input::Text(text) => match active.and_then(|s| s.awaiting.map(|a| (s, a))) {
            Some((s, awaiting)) => answer_question(ctx, s.clone(), awaiting, &text),
            None if ctx.private => Outcome::reply(format!(
                "{}\n\n{}",
                texts::not_understood(lang),
                texts::help(lang)
            )),
            None => Outcome {
                save: None,
                reply: None,
                keyboard: None,
                send_latest: false,
            },
        },
        Input::Command { name, args } => {
            let requires_subscription = !matches!(name.as_str(), "start" | "help" | "now");
            let Some(subscriber) = active.cloned() else {
                return match name.as_str() {
                    "start" => start(ctx, stored),
                    "help" => Outcome::reply(texts::help(lang)),
                    "now" => Outcome::latest(),
                    _ if requires_subscription && is_known(&name) => {
                        Outcome::reply(texts::not_subscribed(lang))
                    }
                    _ => Outcome::reply(format!(
                        "{}\n\n{}",
                        texts::not_understood(lang),
                        texts::help(lang)
                    )),
                };
            };
            // A command ends any open question.
            let mut s = subscriber;
            let had_question = s.awaiting.take().is_some();
            s.updated_at = ctx.now;
            let mut outcome = command(ctx, s.clone(), lang, &name, &args);
            if had_question && outcome.save.is_none() {
                outcome.save = Some(s);
            }
            outcome
        }
    }
}

fn is_known(name: &str) -> bool {
    matches!(
        name,
        "start"
            | "stop"
            | "now"
            | "editions"
            | "time"
            | "timezone"
            | "lang"
            | "topics"
            | "mute"
            | "unmute"
            | "settings"
            | "help"
    )
}

/// The language for someone not subscribed: their Telegram language when it
/// is French or English, else the channel's.
fn guess_lang<'a>(ctx: &Context<'a>) -> &'a str {
    match ctx
        .sender_lang
        .map(|l| l.split(['-', '_']).next().unwrap_or(l))
    {
        Some("fr") => "fr",
        Some("en") => "en",
        _ => ctx.channel.lang.as_str(),
    }
}

fn lang_keyboard() -> ReplyMarkup {
    ReplyMarkup::Keyboard {
        keyboard: vec![vec![
            KeyboardButton {
                text: "Français".into(),
            },
            KeyboardButton {
                text: "English".into(),
            },
        ]],
        one_time_keyboard: true,
        resize_keyboard: true,
    }
}

fn no_keyboard() -> ReplyMarkup {
    ReplyMarkup::Remove {
        remove_keyboard: true,
    }
}

/// `/start`: subscribe (or come back), then ask the language.
fn start(ctx: &Context<'_>, stored: Option<&Subscriber>) -> Outcome {
    let lang_code = guess_lang(ctx);
    let mut s = match stored {
        Some(old) => Subscriber {
            active: true,
            inactive_reason: None,
            served_until: Some(ctx.now),
            updated_at: ctx.now,
            ..old.clone()
        },
        None => Subscriber::new(ctx.chat_id, lang_code, ctx.now),
    };
    s.awaiting = Some(Awaiting::Lang);
    let lang = Lang::of(&s.lang);
    Outcome {
        keyboard: Some(lang_keyboard()),
        ..Outcome::saving(
            s,
            format!(
                "{}\n\n{}",
                texts::welcome(lang, &ctx.channel.title),
                texts::ask_lang(lang)
            ),
        )
    }
}

fn parse_lang(text: &str) -> Option<Lang> {
    match gazette_text::fold(text.trim()).as_str() {
        "fr" | "francais" | "french" => Some(Lang::Fr),
        "en" | "english" | "anglais" => Some(Lang::En),
        _ => None,
    }
}

fn zone_name(s: &Subscriber, channel: &ChannelConfig) -> String {
    s.timezone
        .clone()
        .unwrap_or_else(|| channel.timezone_name.clone())
}

/// The answer to the question the bot asked.
fn answer_question(
    ctx: &Context<'_>,
    mut s: Subscriber,
    awaiting: Awaiting,
    text: &str,
) -> Outcome {
    s.updated_at = ctx.now;
    match awaiting {
        Awaiting::Lang => match parse_lang(text) {
            Some(lang) => {
                s.lang = lang.code().to_string();
                s.awaiting = Some(Awaiting::Timezone);
                let zone = zone_name(&s, ctx.channel);
                Outcome {
                    keyboard: Some(no_keyboard()),
                    ..Outcome::saving(
                        s,
                        format!(
                            "{}\n{}",
                            texts::lang_set(lang),
                            texts::ask_timezone(lang, &zone)
                        ),
                    )
                }
            }
            None => Outcome {
                keyboard: Some(lang_keyboard()),
                ..Outcome::reply(texts::ask_lang(Lang::of(&s.lang)))
            },
        },
        Awaiting::Timezone => {
            let lang = Lang::of(&s.lang);
            let answer = text.trim();
            let keep = matches!(
                gazette_text::fold(answer).as_str(),
                "ok" | "skip" | "keep" | "garder" | "-"
            );
            if !keep {
                match TimeZone::get(answer) {
                    Ok(_) => s.timezone = Some(answer.to_string()),
                    Err(_) => return Outcome::reply(texts::unknown_timezone(lang, answer)),
                }
            }
            s.awaiting = None;
            let summary = settings(ctx.channel, &s);
            Outcome::saving(s, format!("{}\n\n{summary}", texts::setup_done(lang)))
        }
    }
}

/// A command from an active subscriber (any open question already closed).
fn command(ctx: &Context<'_>, mut s: Subscriber, lang: Lang, name: &str, args: &str) -> Outcome {
    match name {
        "start" => Outcome::saving(
            s.clone(),
            format!(
                "{}\n\n{}",
                texts::already_subscribed(lang),
                settings(ctx.channel, &s)
            ),
        ),
        "stop" => {
            s.active = false;
            s.inactive_reason = Some("/stop".into());
            Outcome::saving(s, texts::goodbye(lang))
        }
        "help" => Outcome::reply(texts::help(lang)),
        "settings" => Outcome::reply(settings(ctx.channel, &s)),
        "now" => Outcome::latest(),
        "lang" => match parse_lang(args) {
            Some(new) => {
                s.lang = new.code().to_string();
                Outcome::saving(s, texts::lang_set(new))
            }
            None => Outcome::reply(texts::usage(lang, "/lang fr|en")),
        },
        "timezone" => {
            if args.is_empty() {
                return Outcome::reply(texts::usage(lang, "/timezone Area/City"));
            }
            match TimeZone::get(args) {
                Ok(_) => {
                    s.timezone = Some(args.to_string());
                    Outcome::saving(s, texts::timezone_set(lang, args))
                }
                Err(_) => Outcome::reply(texts::unknown_timezone(lang, args)),
            }
        }
        "time" => match parse_hhmm(args) {
            Some(time) => {
                let morning = time.hour() < 12;
                if morning {
                    s.morning = Some(time);
                } else {
                    s.evening = Some(time);
                }
                let zone = zone_name(&s, ctx.channel);
                let shown = format!("{:02}:{:02}", time.hour(), time.minute());
                Outcome::saving(s, texts::time_set(lang, morning, &shown, &zone))
            }
            None => Outcome::reply(texts::usage(lang, "/time HH:MM")),
        },
        "editions" => {
            let choice = match gazette_text::fold(args).as_str() {
                "morning" | "matin" => Some(EditionChoice::Morning),
                "evening" | "soir" => Some(EditionChoice::Evening),
                "both" | "les deux" | "deux" | "tout" | "toutes" => Some(EditionChoice::Both),
                _ => None,
            };
            match choice {
                Some(choice) => {
                    s.editions = choice;
                    let (m, e) = wants(choice);
                    Outcome::saving(
                        s,
                        texts::editions_set(lang, texts::editions_name(lang, m, e)),
                    )
                }
                None => Outcome::reply(texts::usage(lang, "/editions morning|evening|both")),
            }
        }
        "topics" => {
            let (action, word) = args
                .split_once(char::is_whitespace)
                .map_or((args, ""), |(a, w)| (a, w.trim()));
            match (gazette_text::fold(action).as_str(), word) {
                ("" | "list", _) => Outcome::reply(topics_text(lang, &s.topics)),
                ("add", w) if !w.is_empty() => {
                    match add_word(&mut s.topics, w) {
                        Ok(()) => {}
                        Err(text) => return Outcome::reply(text(lang)),
                    }
                    let text = topics_text(lang, &s.topics);
                    Outcome::saving(s, text)
                }
                ("remove", w) if !w.is_empty() => {
                    remove_word(&mut s.topics, w);
                    let text = topics_text(lang, &s.topics);
                    Outcome::saving(s, text)
                }
                _ => Outcome::reply(texts::usage(lang, "/topics add|remove WORD, /topics list")),
            }
        }
        "mute" => {
            if args.is_empty() {
                return Outcome::reply(texts::list(lang, "Muted", "Mots masqués", &s.mutes));
            }
            if let Err(text) = add_word(&mut s.mutes, args) {
                return Outcome::reply(text(lang));
            }
            let text = texts::list(lang, "Muted", "Mots masqués", &s.mutes);
            Outcome::saving(s, text)
        }
        "unmute" => {
            if args.is_empty() {
                return Outcome::reply(texts::usage(lang, "/unmute WORD"));
            }
            remove_word(&mut s.mutes, args);
            let text = texts::list(lang, "Muted", "Mots masqués", &s.mutes);
            Outcome::saving(s, text)
        }
        _ => Outcome::reply(format!(
            "{}\n\n{}",
            texts::not_understood(lang),
            texts::help(lang)
        )),
    }
}

fn wants(choice: EditionChoice) -> (bool, bool) {
    match choice {
        EditionChoice::Morning => (true, false),
        EditionChoice::Evening => (false, true),
        EditionChoice::Both => (true, true),
    }
}

fn topics_text(lang: Lang, topics: &[String]) -> String {
    if topics.is_empty() {
        texts::topics_all(lang)
    } else {
        texts::list(lang, "Topics", "Sujets", topics)
    }
}

type TextFn = Box<dyn Fn(Lang) -> String>;

/// Adds a word or phrase unless it is there already (compared folded).
fn add_word(words: &mut Vec<String>, word: &str) -> Result<(), TextFn> {
    let word: String = word.chars().take(MAX_WORD_CHARS).collect();
    let folded = gazette_text::fold(&word);
    if words.iter().any(|w| gazette_text::fold(w) == folded) {
        return Ok(());
    }
    if words.len() >= MAX_WORDS {
        return Err(Box::new(|lang| texts::too_many(lang, MAX_WORDS)));
    }
    words.push(word);
    Ok(())
}

fn remove_word(words: &mut Vec<String>, word: &str) {
    let folded = gazette_text::fold(word.trim());
    words.retain(|w| gazette_text::fold(w) != folded);
}

/// The subscriber's settings, for `/settings` and the end of `/start`.
pub fn settings(channel: &ChannelConfig, s: &Subscriber) -> String {
    let lang = Lang::of(&s.lang);
    let (m, e) = wants(s.editions);
    let times: Vec<String> = delivery_times(s, channel)
        .iter()
        .map(|(t, _)| format!("{:02}:{:02}", t.hour(), t.minute()))
        .collect();
    let zone = zone_name(s, channel);
    let topics = topics_text(lang, &s.topics);
    let mutes = texts::list(lang, "Muted", "Mots masqués", &s.mutes);
    format!(
        "{}\n{}\n{}\n• {topics}\n• {mutes}",
        texts::settings_heading(lang),
        texts::setting_editions(
            lang,
            texts::editions_name(lang, m, e),
            &times.join(", "),
            &zone
        ),
        texts::setting_lang(lang),
    )
}

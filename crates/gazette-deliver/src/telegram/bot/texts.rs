//! What the bot says, in French and English. Every text is Telegram HTML;
//! values that come from users are escaped by the caller ([`escape`]).

use crate::telegram::api::BotCommand;

/// The bot's languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Fr,
}

impl Lang {
    /// `fr` → French, anything else English.
    pub fn of(code: &str) -> Lang {
        if code == "fr" { Lang::Fr } else { Lang::En }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    /// The language's own name.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Fr => "Français",
        }
    }
}

/// Escapes `&`, `<`, `>` and `"` for Telegram HTML.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Picks the text of a language.
fn t(lang: Lang, en: &str, fr: &str) -> String {
    match lang {
        Lang::En => en.to_string(),
        Lang::Fr => fr.to_string(),
    }
}

pub fn welcome(lang: Lang, title: &str) -> String {
    match lang {
        Lang::En => format!(
            "<b>Welcome to {}!</b>\nYou will get the most important news every morning and evening.",
            escape(title)
        ),
        Lang::Fr => format!(
            "<b>Bienvenue sur {} !</b>\nVous recevrez l'essentiel de l'actualité chaque matin et chaque soir.",
            escape(title)
        ),
    }
}

pub fn already_subscribed(lang: Lang) -> String {
    t(
        lang,
        "You are already subscribed.",
        "Vous êtes déjà abonné·e.",
    )
}

pub fn ask_lang(lang: Lang) -> String {
    t(
        lang,
        "Which language do you prefer? Answer <b>fr</b> or <b>en</b>.",
        "Quelle langue préférez-vous ? Répondez <b>fr</b> ou <b>en</b>.",
    )
}

pub fn ask_timezone(lang: Lang, current: &str) -> String {
    match lang {
        Lang::En => format!(
            "Your time zone? Send it as Area/City, e.g. <code>Europe/Paris</code> or <code>America/Montreal</code>, or <b>ok</b> to keep {}.",
            escape(current)
        ),
        Lang::Fr => format!(
            "Votre fuseau horaire ? Envoyez-le sous la forme Zone/Ville, par ex. <code>Europe/Paris</code> ou <code>America/Montreal</code>, ou <b>ok</b> pour garder {}.",
            escape(current)
        ),
    }
}

pub fn unknown_timezone(lang: Lang, given: &str) -> String {
    match lang {
        Lang::En => format!(
            "I do not know the time zone “{}”. Send it as Area/City, e.g. <code>Europe/Paris</code>.",
            escape(given)
        ),
        Lang::Fr => format!(
            "Je ne connais pas le fuseau « {} ». Envoyez-le sous la forme Zone/Ville, par ex. <code>Europe/Paris</code>.",
            escape(given)
        ),
    }
}

pub fn setup_done(lang: Lang) -> String {
    t(
        lang,
        "All set! Here is what you will get:",
        "C'est prêt ! Voici ce que vous recevrez :",
    )
}

pub fn goodbye(lang: Lang) -> String {
    t(
        lang,
        "You are unsubscribed: no more editions. Send /start to come back.",
        "Vous êtes désabonné·e : plus d'éditions. Envoyez /start pour revenir.",
    )
}

pub fn not_subscribed(lang: Lang) -> String {
    t(
        lang,
        "You are not subscribed yet: send /start first.",
        "Vous n'êtes pas encore abonné·e : envoyez d'abord /start.",
    )
}

pub fn not_understood(lang: Lang) -> String {
    t(lang, "I did not understand that.", "Je n'ai pas compris.")
}

pub fn usage(lang: Lang, usage: &str) -> String {
    match lang {
        Lang::En => format!("Usage: <code>{}</code>", escape(usage)),
        Lang::Fr => format!("Utilisation : <code>{}</code>", escape(usage)),
    }
}

pub fn lang_set(lang: Lang) -> String {
    t(
        lang,
        "I will write in English.",
        "Je vous écrirai en français.",
    )
}

pub fn timezone_set(lang: Lang, zone: &str) -> String {
    match lang {
        Lang::En => format!("Your time zone is now {}.", escape(zone)),
        Lang::Fr => format!("Votre fuseau horaire est maintenant {}.", escape(zone)),
    }
}

pub fn time_set(lang: Lang, morning: bool, time: &str, zone: &str) -> String {
    match (lang, morning) {
        (Lang::En, true) => format!(
            "Your morning edition will arrive at {time} ({}).",
            escape(zone)
        ),
        (Lang::En, false) => format!(
            "Your evening edition will arrive at {time} ({}).",
            escape(zone)
        ),
        (Lang::Fr, true) => format!(
            "Votre édition du matin arrivera à {time} ({}).",
            escape(zone)
        ),
        (Lang::Fr, false) => format!(
            "Votre édition du soir arrivera à {time} ({}).",
            escape(zone)
        ),
    }
}

pub fn editions_set(lang: Lang, which: &str) -> String {
    match lang {
        Lang::En => format!("You will get {which}."),
        Lang::Fr => format!("Vous recevrez {which}."),
    }
}

pub fn editions_name(lang: Lang, morning: bool, evening: bool) -> &'static str {
    match (lang, morning, evening) {
        (Lang::En, true, true) => "the morning and evening editions",
        (Lang::En, true, false) => "the morning edition",
        (Lang::En, false, _) => "the evening edition",
        (Lang::Fr, true, true) => "les éditions du matin et du soir",
        (Lang::Fr, true, false) => "l'édition du matin",
        (Lang::Fr, false, _) => "l'édition du soir",
    }
}

pub fn list(lang: Lang, what_en: &str, what_fr: &str, items: &[String]) -> String {
    let what = if lang == Lang::Fr { what_fr } else { what_en };
    if items.is_empty() {
        let none = t(lang, "none", "aucun");
        return format!("{what}: {none}.");
    }
    let items: Vec<String> = items.iter().map(|i| escape(i)).collect();
    format!("{what}: {}.", items.join(", "))
}

pub fn topics_all(lang: Lang) -> String {
    t(
        lang,
        "Topics: all stories (add some with /topics add WORD).",
        "Sujets : toutes les actualités (ajoutez-en avec /topics add MOT).",
    )
}

pub fn too_many(lang: Lang, max: usize) -> String {
    match lang {
        Lang::En => format!("That is more than {max}: remove one first."),
        Lang::Fr => format!("C'est plus de {max} : retirez-en un d'abord."),
    }
}

pub fn no_edition(lang: Lang) -> String {
    t(
        lang,
        "There is no edition yet: the first one comes at the next scheduled time.",
        "Il n'y a pas encore d'édition : la première arrive à la prochaine heure prévue.",
    )
}

pub fn nothing_matches(lang: Lang) -> String {
    t(
        lang,
        "Nothing in the latest edition matches your topics.",
        "Rien dans la dernière édition ne correspond à vos sujets.",
    )
}

pub fn settings_heading(lang: Lang) -> String {
    t(lang, "<b>Your settings</b>", "<b>Vos réglages</b>")
}

pub fn setting_editions(lang: Lang, which: &str, times: &str, zone: &str) -> String {
    match lang {
        Lang::En => format!("• Editions: {which}, at {times} ({})", escape(zone)),
        Lang::Fr => format!("• Éditions : {which}, à {times} ({})", escape(zone)),
    }
}

pub fn setting_lang(lang: Lang) -> String {
    match lang {
        Lang::En => format!("• Language: {}", lang.name()),
        Lang::Fr => format!("• Langue : {}", lang.name()),
    }
}

pub fn help(lang: Lang) -> String {
    let mut text = t(
        lang,
        "<b>What I can do</b>\n",
        "<b>Ce que je sais faire</b>\n",
    );
    for c in commands(lang) {
        text.push_str(&format!("/{} — {}\n", c.command, escape(&c.description)));
    }
    text.trim_end().to_string()
}

/// The command menu (`setMyCommands`), in a language.
pub fn commands(lang: Lang) -> Vec<BotCommand> {
    let list: [(&str, &str, &str); 12] = [
        (
            "start",
            "Subscribe (language and time zone)",
            "S'abonner (langue et fuseau)",
        ),
        ("stop", "Unsubscribe", "Se désabonner"),
        ("now", "The latest edition", "La dernière édition"),
        (
            "editions",
            "morning, evening or both",
            "morning, evening ou both (matin, soir, les deux)",
        ),
        (
            "time",
            "HH:MM: when your edition arrives",
            "HH:MM : l'heure de votre édition",
        ),
        (
            "timezone",
            "Area/City, e.g. Europe/Paris",
            "Zone/Ville, par ex. Europe/Paris",
        ),
        ("lang", "fr or en", "fr ou en"),
        (
            "topics",
            "add WORD, remove WORD or list",
            "add MOT, remove MOT ou list",
        ),
        (
            "mute",
            "WORD: never send stories about it",
            "MOT : ne plus recevoir ces sujets",
        ),
        ("unmute", "WORD: undo /mute", "MOT : annuler /mute"),
        ("settings", "Your settings", "Vos réglages"),
        ("help", "What I can do", "Ce que je sais faire"),
    ];
    list.iter()
        .map(|(command, en, fr)| BotCommand {
            command: command.to_string(),
            description: if lang == Lang::Fr { fr } else { en }.to_string(),
        })
        .collect()
}

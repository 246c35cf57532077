//! The Bot API's shapes, from `spec/api-subset.json` (an extract of
//! telegram-bot-api-spec, MIT; see `spec/SOURCE.md`): which parameters each
//! method takes and which fields each type has, with their types and whether
//! they are required.
//!
//! [`Spec::check_params`] and [`Spec::check_type`] list how a JSON value
//! departs from the specification: unknown fields, missing required ones,
//! values of the wrong type. The simulator checks every request and every
//! response with them; tests check the client's requests the same way.
//!
//! ```
//! use gazette_telegram_sim::spec::Spec;
//! let spec = Spec::bundled();
//! let ok = serde_json::json!({"chat_id": 42, "text": "hello", "parse_mode": "HTML"});
//! assert!(spec.check_params("sendMessage", &ok).is_empty());
//! let bad = serde_json::json!({"chat_id": 42, "txt": "hello"});
//! assert_eq!(spec.check_params("sendMessage", &bad).len(), 2); // unknown `txt`, missing `text`
//! ```

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value;

/// The bundled extract of the Bot API specification.
const BUNDLED: &str = include_str!("../spec/api-subset.json");

/// A method or a type of the specification.
#[derive(Debug, Clone, Deserialize)]
pub struct Entry {
    pub name: String,
    #[serde(default)]
    pub fields: Vec<Field>,
    /// A method's result types.
    #[serde(default)]
    pub returns: Vec<String>,
    /// A type's variants (`BotCommandScope` → `BotCommandScopeDefault`, …).
    #[serde(default)]
    pub subtypes: Vec<String>,
}

/// A parameter of a method or a field of a type.
#[derive(Debug, Clone, Deserialize)]
pub struct Field {
    pub name: String,
    /// Alternatives: `Integer`, `String`, `Boolean`, `True`, `Float`,
    /// `Array of …`, `InputFile`, or a type's name.
    pub types: Vec<String>,
    pub required: bool,
}

/// The specification: methods and types by name.
#[derive(Debug, Clone, Deserialize)]
pub struct Spec {
    pub version: String,
    pub methods: HashMap<String, Entry>,
    pub types: HashMap<String, Entry>,
}

impl Spec {
    /// The extract bundled with this crate.
    pub fn bundled() -> &'static Spec {
        static SPEC: OnceLock<Spec> = OnceLock::new();
        SPEC.get_or_init(|| serde_json::from_str(BUNDLED).expect("spec/api-subset.json is valid"))
    }

    /// How `params` departs from the parameters of `method` (empty: it conforms).
    pub fn check_params(&self, method: &str, params: &Value) -> Vec<String> {
        let mut problems = Vec::new();
        match self.methods.get(method) {
            Some(entry) => self.check_fields(entry, params, method, &mut problems),
            None => problems.push(format!("{method}: not a method of the specification")),
        }
        problems
    }

    /// How `result` departs from what `method` returns.
    pub fn check_result(&self, method: &str, result: &Value) -> Vec<String> {
        let mut problems = Vec::new();
        match self.methods.get(method) {
            Some(entry) => {
                if !entry
                    .returns
                    .iter()
                    .any(|ty| self.conforms(ty, result, "", &mut Vec::new()))
                {
                    // Report against the first alternative, for a useful message.
                    let first = entry.returns.first().map_or("?", String::as_str);
                    self.conforms(first, result, &format!("{method} result"), &mut problems);
                    if problems.is_empty() {
                        problems.push(format!("{method} result: not a {first}"));
                    }
                }
            }
            None => problems.push(format!("{method}: not a method of the specification")),
        }
        problems
    }

    /// How `value` departs from the type `name`.
    pub fn check_type(&self, name: &str, value: &Value) -> Vec<String> {
        let mut problems = Vec::new();
        self.conforms(name, value, name, &mut problems);
        problems
    }

    /// Whether `value` is a `ty`; problems found on the way go to `problems`.
    fn conforms(&self, ty: &str, value: &Value, path: &str, problems: &mut Vec<String>) -> bool {
        match ty {
            "Integer" => value.is_i64() || value.is_u64(),
            "Float" => value.is_number(),
            "String" => value.is_string(),
            "Boolean" => value.is_boolean(),
            "True" => value == &Value::Bool(true),
            // Uploads are not simulated: files are passed as file ids or URLs.
            "InputFile" => value.is_string(),
            _ => {
                if let Some(item) = ty.strip_prefix("Array of ") {
                    match value.as_array() {
                        Some(items) => {
                            let before = problems.len();
                            for (i, v) in items.iter().enumerate() {
                                if !self.conforms(item, v, &format!("{path}[{i}]"), problems)
                                    && problems.len() == before
                                {
                                    problems.push(format!("{path}[{i}]: expected {item}"));
                                }
                            }
                            problems.len() == before
                        }
                        None => false,
                    }
                } else {
                    self.conforms_object(ty, value, path, problems)
                }
            }
        }
    }

    fn conforms_object(
        &self,
        ty: &str,
        value: &Value,
        path: &str,
        problems: &mut Vec<String>,
    ) -> bool {
        if !value.is_object() {
            return false;
        }
        let Some(entry) = self.types.get(ty) else {
            // A type outside the extract: the simulator never sends one.
            return true;
        };
        if !entry.subtypes.is_empty() {
            let known: Vec<&String> = entry
                .subtypes
                .iter()
                .filter(|s| self.types.contains_key(*s))
                .collect();
            return known.is_empty()
                || known
                    .iter()
                    .any(|s| self.conforms(s, value, path, &mut Vec::new()));
        }
        let before = problems.len();
        self.check_fields(entry, value, path, problems);
        problems.len() == before
    }

    fn check_fields(&self, entry: &Entry, value: &Value, path: &str, problems: &mut Vec<String>) {
        let Some(object) = value.as_object() else {
            problems.push(format!("{path}: expected an object"));
            return;
        };
        for (name, v) in object {
            let at = format!("{path}.{name}");
            match entry.fields.iter().find(|f| &f.name == name) {
                None => problems.push(format!("{at}: not a field of {}", entry.name)),
                Some(_) if v.is_null() => problems.push(format!("{at}: null (omit it instead)")),
                Some(field) => {
                    let mut inner = Vec::new();
                    if !field
                        .types
                        .iter()
                        .any(|ty| self.conforms(ty, v, &at, &mut inner))
                    {
                        if inner.is_empty() {
                            inner.push(format!("{at}: expected {}", field.types.join(" or ")));
                        }
                        problems.extend(inner);
                    }
                }
            }
        }
        for field in entry.fields.iter().filter(|f| f.required) {
            if !object.contains_key(&field.name) {
                problems.push(format!("{path}.{}: required, missing", field.name));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_bundled_extract_has_what_gazette_calls() {
        let spec = Spec::bundled();
        assert_eq!(spec.version, "Bot API 10.1");
        for m in [
            "getMe",
            "sendMessage",
            "sendPhoto",
            "getUpdates",
            "setWebhook",
            "deleteWebhook",
            "setMyCommands",
        ] {
            assert!(spec.methods.contains_key(m), "{m}");
        }
    }

    #[test]
    fn nested_types_are_checked() {
        let spec = Spec::bundled();
        let message = json!({
            "message_id": 1, "date": 1_700_000_000,
            "chat": {"id": 5, "type": "private"},
            "entities": [{"type": "bold", "offset": 0, "length": "4"}]
        });
        let problems = spec.check_type("Message", &message);
        assert_eq!(problems, ["Message.entities[0].length: expected Integer"]);
        let no_chat = json!({"message_id": 1, "date": 1});
        assert_eq!(
            spec.check_type("Message", &no_chat),
            ["Message.chat: required, missing"]
        );
    }

    #[test]
    fn results_follow_the_methods_return_type() {
        let spec = Spec::bundled();
        assert!(spec.check_result("setWebhook", &json!(true)).is_empty());
        assert!(!spec.check_result("setWebhook", &json!("yes")).is_empty());
        assert!(spec.check_result("getUpdates", &json!([])).is_empty());
        assert!(
            !spec
                .check_result("getUpdates", &json!([{"id": 1}]))
                .is_empty()
        );
    }
}

//! Loading the configuration: the one place where the file, the environment and
//! command-line flags merge (DESIGN.md §7.4).
//!
//! Order, later wins: built-in defaults (in `gazette_core::config`) → the TOML
//! file → `GAZETTE_…` environment variables → flags. An environment variable
//! names a key with `__` between levels: `GAZETTE_DATA_DIR=/srv/gazette`,
//! `GAZETTE_FETCH__TIMEOUT=10s`, `GAZETTE_POLL__DISABLE_AFTER=5`. Its value is
//! read as a TOML value when it is one (`5`, `true`, `["07:30"]`) and as a string
//! otherwise.
//!
//! Errors name the file, the line when the file is at fault, and the key.

use std::path::{Path, PathBuf};

use gazette_core::config::{Config, RawConfig};
use serde::Deserialize;
use toml::{Table, Value};

use crate::error::UsageError;

/// The default configuration file, used when it exists and no other is given.
pub const DEFAULT_FILE: &str = "gazette.toml";

/// Environment variables with the prefix that are not configuration keys.
const NOT_KEYS: &[&str] = &["GAZETTE_CONFIG", "GAZETTE_LOG"];

/// Loads the configuration. `explicit` is `--config`/`GAZETTE_CONFIG`: it must
/// exist. Without it, `./gazette.toml` is read when present.
pub fn load(
    explicit: Option<&Path>,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<Config, UsageError> {
    let (mut table, file) = match explicit {
        Some(path) => (read_file(path)?, Some(path.to_path_buf())),
        None if Path::new(DEFAULT_FILE).exists() => {
            let path = PathBuf::from(DEFAULT_FILE);
            (read_file(&path)?, Some(path))
        }
        None => (Table::new(), None),
    };
    if let Some(path) = &file
        && let Some(warning) = exposed_secrets(path, &table)
    {
        // Printed whatever the log level: the operator must see it.
        eprintln!("warning: {warning}");
    }
    let mut from_env = Vec::new();
    for (name, value) in env {
        let Some(rest) = name.strip_prefix("GAZETTE_") else {
            continue;
        };
        if NOT_KEYS.contains(&name.as_str()) || rest.is_empty() {
            continue;
        }
        let path: Vec<String> = rest.split("__").map(|p| p.to_ascii_lowercase()).collect();
        // A secret is always a string: `GAZETTE_SMTP__PASSWORD=12345678` is
        // not the number 12345678 (which would be refused, quoting it).
        let value = match path.last() {
            Some(leaf) if SECRET_KEYS.contains(&leaf.as_str()) => Value::String(value),
            _ => parse_env_value(&value),
        };
        overlay(&mut table, &path, value)
            .map_err(|msg| UsageError::new(format!("environment variable {name}: {msg}")))?;
        from_env.push((path.join("."), name));
    }
    let raw: RawConfig = serde_path_to_error::deserialize(Value::Table(table)).map_err(|e| {
        let key = e.path().to_string();
        let origin = from_env
            .iter()
            .find(|(k, _)| key.starts_with(k.as_str()))
            .map(|(_, var)| format!("environment variable {var}"))
            .or_else(|| file.as_ref().map(|f| f.display().to_string()))
            .unwrap_or_else(|| "configuration".to_string());
        UsageError::new(format!(
            "{origin}: key `{key}`: {}",
            without_secret(&key, e.inner().to_string())
        ))
    })?;
    let config = raw.validate().map_err(|e| {
        let origin = file
            .as_ref()
            .map_or_else(|| "configuration".to_string(), |f| f.display().to_string());
        UsageError::new(format!("{origin}: {e}"))
    })?;
    Ok(config)
}

/// Keys whose values are secrets (bot token, SMTP password, admin token,
/// signing key, webhook secrets).
const SECRET_KEYS: &[&str] = &["token", "password", "admin_token", "signing_key", "secret"];

/// The secret keys set in `table` (dotted paths), and a store URL with a password.
fn secret_keys(table: &Table, prefix: &str, found: &mut Vec<String>) {
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            Value::String(s) if !s.is_empty() && SECRET_KEYS.contains(&key.as_str()) => {
                found.push(path)
            }
            Value::String(s)
                if key == "store" && url::Url::parse(s).is_ok_and(|u| u.password().is_some()) =>
            {
                found.push(path)
            }
            Value::Table(t) => secret_keys(t, &path, found),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let Value::Table(t) = item {
                        secret_keys(t, &format!("{path}[{i}]"), found);
                    }
                }
            }
            _ => {}
        }
    }
}

/// A warning when the configuration file holds secrets and other users may
/// read it (Unix permissions: any group or other bit). Names the keys, never
/// their values.
fn exposed_secrets(path: &Path, table: &Table) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode();
        if mode & 0o077 == 0 {
            return None;
        }
        let mut found = Vec::new();
        secret_keys(table, "", &mut found);
        if found.is_empty() {
            return None;
        }
        Some(format!(
            "{} holds secrets ({}) and other users can read it (mode {:o}); run `chmod 600 {}`",
            path.display(),
            found.join(", "),
            mode & 0o777,
            path.display()
        ))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, table);
        None
    }
}

/// Reads and syntax-checks a TOML file; a syntax error or an unknown key gives the line.
fn read_file(path: &Path) -> Result<Table, UsageError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        UsageError::new(format!(
            "cannot read the configuration file {}: {e} (create one with `gazette init`)",
            path.display()
        ))
    })?;
    // Deserializing the file alone first gives errors with a line, a column and
    // the key (unknown keys, wrong types); the merged table below has no positions.
    let located = |e: &toml::de::Error, key: Option<String>| {
        let key_path = key.clone();
        let key = key
            .filter(|k| !k.is_empty() && k != "?")
            .map(|k| format!(" key `{k}`:"))
            .unwrap_or_default();
        let message = match &key_path {
            Some(k) => without_secret(k, e.message().to_string()),
            None => e.message().to_string(),
        };
        UsageError::new(format!(
            "{}:{}{key} {message}",
            path.display(),
            line_of(&text, e)
        ))
    };
    let deserializer = toml::Deserializer::parse(&text).map_err(|e| located(&e, None))?;
    if let Err(e) = serde_path_to_error::deserialize::<_, RawConfig>(deserializer) {
        return Err(located(e.inner(), Some(e.path().to_string())));
    }
    toml::from_str::<Table>(&text).map_err(|e| located(&e, None))
}

/// An error message about the value of `key`, without the value when `key`
/// names a secret (serde's messages quote what they found: ``invalid type:
/// integer `12345`, expected a string``).
fn without_secret(key: &str, message: String) -> String {
    let leaf = key.rsplit(['.', '[']).next().unwrap_or(key);
    if SECRET_KEYS.contains(&leaf) {
        "expected a string (the value given is a secret and is not shown)".to_string()
    } else {
        message
    }
}

/// The line of a TOML error ("4:"), or nothing when it has no position.
fn line_of(text: &str, e: &toml::de::Error) -> String {
    e.span()
        .map(|span| {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("{line}:")
        })
        .unwrap_or_default()
}

/// An environment value: a TOML value when it parses as one, else a string.
fn parse_env_value(value: &str) -> Value {
    #[derive(Deserialize)]
    struct Wrapper {
        v: Value,
    }
    toml::from_str::<Wrapper>(&format!("v = {value}"))
        .map(|w| w.v)
        .unwrap_or_else(|_| Value::String(value.to_string()))
}

/// Sets `path` in `table` to `value`, creating intermediate tables.
fn overlay(table: &mut Table, path: &[String], value: Value) -> Result<(), String> {
    let (first, rest) = path.split_first().ok_or("empty key")?;
    if rest.is_empty() {
        table.insert(first.clone(), value);
        return Ok(());
    }
    let entry = table
        .entry(first.clone())
        .or_insert_with(|| Value::Table(Table::new()));
    overlay_value(entry, first, rest, value)
}

/// Descends into `current` (a table, or an array indexed by number: the
/// `1` of `GAZETTE_CHANNELS__0__SINKS__1__SECRET`) along `path`.
fn overlay_value(
    current: &mut Value,
    name: &str,
    path: &[String],
    value: Value,
) -> Result<(), String> {
    match current {
        Value::Table(table) => overlay(table, path, value),
        Value::Array(items) => {
            let (index, rest) = path.split_first().ok_or("empty key")?;
            let i: usize = index
                .parse()
                .map_err(|_| format!("`{name}` is a list: expected an index, found `{index}`"))?;
            let len = items.len();
            let item = items
                .get_mut(i)
                .ok_or_else(|| format!("`{name}` has {len} entries, so no entry {i}"))?;
            if rest.is_empty() {
                *item = value;
                Ok(())
            } else {
                overlay_value(item, index, rest, value)
            }
        }
        _ => Err(format!("`{name}` is not a table in the configuration")),
    }
}

/// The commented example written by `gazette init`.
pub const EXAMPLE: &str = include_str!("../gazette.example.toml");

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn write(dir: &Path, text: &str) -> PathBuf {
        let path = dir.join("gazette.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn environment_overrides_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "[fetch]\ntimeout = \"5s\"\nconcurrency = 3\n");
        let config = load(
            Some(&path),
            env(&[
                ("GAZETTE_FETCH__TIMEOUT", "9s"),
                ("GAZETTE_DATA_DIR", "/tmp/elsewhere"),
                ("GAZETTE_LOG", "debug"),
                ("HOME", "/root"),
            ]),
        )
        .unwrap();
        assert_eq!(config.fetch.timeout, jiff::SignedDuration::from_secs(9));
        assert_eq!(config.fetch.concurrency, 3);
        assert_eq!(config.data_dir, PathBuf::from("/tmp/elsewhere"));
    }

    #[test]
    fn a_wrong_type_in_the_file_names_file_line_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "\n\n[fetch]\nconcurrency = \"many\"\n");
        let err = load(Some(&path), env(&[])).unwrap_err().to_string();
        assert!(err.contains("gazette.toml:4"), "{err}");
        assert!(
            err.contains("concurrency") || err.contains("integer"),
            "{err}"
        );
    }

    #[test]
    fn environment_reaches_into_lists_by_index() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "[[channels]]\nname = \"a\"\n[[channels.sinks]]\nkind = \"stdout\"\n\
             [[channels.sinks]]\nkind = \"webhook\"\nurl = \"https://h.example.org/\"\n",
        );
        let config = load(
            Some(&path),
            env(&[(
                "GAZETTE_CHANNELS__0__SINKS__1__SECRET",
                "0123456789abcdef-from-env",
            )]),
        )
        .unwrap();
        match &config.channels[0].sinks[1] {
            gazette_core::config::SinkConfig::Webhook { secret, .. } => {
                assert_eq!(secret.expose(), "0123456789abcdef-from-env")
            }
            other => panic!("{other:?}"),
        }
        let err = load(Some(&path), env(&[("GAZETTE_CHANNELS__3__TITLE", "x")]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("GAZETTE_CHANNELS__3__TITLE") && err.contains("no entry 3"),
            "{err}"
        );
    }

    #[test]
    fn a_wrong_type_from_the_environment_names_the_variable() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "");
        let err = load(Some(&path), env(&[("GAZETTE_FETCH__CONCURRENCY", "lots")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("GAZETTE_FETCH__CONCURRENCY"), "{err}");
        assert!(err.contains("fetch.concurrency"), "{err}");
    }

    #[test]
    fn an_unknown_key_is_refused_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "[poll]\nmin_intervall = \"5m\"\n");
        let err = load(Some(&path), env(&[])).unwrap_err().to_string();
        assert!(err.contains(":2:"), "{err}");
        assert!(err.contains("min_intervall"), "{err}");
    }

    #[test]
    fn a_missing_explicit_file_is_an_error() {
        let err = load(Some(Path::new("/nonexistent/g.toml")), env(&[]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("/nonexistent/g.toml"), "{err}");
        assert!(err.contains("gazette init"), "{err}");
    }

    #[test]
    fn validation_errors_name_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "[[channels]]\nname = \"x\"\ntimezone = \"Mars/Olympus\"\n",
        );
        let err = load(Some(&path), env(&[])).unwrap_err().to_string();
        assert!(err.contains("channels[0].timezone"), "{err}");
    }

    #[test]
    fn the_example_config_is_valid() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), EXAMPLE);
        let config = load(Some(&path), env(&[])).unwrap();
        assert!(!config.channels.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_config_with_secrets_readable_by_others_is_named_without_its_secrets() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "store = \"postgres://gazette:pgpass@db.internal/gazette\"\n\
             [telegram]\ntoken = \"123:SECRETTOKEN\"\n\
             [[channels]]\nname = \"x\"\n[[channels.sinks]]\nkind = \"webhook\"\nsecret = \"hooksecret\"\n",
        );
        let table = read_file(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let warning = exposed_secrets(&path, &table).expect("a warning");
        assert!(warning.contains("telegram.token"), "{warning}");
        assert!(warning.contains("store"), "{warning}");
        assert!(warning.contains("channels[0].sinks[0].secret"), "{warning}");
        assert!(warning.contains("chmod 600"), "{warning}");
        for secret in ["SECRETTOKEN", "pgpass", "hooksecret"] {
            assert!(!warning.contains(secret), "{warning}");
        }
        // Private to its owner: nothing to say.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(exposed_secrets(&path, &table), None);
        // Readable, but without secrets: nothing to say either.
        let plain = write(dir.path(), "data_dir = \"data\"\n");
        std::fs::set_permissions(&plain, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(exposed_secrets(&plain, &read_file(&plain).unwrap()), None);
    }

    #[test]
    fn secrets_of_the_wrong_type_are_not_quoted_and_numeric_ones_from_the_environment_work() {
        let dir = tempfile::tempdir().unwrap();
        // In the file, a number where the password goes: refused, not quoted.
        let path = write(
            dir.path(),
            "[smtp]\nhost = \"mail.example.org\"\nusername = \"u\"\npassword = 98765432123\n",
        );
        let err = load(Some(&path), env(&[])).unwrap_err().to_string();
        assert!(err.contains("smtp.password"), "{err}");
        assert!(err.contains("not shown"), "{err}");
        assert!(!err.contains("98765432123"), "{err}");
        // From the environment a secret is always a string, digits or not.
        let path = write(
            dir.path(),
            "[smtp]\nhost = \"mail.example.org\"\nusername = \"u\"\n",
        );
        let config = load(
            Some(&path),
            env(&[
                ("GAZETTE_SMTP__PASSWORD", "98765432123"),
                ("GAZETTE_WEB__ADMIN_TOKEN", "[1234567890123456]"),
            ]),
        )
        .unwrap();
        let smtp = config.smtp.unwrap();
        assert_eq!(smtp.password.unwrap().expose(), "98765432123");
        assert_eq!(
            config.web.admin_token.unwrap().expose(),
            "[1234567890123456]"
        );
    }
}

//! A committed subset of the Universal Feed Parser's test feeds
//! (`tests/fixtures/feedparser/`, BSD-2-Clause, licence beside them) through
//! `gazette feeds parse`: every expectation of theirs that maps onto gazette's
//! model and passed when the subset was taken must still pass.
//!
//! `expectations.json` is written by `tools/feedparser_suite.py` (see
//! `SOURCE.md` there): per feed, the feedparser expression and the checks it
//! became — a JSON pointer into gazette's output and the expected value,
//! compared exactly or as text (whitespace runs as one space).

use std::collections::HashMap;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn feedparser_expectations_that_map_onto_gazette_still_pass() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/feedparser");
    let expectations: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expectations.json")).unwrap())
            .unwrap();
    assert!(expectations.len() >= 100, "the subset is all there");
    let files: Vec<&str> = expectations
        .iter()
        .map(|e| e["file"].as_str().unwrap())
        .collect();

    let mut cmd = Command::cargo_bin("gazette").unwrap();
    for (name, _) in std::env::vars() {
        if name.starts_with("GAZETTE_") {
            cmd.env_remove(name);
        }
    }
    let output = cmd
        .current_dir(&dir)
        .args(["-q", "feeds", "parse"])
        .args(&files)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "every feed parses: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let parsed: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    let by_source: HashMap<&str, &Value> = parsed
        .iter()
        .map(|p| (p["source"].as_str().unwrap(), p))
        .collect();
    assert_eq!(by_source.len(), files.len());

    let mut failures = Vec::new();
    let mut checked = 0;
    for feed in &expectations {
        let file = feed["file"].as_str().unwrap();
        let out = by_source[file];
        for expectation in feed["expectations"].as_array().unwrap() {
            for check in expectation["checks"].as_array().unwrap() {
                let pointer = check["pointer"].as_str().unwrap();
                let expected = &check["expected"];
                let actual = out.pointer(pointer).unwrap_or(&Value::Null);
                let ok = match check["compare"].as_str().unwrap() {
                    "text" => actual
                        .as_str()
                        .is_some_and(|a| collapse(a) == expected.as_str().unwrap()),
                    "exact" => actual == expected,
                    other => panic!("{file}: unknown comparison {other}"),
                };
                checked += 1;
                if !ok {
                    failures.push(format!(
                        "{file}: {}\n    {pointer}: expected {expected}, got {actual}",
                        expectation["expect"].as_str().unwrap()
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{checked} checks over {} feeds passed", files.len());
}

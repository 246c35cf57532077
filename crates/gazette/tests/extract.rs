//! `gazette extract` as evaluations call it (DESIGN.md §6): inputs, formats, ids,
//! errors that do not stop the batch, exit codes.

use std::io::Write;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const PAGE: &str = r#"<html lang="fr"><head><title>Un titre de page assez long - Le Site</title>
<meta property="og:site_name" content="Le Site"><link rel="canonical" href="https://news.example/a1">
<meta property="article:published_time" content="2024-05-02T10:00:00+02:00"></head><body>
<nav><a href="/">Accueil</a> <a href="/monde">Monde</a></nav><article>
<p>Le gouvernement a présenté mardi un projet de loi sur l'énergie, qui prévoit une hausse des investissements.</p>
<p>Les députés examineront le texte à partir du mois prochain, a indiqué la ministre à Paris.</p>
</article><footer>Mentions légales</footer></body></html>"#;

fn gazette(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("gazette").expect("the binary is built");
    cmd.current_dir(dir);
    for (name, _) in std::env::vars() {
        if name.starts_with("GAZETTE_") {
            cmd.env_remove(name);
        }
    }
    cmd
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("pages");
    std::fs::create_dir_all(pages.join("sub")).unwrap();
    std::fs::write(pages.join("0001.html"), PAGE).unwrap();
    std::fs::write(pages.join("sub/0002.html.gz"), gzip(PAGE.as_bytes())).unwrap();
    std::fs::write(
        pages.join("0003.htm"),
        "<html><body><nav>Menu</nav></body></html>",
    )
    .unwrap();
    std::fs::write(pages.join("notes.txt"), "not a page").unwrap();
    dir
}

#[test]
fn jsonl_gives_one_record_per_page_with_ids_and_errors() {
    let dir = corpus();
    let out = gazette(dir.path())
        .args(["extract", "--format", "jsonl", "pages"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["0001", "0003", "0002"]);
    let first = &records[0];
    for field in [
        "url",
        "canonical_url",
        "title",
        "authors",
        "published",
        "modified",
        "lang",
        "site_name",
        "description",
        "image",
        "text",
    ] {
        assert!(first.get(field).is_some(), "missing {field}: {first}");
    }
    assert_eq!(first["title"], "Un titre de page assez long");
    assert_eq!(first["canonical_url"], "https://news.example/a1");
    assert_eq!(first["published"], "2024-05-02T08:00:00Z");
    assert_eq!(first["lang"], "fr");
    let text = first["text"].as_str().unwrap();
    assert!(text.starts_with("Le gouvernement"), "{text}");
    assert!(text.contains(".\n\nLes députés"), "{text}");
    assert!(!text.contains("Accueil") && !text.contains("Mentions"));
    assert!(first.get("error").is_none());
    assert_eq!(records[2]["text"], first["text"]);
    // No article: empty text and an error, and the batch went on.
    assert_eq!(records[1]["text"], "");
    assert!(records[1]["error"].as_str().unwrap().contains("no article"));
}

#[test]
fn json_of_several_pages_is_keyed_by_id_for_the_scorer() {
    let dir = corpus();
    let out = gazette(dir.path())
        .args(["extract", "--format", "json", "pages"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let map: Value = serde_json::from_slice(&out.stdout).unwrap();
    let map = map.as_object().unwrap();
    assert_eq!(map.len(), 3);
    assert!(
        map["0001"]["text"]
            .as_str()
            .unwrap()
            .contains("Les députés")
    );
}

#[test]
fn one_file_in_json_is_one_object_and_stdin_works() {
    let dir = corpus();
    let out = gazette(dir.path())
        .args(["extract", "pages/0001.html"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let one: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(one["id"], "0001");
    let out = gazette(dir.path())
        .args(["extract", "--format", "text", "-"])
        .write_stdin(PAGE)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("Un titre de page assez long\n\nLe gouvernement"),
        "{text}"
    );
    let out = gazette(dir.path())
        .args(["extract", "--format", "markdown", "pages/sub/0002.html.gz"])
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.starts_with("# Un titre de page assez long\n"), "{md}");
}

#[test]
fn a_missing_file_exits_two_names_it_and_the_batch_goes_on() {
    let dir = corpus();
    let out = gazette(dir.path())
        .args([
            "extract",
            "--format",
            "jsonl",
            "nope.html",
            "pages/0001.html",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("nope.html"), "{stderr}");
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], "nope");
    assert!(lines[0]["error"].is_string());
    assert!(lines[1]["text"].as_str().unwrap().contains("Les députés"));
}

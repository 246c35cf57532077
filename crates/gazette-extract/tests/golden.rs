//! Golden files: every folder under `tests/golden/` holds a real page
//! (`source.html`, or `source.html.gz`), its address (`url.txt`) and what the
//! extractor must make of it (`expected.json`). `UPDATE_FIXTURES=1 cargo test`
//! rewrites the expectations; read the diff before committing it.

use std::io::Read;
use std::path::Path;

fn extract_folder(dir: &Path) -> serde_json::Value {
    let bytes = std::fs::read(dir.join("source.html")).expect("source.html");
    let url = std::fs::read_to_string(dir.join("url.txt"))
        .expect("url.txt")
        .trim()
        .parse()
        .expect("a URL in url.txt");
    match gazette_extract::extract(&bytes, &url, None) {
        Ok(article) => serde_json::to_value(&article).expect("serialisable"),
        Err(e) => serde_json::json!({ "error": e.to_string() }),
    }
}

#[test]
fn golden_pages() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let update = std::env::var_os("UPDATE_FIXTURES").is_some();
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("tests/golden")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 3, "golden pages missing");
    let mut failures = Vec::new();
    for dir in dirs {
        let got = extract_folder(&dir);
        let expected_path = dir.join("expected.json");
        let pretty = serde_json::to_string_pretty(&got).expect("json") + "\n";
        if update {
            std::fs::write(&expected_path, &pretty).expect("write expected.json");
            continue;
        }
        let mut expected = String::new();
        std::fs::File::open(&expected_path)
            .and_then(|mut f| f.read_to_string(&mut expected))
            .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
        if expected != pretty {
            failures.push(format!(
                "{}: output differs from expected.json (UPDATE_FIXTURES=1 to rewrite)\n{pretty}",
                dir.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

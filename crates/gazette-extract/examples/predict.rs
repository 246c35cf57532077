//! Writes `{page id: text}` for every `.html.gz` in a directory, for the scorer
//! (tuning aid; `gazette extract --format json DIR` is the real interface).
use std::io::Read;

fn main() {
    let dir = std::env::args().nth(1).expect("usage: predict DIR");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("a directory")
        .map(|e| e.expect("entry").path())
        .collect();
    names.sort();
    let url: url::Url = "https://example.invalid/".parse().unwrap();
    let mut out = serde_json::Map::new();
    for path in names {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(id) = name.strip_suffix(".html.gz") else {
            continue;
        };
        let mut bytes = Vec::new();
        let raw = std::fs::read(&path).unwrap();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut bytes)
            .unwrap();
        let text = gazette_extract::extract(&bytes, &url, None)
            .map(|a| a.text)
            .unwrap_or_default();
        out.insert(id.to_string(), text.into());
    }
    println!("{}", serde_json::Value::Object(out));
}

//! Streams an evaluation set through the clusterer and writes `{"id","story"}`
//! lines for `score_clustering.py`.
//!
//! ```text
//! cargo run -p gazette-stories --release --example score -- \
//!     /work/shared/data/clustering/rpm2-fr.jsonl [--threshold 0.3] > pred.jsonl
//! python3 /work/shared/data/score_clustering.py /work/shared/data/clustering/rpm2-fr.jsonl pred.jsonl
//! ```

#[path = "../tests/support/dataset.rs"]
mod dataset;

use std::collections::BTreeSet;
use std::io::Write;
use std::process::ExitCode;

use gazette_core::config::StoriesConfig;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("score: {message}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mut path = None;
    let mut config = StoriesConfig::default();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--threshold" => {
                let value = args.next().ok_or("--threshold needs a value")?;
                config.threshold = value
                    .parse()
                    .map_err(|e| format!("--threshold {value}: {e}"))?;
            }
            _ if path.is_none() => path = Some(arg),
            _ => return Err(format!("unexpected argument {arg:?}")),
        }
    }
    let path = path.ok_or("usage: score DATA.jsonl [--threshold X]")?;
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let articles = dataset::parse(&text).map_err(|e| format!("{path}: {e}"))?;
    let stories = dataset::cluster(&articles, &config);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (labelled, story) in articles.iter().zip(&stories) {
        let line = serde_json::json!({ "id": labelled.id, "story": story.0 });
        writeln!(out, "{line}").map_err(|e| format!("stdout: {e}"))?;
    }
    let predicted: BTreeSet<_> = stories.iter().collect();
    let gold: BTreeSet<_> = articles.iter().filter_map(|a| a.story.as_ref()).collect();
    eprintln!(
        "{path}: {} articles, {} stories ({} in the gold labels), threshold {}",
        articles.len(),
        predicted.len(),
        gold.len(),
        config.threshold
    );
    Ok(())
}

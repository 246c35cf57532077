//! Times `Store::stories_since` over an existing SQLite file: a profiling aid
//! for the edition window (`cargo run --release -p gazette-store --example
//! window_read -- FILE.db`).
use gazette_core::Store;
use gazette_store::SqliteStore;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).expect("usage: window_read FILE.db");
    let store = SqliteStore::open(std::path::Path::new(&path))?;
    for _ in 0..5 {
        let t = std::time::Instant::now();
        let stories = store.stories_since(jiff::Timestamp::UNIX_EPOCH).await?;
        let members: usize = stories.iter().map(|s| s.members.len()).sum();
        println!(
            "{} stories, {members} members in {:.1} ms",
            stories.len(),
            t.elapsed().as_secs_f64() * 1000.0
        );
    }
    Ok(())
}

//! Decompression bombs and memory. This test binary counts every allocation
//! (a global allocator wrapping the system's), so it can show that a body
//! expanding to gigabytes is refused at `fetch.max_body` without the
//! expansion ever being held in memory, and that a feed of 100,000 entries
//! costs memory in proportion to its (capped) body. The tests run one at a
//! time (a lock), so the peaks are theirs.

mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::http::header;
use axum::response::IntoResponse;
use gazette_ingest::fetch::{Accept, Conditional, FetchError, Fetcher};
use gazette_ingest::ingest::NoProgress;
use support::*;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            if new_size > layout.size() {
                let now = CURRENT.fetch_add(new_size - layout.size(), Ordering::Relaxed)
                    + (new_size - layout.size());
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Runs `work` and returns its result with the highest number of bytes
/// allocated at once during it, above what was allocated before.
async fn peak_during<T>(work: impl std::future::Future<Output = T>) -> (T, usize) {
    let before = CURRENT.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let result = work.await;
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    (result, peak)
}

const MIB: usize = 1 << 20;
/// What each bomb expands to.
const EXPANDED: usize = 4 << 30;
/// Zeros compressed once and repeated (a gzip stream may hold many members).
const PIECE: usize = 16 * MIB;

fn gzip_bomb() -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&vec![0; PIECE]).unwrap();
    let member = encoder.finish().unwrap();
    member.repeat(EXPANDED / PIECE)
}

/// A zlib (`Content-Encoding: deflate`) stream: 256 MiB of zeros, compressed.
fn deflate_bomb() -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0; PIECE];
    for _ in 0..16 {
        encoder.write_all(&zeros).unwrap();
    }
    encoder.finish().unwrap()
}

/// A brotli stream of 4 GiB of zeros.
fn brotli_bomb() -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = brotli::CompressorWriter::new(&mut out, 1 << 16, 5, 24);
        let zeros = vec![0; PIECE];
        for _ in 0..EXPANDED / PIECE {
            encoder.write_all(&zeros).unwrap();
        }
    }
    out
}

/// gzip, brotli and deflate bodies expanding to gigabytes are refused at the
/// cap (1 MiB here) while at most a few MiB are ever allocated.
#[tokio::test]
async fn decompression_bombs_stop_at_the_cap_without_expanding_in_memory() {
    let _one = ONE_AT_A_TIME.lock().await;
    let site = Site::start("127.0.0.1").await;
    let bombs = [
        ("/gzip.xml", "gzip", gzip_bomb(), EXPANDED),
        ("/brotli.xml", "br", brotli_bomb(), EXPANDED),
        ("/deflate.xml", "deflate", deflate_bomb(), 16 * PIECE),
    ];
    let fetcher = Fetcher::new(&fetch_config()).unwrap();
    for (path, encoding, body, expanded) in bombs {
        let compressed = body.len();
        site.route(path, move || {
            (
                [
                    (header::CONTENT_TYPE, "application/rss+xml"),
                    (header::CONTENT_ENCODING, encoding),
                ],
                body.clone(),
            )
                .into_response()
        });
        let url = site.url(path);
        let (result, peak) =
            peak_during(fetcher.fetch(&url, &Conditional::default(), Accept::Feed)).await;
        let err = result.unwrap_err();
        assert_eq!(
            err,
            FetchError::BodyTooLarge {
                url: url.clone(),
                limit: 1 << 20
            },
            "{path}"
        );
        println!(
            "{encoding} bomb: {compressed} bytes expanding to {expanded} bytes: refused, \
             peak {:.1} MiB allocated",
            peak as f64 / MIB as f64
        );
        // The compressed body itself is copied into the response once or twice.
        assert!(
            peak < 2 * compressed + 16 * MIB,
            "{encoding}: {peak} bytes allocated at once for a {compressed}-byte body"
        );
        assert!(peak < expanded / 64, "{encoding}: {peak} bytes");
    }
}

/// Feeds of 100,000 entries (RSS, 18 MB; JSON Feed, 14 MB): the memory a
/// pass takes is a small multiple of the body (the body as received, decoded
/// to text, and the newest `fetch.max_entries` items cut from it), and only
/// those are kept.
#[tokio::test]
async fn a_feed_of_100_000_entries_takes_bounded_memory() {
    let _one = ONE_AT_A_TIME.lock().await;
    let site = Site::start("127.0.0.1").await;
    let items: String = (0..100_000)
        .map(|i| {
            format!(
                "<item><guid>e{i}</guid><title>Entry {i}</title>\
                 <link>http://site.example/e/{i}</link><description>Summary {i}.</description>\
                 <pubDate>2024-05-01T10:00:00Z</pubDate></item>"
            )
        })
        .collect();
    let json_items: Vec<String> = (0..100_000)
        .map(|i| {
            format!(
                "{{\"id\": \"j{i}\", \"url\": \"http://site.example/j/{i}\", \"title\": \"Entry {i}\", \
                 \"content_text\": \"Summary {i}.\", \"date_published\": \"2024-05-01T10:00:00Z\"}}"
            )
        })
        .collect();
    let json = format!(
        "{{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"Many\", \"items\": [{}]}}",
        json_items.join(",")
    );
    for (path, body) in [("/many.xml", rss("Many", &items)), ("/many.json", json)] {
        let size = body.len();
        site.route(path, move || {
            (
                [(header::CONTENT_TYPE, "application/octet-stream")],
                body.clone(),
            )
                .into_response()
        });
        let mut config = fetch_config();
        config.max_body_bytes = 32 << 20;
        config.fetch_pages = false;
        let s = setup(config);
        s.add(site.url(path)).await;
        let (report, peak) = peak_during(s.ingester.run_once(now(), &NoProgress)).await;
        let report = report.unwrap();
        assert_eq!(
            (report.failed, report.new_entries),
            (0, 500),
            "{path}: {report:?}"
        );
        println!(
            "100,000-entry feed {path} of {:.1} MB: 500 entries kept, peak {:.1} MiB allocated \
             ({:.1}x the body)",
            size as f64 / 1e6,
            peak as f64 / MIB as f64,
            peak as f64 / size as f64
        );
        // Before the document was cut ahead of feed-rs, the RSS feed took 13.7
        // times its size.
        assert!(
            peak < 8 * size,
            "{path}: {peak} bytes at once for a {size}-byte feed"
        );
    }
}

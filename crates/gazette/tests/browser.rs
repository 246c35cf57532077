//! The web pages in a real browser: headless Chromium (Debian's `chromium`,
//! installed by `.ci/run`) against `gazette run --role web` on 127.0.0.1.
//! The home, edition, story and search pages render the expected stories, their
//! links lead where they say, the admin page refuses an anonymous user, and
//! a screenshot of each page (at a phone's width) is written to
//! `$CARGO_TARGET_TMPDIR/screenshots/` (printed; CI keeps it) and, when
//! `SCREENSHOTS_DIR=DIR` is set, to DIR as well.
//!
//! Without Chromium this test fails, saying what to install.

mod web_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use web_support::*;

/// The browser: `CHROMIUM_BIN`, else `chromium`, else `chromium-browser`.
fn chromium() -> String {
    if let Ok(path) = std::env::var("CHROMIUM_BIN") {
        return path;
    }
    for candidate in ["chromium", "chromium-browser"] {
        if Command::new(candidate)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return candidate.to_string();
        }
    }
    panic!(
        "the browser test needs Chromium: apt-get install -y chromium (bash .ci/run installs it), \
         or CHROMIUM_BIN=/path/to/chrome"
    );
}

/// Runs headless Chromium with a fresh profile on `url` with `extra` flags; returns its stdout.
fn browse(url: &str, extra: &[&str]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("cannot run chromium");
    assert!(
        out.status.success(),
        "chromium failed on {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The DOM after the browser parsed and laid out the page.
fn dom(url: &str) -> String {
    browse(url, &["--dump-dom"])
}

/// A PNG of the page at a phone's width.
fn screenshot(url: &str, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    browse(
        url,
        &[
            &format!("--screenshot={}", path.display()),
            "--window-size=412,1400",
        ],
    );
    let png =
        std::fs::read(&path).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", path.display()));
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 5_000,
        "not a real PNG"
    );
    if let Ok(keep) = std::env::var("SCREENSHOTS_DIR") {
        std::fs::create_dir_all(&keep).unwrap();
        std::fs::copy(&path, Path::new(&keep).join(name)).unwrap();
    }
    println!("screenshot: {}", path.display());
    path
}

/// The `href`s of `<a>` elements in a serialised DOM.
fn links(dom: &str) -> Vec<String> {
    dom.split("<a ")
        .skip(1)
        .filter_map(|a| {
            a.split("href=\"")
                .nth(1)?
                .split('"')
                .next()
                .map(|h| h.replace("&amp;", "&"))
        })
        .collect()
}

/// The text of the `<title>` (decoded for the entities the pages use).
fn title(dom: &str) -> String {
    let t = dom
        .split("<title>")
        .nth(1)
        .unwrap()
        .split("</title>")
        .next()
        .unwrap();
    t.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn home_edition_and_story_pages_render_in_chromium_and_their_links_work() {
    let g = Gazette::start().await;
    let escaped = "Storm &lt;script&gt;alert('xss')&lt;/script&gt; hits &lt;b onmouseover=\"alert(1)\"&gt;Brest&lt;/b&gt;";

    // Home: both stories, as text (the browser made no element of the markup).
    let home = dom(&g.base);
    assert!(home.contains(escaped), "{home}");
    assert!(home.contains(OTHER_TITLE));
    assert!(!home.contains("<script"), "no script element in the DOM");
    assert!(!home.contains("<b onmouseover"), "no element from a title");
    let home_links = links(&home);
    let edition_url = g.url(&g.edition_path);
    let story_url = g.url(&format!("stories/{}", g.story.0));
    assert!(home_links.contains(&edition_url), "{home_links:?}");
    assert!(home_links.contains(&story_url), "{home_links:?}");

    // The edition link leads to the edition, with both stories and links to them.
    let edition = dom(&edition_url);
    assert!(
        title(&edition).starts_with("The <Briefing> · Morning edition")
            || title(&edition).starts_with("The <Briefing> · Evening edition"),
        "{}",
        title(&edition)
    );
    assert!(edition.contains(escaped));
    assert!(edition.contains(OTHER_TITLE));
    let edition_links = links(&edition);
    assert!(edition_links.contains(&story_url), "{edition_links:?}");
    assert!(edition_links.contains(&"https://ouest.example/storm".to_string()));
    assert!(
        edition_links.iter().all(|l| !l.starts_with("javascript:")),
        "{edition_links:?}"
    );

    // The story link leads to the story: its sources by language, the chart, the timeline.
    let story = dom(&story_url);
    assert_eq!(title(&story), HOSTILE_TITLE);
    assert!(
        story.contains("English (2)") && story.contains("Français (1)"),
        "{story}"
    );
    assert!(story.contains("<svg class=\"coverage\""), "{story}");
    assert!(story.contains("La tempête frappe Brest &lt;img src=x onerror=alert(2)&gt;"));
    assert!(!story.contains("<img"));
    assert!(links(&story).iter().all(|l| !l.starts_with("javascript:")));

    // The other story, from the edition page.
    let other_url = g.url(&format!("stories/{}", g.other_story.0));
    assert!(edition_links.contains(&other_url));
    assert_eq!(title(&dom(&other_url)), OTHER_TITLE);

    // Admin: an anonymous browser gets the sign-in form and no action.
    let admin = dom(&g.url("admin"));
    assert!(
        admin.contains("The admin pages need the admin token."),
        "{admin}"
    );
    assert!(admin.contains("name=\"token\""));
    assert!(
        !admin.contains("name=\"csrf\""),
        "no admin form for an anonymous user"
    );
    assert!(!admin.contains("Poll due feeds now"));

    // Search, from the form's own URL.
    let search = dom(&g.url("search?q=Brest"));
    assert!(search.contains("3 articles with every word"), "{search}");
    assert!(links(&search).contains(&story_url));

    screenshot(&g.base, "home.png");
    screenshot(&g.url("search?q=Brest"), "search.png");
    screenshot(&edition_url, "edition.png");
    screenshot(&story_url, "story.png");
    screenshot(&g.url("admin"), "admin-anonymous.png");
}

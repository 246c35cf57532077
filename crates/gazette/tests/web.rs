//! The web role end to end: the real binary (`gazette run --role web`) on
//! 127.0.0.1 over a store holding hostile articles, driven over HTTP. The
//! Atom feed is parsed by Python's feedparser (an independent parser: `pip
//! install feedparser`); without it the test fails, saying so.

mod web_support;

use std::process::Command;

use gazette_core::Store;
use reqwest::StatusCode;
use serde_json::Value;
use web_support::*;

/// No markup from a feed survives as markup.
fn assert_no_injection(html: &str) {
    assert!(
        !html.contains("<script"),
        "a script tag got through:\n{html}"
    );
    assert!(!html.contains("<img"), "an img tag got through:\n{html}");
    assert!(
        !html.contains("<b onmouseover"),
        "an event attribute got through:\n{html}"
    );
    assert!(
        !html.to_lowercase().contains("href=\"javascript:"),
        "a javascript: link got through:\n{html}"
    );
    assert!(!html.contains("onerror=alert(2)>"), "{html}");
}

async fn get(client: &reqwest::Client, url: &str) -> (StatusCode, String, String) {
    let response = client.get(url).send().await.unwrap();
    let status = response.status();
    let kind = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, kind, response.text().await.unwrap())
}

#[tokio::test]
async fn pages_show_the_stories_with_every_hostile_text_escaped() {
    let g = Gazette::start().await;
    let c = client();
    let escaped = "Storm &lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt; hits &lt;b onmouseover=&quot;alert(1)&quot;&gt;Brest&lt;/b&gt;";

    let (status, kind, home) = get(&c, &g.url("")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/html"), "{kind}");
    assert!(home.contains("<meta name=\"viewport\""), "good on a phone");
    assert!(home.contains("The &lt;Briefing&gt;"), "{home}");
    assert!(home.contains(escaped), "{home}");
    assert!(home.contains(OTHER_TITLE));
    assert!(
        home.contains(&format!("href=\"{}\"", g.url(&g.edition_path))),
        "{home}"
    );
    assert!(home.contains(&format!(
        "href=\"{}\"",
        g.url(&format!("stories/{}", g.story.0))
    )));
    assert!(
        !home.contains("<script src") && !home.contains("<link rel=\"stylesheet\""),
        "no external assets"
    );
    assert_no_injection(&home);

    let (status, _, edition) = get(&c, &g.url(&g.edition_path)).await;
    assert_eq!(status, StatusCode::OK, "{edition}");
    assert!(edition.contains(escaped), "{edition}");
    assert!(
        edition.contains("Winds &lt;img src=x onerror=alert(5)&gt;"),
        "{edition}"
    );
    assert!(edition.contains("href=\"https://ouest.example/storm\""));
    assert!(edition.contains(&format!(
        "href=\"{}\"",
        g.url(&format!("stories/{}", g.other_story.0))
    )));
    assert_no_injection(&edition);

    let (status, _, story) = get(&c, &g.url(&format!("stories/{}", g.story.0))).await;
    assert_eq!(status, StatusCode::OK, "{story}");
    assert!(story.contains(escaped));
    assert!(
        story.contains("La tempête frappe Brest &lt;img src=x onerror=alert(2)&gt;"),
        "{story}"
    );
    assert!(
        story.contains("<h3>English (2)</h3>") && story.contains("<h3>Français (1)</h3>"),
        "{story}"
    );
    assert!(
        story.contains("<svg class=\"coverage\""),
        "the coverage chart"
    );
    assert!(story.contains("<title>3 articles over"), "{story}");
    assert!(story.contains("<ol class=\"timeline plain\">"));
    // The javascript: article is listed, without a link.
    assert!(!story.contains("javascript:"), "{story}");
    assert_no_injection(&story);

    let (status, _, sources) = get(&c, &g.url("sources")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        sources.contains("Evil &lt;script&gt;alert(3)&lt;/script&gt; News"),
        "{sources}"
    );
    assert!(
        sources.contains("HTTP 500: &lt;script&gt;alert(4)&lt;/script&gt;"),
        "{sources}"
    );
    assert!(sources.contains("2 in a row"));
    assert!(sources.contains("<svg class=\"sparkline\""));
    assert!(
        sources.contains("<title>1 articles in 14 days</title>"),
        "{sources}"
    );
    assert_no_injection(&sources);

    let (status, _, search) = get(&c, &g.url("search?q=Brest+%3Cscript%3E")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        search.contains("value=\"Brest &lt;script&gt;\""),
        "the query is escaped too: {search}"
    );
    assert!(search.contains("<ol class=\"results\">"));
    let (_, _, search) = get(&c, &g.url("search?q=brest")).await;
    assert!(search.contains("3 articles with every word"), "{search}");
    assert!(search.contains(escaped), "{search}");
    assert!(search.contains(&format!(
        "href=\"{}\"",
        g.url(&format!("stories/{}", g.story.0))
    )));
    assert_no_injection(&search);

    let (status, _, missing) = get(&c, &g.url("stories/999999")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(missing.contains("<h1>Not Found</h1>"));
    let (status, _, _) = get(&c, &g.url("editions/briefing/yesterday")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = get(&c, &g.url("editions/nochannel/2026-01-01T00:00:00Z")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_atom_feed_is_valid_atom_for_feedparser() {
    let g = Gazette::start().await;
    let (status, kind, atom) = get(&client(), &g.url("channels/briefing/atom.xml")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kind, "application/atom+xml; charset=utf-8");
    let file = g.dir.path().join("feed.xml");
    std::fs::write(&file, &atom).unwrap();
    let script = r#"
import json, sys
try:
    import feedparser
except ImportError:
    print(json.dumps({"missing": "feedparser"})); sys.exit(0)
d = feedparser.parse(sys.argv[1])
print(json.dumps({
    "bozo": d.bozo, "bozo_exception": str(d.get("bozo_exception", "")), "version": d.version,
    "title": d.feed.get("title"), "id": d.feed.get("id"), "updated": d.feed.get("updated"),
    "self": [l.href for l in d.feed.get("links", []) if l.rel == "self"],
    "entries": [{"id": e.id, "title": e.title, "link": e.link, "updated": e.get("updated"),
                 "content": e.content[0].value, "content_type": e.content[0].type}
                for e in d.entries]}))
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&file)
        .output()
        .expect("the Atom test needs python3 with feedparser (pip install feedparser)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        parsed.get("missing").is_none(),
        "the Atom test needs Python's feedparser: pip install feedparser (bash .ci/run installs it)"
    );
    assert_eq!(
        parsed["bozo"], false,
        "feedparser found the feed malformed: {parsed:#}\n{atom}"
    );
    assert_eq!(parsed["version"], "atom10");
    assert_eq!(parsed["title"], "The <Briefing>");
    assert_eq!(parsed["id"], "urn:gazette:channel:briefing");
    assert_eq!(parsed["self"][0], g.url("channels/briefing/atom.xml"));
    let entries = parsed["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{parsed:#}");
    let entry = &entries[0];
    assert!(
        entry["id"]
            .as_str()
            .unwrap()
            .starts_with("urn:gazette:edition:briefing:")
    );
    assert_eq!(entry["link"], g.url(&g.edition_path));
    assert_eq!(entry["content_type"], "text/html");
    let content = entry["content"].as_str().unwrap();
    assert!(content.contains("Storm &lt;script&gt;"), "{content}");
    // feedparser sanitises content itself; check our own XML too.
    assert!(!atom.contains("<script"), "{atom}");
    assert!(!atom.contains("<img"), "{atom}");
}

#[tokio::test]
async fn the_json_api_answers_with_documented_shapes_and_stable_error_codes() {
    let g = Gazette::start().await;
    let c = client();
    let json = |text: &str| -> Value { serde_json::from_str(text).unwrap() };

    let (status, kind, body) = get(&c, &g.url("api/v1/editions")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kind, "application/json");
    let editions = json(&body);
    assert_eq!(
        editions["editions"].as_array().unwrap().len(),
        1,
        "{editions:#}"
    );
    assert_eq!(editions["editions"][0]["story_count"], 2);
    let url = editions["editions"][0]["url"].as_str().unwrap().to_string();
    let (status, _, body) = get(&c, &url).await;
    assert_eq!(status, StatusCode::OK);
    let edition = json(&body);
    assert_eq!(
        edition["stories"][0]["title"], HOSTILE_TITLE,
        "JSON carries the text as written"
    );

    let (_, _, body) = get(&c, &g.url("api/v1/stories?since=2d&limit=10")).await;
    let stories = json(&body);
    assert_eq!(
        stories["stories"].as_array().unwrap().len(),
        2,
        "{stories:#}"
    );
    let (_, _, body) = get(&c, &g.url(&format!("api/v1/stories/{}", g.story.0))).await;
    let story = json(&body);
    assert_eq!(story["article_count"], 3);
    let articles = story["articles"].as_array().unwrap();
    let js = articles
        .iter()
        .find(|a| a["title"] == FRENCH_TITLE)
        .unwrap();
    assert_eq!(js["url"], Value::Null, "no javascript: URL is handed out");

    let (_, _, body) = get(&c, &g.url("api/v1/sources")).await;
    let sources = json(&body);
    assert_eq!(sources["sources"][0]["consecutive_failures"], 2);

    for (path, status, code) in [
        ("api/v1/stories/999999", 404, "not_found"),
        ("api/v1/stories/abc", 400, "bad_request"),
        ("api/v1/stories?since=soon", 400, "bad_request"),
        ("api/v1/editions?limit=0", 400, "bad_request"),
        ("api/v1/editions?channel=nope", 404, "not_found"),
        (
            "api/v1/editions/briefing/2001-01-01T00:00:00Z",
            404,
            "not_found",
        ),
        ("api/v1/nothing-here", 404, "not_found"),
    ] {
        let (got, kind, body) = get(&c, &g.url(path)).await;
        assert_eq!(got.as_u16(), status, "{path}: {body}");
        assert_eq!(kind, "application/json", "{path}");
        let error = json(&body);
        assert_eq!(error["error"]["code"], code, "{path}: {error}");
        assert!(error["error"]["message"].as_str().unwrap().len() > 3);
    }

    // The OpenAPI document lists every route, and every route answers JSON.
    let (status, _, body) = get(&c, &g.url("api/v1/openapi.json")).await;
    assert_eq!(status, StatusCode::OK);
    let openapi = json(&body);
    assert_eq!(openapi["openapi"], "3.1.0");
    let paths: Vec<String> = openapi["paths"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(paths.len(), 7, "{paths:?}");
    for path in paths {
        let concrete = path
            .replace("{channel}", "briefing")
            .replace("{slot}", &g.slot.to_string())
            .replace("{id}", &g.story.0.to_string());
        let (status, kind, _) = get(&c, &g.url(concrete.trim_start_matches('/'))).await;
        assert_eq!(status, StatusCode::OK, "{concrete}");
        assert_eq!(kind, "application/json", "{concrete}");
    }

    let (_, _, body) = get(&c, &g.url("api/v1/search?q=brest")).await;
    let found = json(&body);
    let titles: Vec<&str> = found["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        ["Brest counts the damage", FRENCH_TITLE, HOSTILE_TITLE],
        "newest first"
    );
    assert_eq!(found["articles"][0]["story_id"], g.story.0);
    assert_eq!(
        found["articles"][1]["url"],
        Value::Null,
        "no javascript: URL"
    );
    let (_, _, body) = get(&c, &g.url("api/v1/search?q=budget%20parliament")).await;
    assert_eq!(json(&body)["articles"][0]["title"], OTHER_TITLE);
    let (_, _, body) = get(&c, &g.url("api/v1/search?q=%22budget%20OR%20*")).await;
    assert_eq!(
        json(&body)["articles"].as_array().unwrap().len(),
        0,
        "operators are words"
    );

    let (status, _, body) = get(&c, &g.url("healthz")).await;
    assert_eq!(
        (status, json(&body)["status"].clone()),
        (StatusCode::OK, "ok".into())
    );
    let (status, kind, metrics) = get(&c, &g.url("metrics")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    for line in [
        "gazette_sources{status=\"active\"} 1",
        "gazette_sources_failing 1",
        "gazette_stories_24h 2",
        "gazette_story_articles_24h 4",
        "# TYPE gazette_http_requests_total counter",
        "gazette_http_requests_total{route=\"/api/v1/stories/{id}\",status=\"404\"} 1",
        "gazette_http_request_duration_seconds_count{route=\"/healthz\"} 1",
        "gazette_latest_edition_age_seconds{channel=\"briefing\"}",
    ] {
        assert!(metrics.contains(line), "missing {line:?} in\n{metrics}");
    }
}

#[tokio::test]
async fn admin_refuses_anonymous_users_and_forms_without_the_csrf_token() {
    let g = Gazette::start().await;
    let c = client();
    let sources = |c: reqwest::Client, url: String| async move {
        let body: Value = c.get(url).send().await.unwrap().json().await.unwrap();
        body["sources"].as_array().unwrap().len()
    };
    let api = g.url("api/v1/sources");
    assert_eq!(sources(c.clone(), api.clone()).await, 1);

    // Anonymous: refused, with the sign-in form; nothing changes.
    let (status, _, page) = get(&c, &g.url("admin")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("name=\"token\""), "{page}");
    let form = [("url", "https://new.example/feed.xml"), ("csrf", "guess")];
    let response = c
        .post(g.url("admin/feeds"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    for action in ["admin/ingest", "admin/preview", "admin/send"] {
        let response = c
            .post(g.url(action))
            .form(&[("channel", "briefing")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{action}");
    }
    assert_eq!(sources(c.clone(), api.clone()).await, 1);

    // A wrong token does not sign in.
    let response = c
        .post(g.url("admin/login"))
        .form(&[("token", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.headers().get("set-cookie").is_none());

    // The right one does; the cookie is not the token.
    let cookie = g.sign_in(&c).await;
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let session = cookie.split(';').next().unwrap().to_string();

    let page = c
        .get(g.url("admin"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();

    // Signed in but without the CSRF token (a cross-site form): refused.
    let response = c
        .post(g.url("admin/feeds"))
        .header("cookie", &session)
        .form(&[("url", "https://new.example/feed.xml")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(sources(c.clone(), api.clone()).await, 1);

    // With it: done.
    let response = c
        .post(g.url("admin/feeds"))
        .header("cookie", &session)
        .form(&[
            ("url", "https://new.example/feed.xml"),
            ("csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Added: https://new.example/feed.xml")
    );
    assert_eq!(sources(c.clone(), api.clone()).await, 2);

    // A preview renders the edition the channel would get now, escaped.
    let response = c
        .post(g.url("admin/preview"))
        .header("authorization", format!("Bearer {ADMIN_TOKEN}"))
        .form(&[("channel", "briefing"), ("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_no_injection(&response.text().await.unwrap());
}

#[tokio::test]
async fn the_unsubscribe_link_of_an_email_unsubscribes() {
    let g = Gazette::start().await;
    let c = client();
    let token = gazette_deliver::sinks::email::unsubscribe_token(
        SIGNING_KEY,
        "briefing",
        "reader@example.org",
    );
    let link = g.url(&format!(
        "unsubscribe?channel=briefing&address=reader%40example.org&token={token}"
    ));
    // Following the link (a link checker would) only shows a confirmation.
    let (status, _, page) = get(&c, &link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Unsubscribe reader@example.org"), "{page}");
    let store = gazette_store::SqliteStore::open(&g.dir.path().join("gazette.db")).unwrap();
    assert!(
        !store
            .email_unsubscribed("briefing", "reader@example.org")
            .await
            .unwrap()
    );

    // A forged link is refused.
    let forged = link.replace("reader%40example.org", "other%40example.org");
    let response = c.post(&forged).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // One click (RFC 8058), as a mail client sends it.
    let response = c
        .post(&link)
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        store
            .email_unsubscribed("briefing", "reader@example.org")
            .await
            .unwrap()
    );
    assert!(
        !store
            .email_unsubscribed("briefing", "other@example.org")
            .await
            .unwrap()
    );
}

/// A story merged into another: its page redirects to the other's, and the
/// API gives the story it became.
#[tokio::test]
async fn a_merged_story_leads_to_the_story_it_became() {
    let g = Gazette::start().await;
    let c = client();
    let store = gazette_store::SqliteStore::open(&g.dir.path().join("gazette.db")).unwrap();
    let other = store.story(g.other_story).await.unwrap().unwrap();
    let member = other.members[0].article_id;
    // A story of its own for one of the other story's articles, merged back.
    let split = store
        .create_story(member, jiff::Timestamp::now())
        .await
        .unwrap();
    store.merge_stories(g.other_story, split).await.unwrap();

    let response = c
        .get(g.url(&format!("stories/{}", split.0)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(
        response.headers()["location"].to_str().unwrap(),
        g.url(&format!("stories/{}", g.other_story.0))
    );
    let (status, _, page) = get(&c, &g.url(&format!("stories/{}", g.other_story.0))).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(OTHER_TITLE), "{page}");

    let (status, _, body) = get(&c, &g.url(&format!("api/v1/stories/{}", split.0))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let json: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["id"], g.other_story.0, "{json}");
}

//! The admin token and the signing key never appear in the web role's log
//! (everything logged: `GAZETTE_LOG=trace`) nor in its answers, whatever is
//! tried against them: wrong tokens (one a near miss), a token in a query
//! string or a bearer header, forms with a forged CSRF token, forged
//! unsubscribe links; and a real sign-in.

mod web_support;

use reqwest::StatusCode;
use web_support::{ADMIN_TOKEN, Gazette, SIGNING_KEY, client};

#[tokio::test]
async fn admin_token_and_signing_key_appear_in_no_log_line_and_no_answer() {
    let g = Gazette::start_with_log(true).await;
    let c = client();
    let near_miss = &ADMIN_TOKEN[..ADMIN_TOKEN.len() - 1];
    let mut answers = Vec::new();

    for given in ["wrong", near_miss, &format!("{ADMIN_TOKEN} ")] {
        let response = c
            .post(g.url("admin/login"))
            .form(&[("token", given)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{given:?}");
        answers.push(response.text().await.unwrap());
    }
    // Tokens where they do not belong: a query string, a wrong bearer.
    let response = c
        .get(g.url(&format!("admin?token={ADMIN_TOKEN}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    answers.push(response.text().await.unwrap());
    let response = c
        .get(g.url("admin"))
        .header("authorization", format!("Bearer {near_miss}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    answers.push(response.text().await.unwrap());
    // The right bearer token, then a form with a forged CSRF token.
    let bearer = format!("Bearer {ADMIN_TOKEN}");
    let response = c
        .get(g.url("admin"))
        .header("authorization", &bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    answers.push(response.text().await.unwrap());
    let response = c
        .post(g.url("admin/feeds"))
        .header("authorization", &bearer)
        .form(&[
            ("url", "https://new.example/feed.xml"),
            ("csrf", SIGNING_KEY),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    answers.push(response.text().await.unwrap());
    // A real sign-in.
    g.sign_in(&c).await;
    // A forged unsubscribe link (the signing key guards those).
    let response = c
        .post(g.url(&format!(
            "unsubscribe?channel=briefing&address=a%40example.org&token={SIGNING_KEY}"
        )))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error(), "{}", response.status());
    answers.push(response.text().await.unwrap());

    // Each line is written before its answer is sent.
    let log = g.log();
    assert!(
        log.contains("web server listening")
            && log.matches("admin sign-in refused").count() == 3
            && log.contains("admin signed in"),
        "the process logged the sign-ins:\n{log}"
    );
    for secret in [ADMIN_TOKEN, near_miss, SIGNING_KEY] {
        assert!(!log.contains(secret), "{secret:?} in the log:\n{log}");
        for answer in &answers {
            assert!(
                !answer.contains(secret),
                "{secret:?} in an answer:\n{answer}"
            );
        }
    }
}

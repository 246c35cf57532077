//! Per-source boilerplate learning on real pages: two ScienceAlert pages (see
//! `tests/golden/README.md`) into which the promo paragraph of a real Sputnik
//! article (`tests/fixtures/boilerplate/sputnik-fr.txt`) is inserted as a site
//! footer would be; the model learnt from them removes it from a third page.

use gazette_extract::boilerplate::{BoilerplateConfig, BoilerplateModel};

fn promo() -> String {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/boilerplate/sputnik-fr.txt"
    ))
    .unwrap();
    text.trim().rsplit("\n\n").next().unwrap().to_string()
}

fn page_with_footer(folder: &str, after: &str) -> String {
    let path = format!(
        "{}/tests/golden/{folder}/source.html",
        env!("CARGO_MANIFEST_DIR")
    );
    let html = std::fs::read_to_string(path).unwrap();
    let at = html.find(after).expect("anchor in the page") + after.len();
    format!("{}<p>{}</p>{}", &html[..at], promo(), &html[at..])
}

fn extract(html: &str) -> String {
    let url = "https://www.sciencealert.com/x".parse().unwrap();
    gazette_extract::extract(html.as_bytes(), &url, None)
        .unwrap()
        .text
}

#[test]
fn a_footer_repeated_across_a_sites_pages_is_learnt_and_removed() {
    let europa = extract(&page_with_footer(
        "en-sciencealert-europa",
        "while it's there.</p>",
    ));
    let titan = extract(&page_with_footer(
        "en-sciencealert-titan",
        "really exciting.\"</p>",
    ));
    let promo = promo();
    assert!(europa.contains(&promo) && titan.contains(&promo));

    let mut model = BoilerplateModel::new(BoilerplateConfig {
        min_pages: 2,
        ..Default::default()
    });
    model.learn(&europa);
    model.learn(&titan);
    let model = BoilerplateModel::from_json(&model.to_json()).unwrap();

    for (text, anchor) in [
        (europa, "while it's there."),
        (titan, "It will be really exciting.\""),
    ] {
        let mut stripped = text.clone();
        assert_eq!(model.strip(&mut stripped), 1);
        // Exactly the promo went: every other paragraph is still there, in order.
        let expected: Vec<&str> = text.split("\n\n").filter(|p| *p != promo).collect();
        assert_eq!(stripped.split("\n\n").collect::<Vec<_>>(), expected);
        assert!(stripped.contains(anchor), "{stripped}");
    }
    // A new page of the source with the same footer.
    let mut fresh = format!("A brand new article about Mars.\n\n{promo}");
    assert_eq!(model.strip(&mut fresh), 1);
    assert_eq!(fresh, "A brand new article about Mars.");
}

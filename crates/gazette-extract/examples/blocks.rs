//! Prints a page's blocks as the extractor sees them (debugging aid):
//! `cargo run -p gazette-extract --example blocks -- page.html`.
fn main() {
    let path = std::env::args().nth(1).expect("usage: blocks PAGE.html");
    let bytes = std::fs::read(&path).expect("readable page");
    let decoded = gazette_extract::charset::decode_html(&bytes, None, None);
    let page = gazette_extract::blocks::parse(&decoded.text);
    let keep = gazette_extract::content::select(&page);
    for (i, b) in page.blocks.iter().enumerate() {
        let e = &page.elements[b.element as usize];
        let text: String = b.text.chars().take(90).collect();
        println!(
            "{} {:>4} el={:<5} d={:<3} bd={} h={} k={:x} {:?} c={} ld={:.2} {}",
            if keep.contains(&i) { "+" } else { " " },
            i,
            b.element,
            e.depth,
            e.boiler_depth,
            u8::from(e.content_hint),
            e.class_key,
            b.kind,
            b.chars,
            b.link_density(),
            text
        );
    }
}

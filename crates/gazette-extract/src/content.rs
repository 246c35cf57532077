//! Main content: which of a page's [`Block`]s are the article.
//!
//! 1. Every block gets a weight: its letters when it reads like prose (little link
//!    text, not under a boilerplate element), more for paragraphs, nothing for
//!    link lists and boilerplate.
//! 2. Weights are summed up the element tree; the container is found by walking
//!    down from the root into the child holding most of the weight, as long as that
//!    child holds most of its parent's weight (a wrapper), and stopping at a block
//!    of text. An element named as the article body (`itemprop="articleBody"`,
//!    `article-body` classes) with a fair share of the weight is taken directly.
//! 3. Inside the container, blocks are kept unless they sit under a boilerplate
//!    element that is not an ancestor of the container, are mostly links, or are
//!    short fragments at the edges (bylines, dates, "share" rows).

use crate::blocks::{Block, Kind, Page};

/// How much of its parent's weight a child must hold to be walked into.
const DESCEND_SHARE: f32 = 0.70;
/// How much of the container's weight another part named as the article body
/// must hold to join it.
const HINTED_PART_SHARE: f32 = 0.15;
/// Blocks of at least this many letters are kept once when two parts of the body repeat them.
const REPEAT_MIN_CHARS: u32 = 50;
/// How much of the container's weight a sibling must hold to join it.
const SIBLING_SHARE: f32 = 1.0;

fn weight(block: &Block, boiler: bool) -> f32 {
    let ld = block.link_density();
    if ld > 0.5 {
        return 0.0;
    }
    let chars = block.chars as f32 * (1.0 - ld);
    let factor = match block.kind {
        Kind::Paragraph => 1.5,
        Kind::Heading(_) => 0.5,
        Kind::ListItem | Kind::Cell => 0.6,
        Kind::Caption => 0.2,
        _ => 1.0,
    };
    // Short blocks are rarely prose.
    let shortness = if block.chars < 25 {
        0.2
    } else if block.chars < 60 {
        0.6
    } else {
        1.0
    };
    // Under boilerplate: counted a little, in case a wrapper's class misleads.
    let boiler = if boiler { 0.1 } else { 1.0 };
    chars * factor * shortness * boiler
}

/// The indices of the blocks that make up the article, in page order.
pub fn select(page: &Page) -> Vec<usize> {
    let elements = &page.elements;
    let n = elements.len();
    if page.blocks.is_empty() || n == 0 {
        return Vec::new();
    }
    // Weights summed up the tree in one backward sweep: a child's index is always
    // larger than its parent's (elements are numbered as they open).
    let mut sum = vec![0f32; n];
    for block in &page.blocks {
        let el = &elements[block.element as usize];
        sum[block.element as usize] += weight(block, el.boiler_depth > 0);
    }
    for i in (1..n).rev() {
        let p = elements[i].parent as usize;
        sum[p] += sum[i];
    }
    // Largest child of every element.
    let mut best_child = vec![u32::MAX; n];
    for i in 1..n {
        let p = elements[i].parent as usize;
        if best_child[p] == u32::MAX || sum[i] > sum[best_child[p] as usize] {
            best_child[p] = i as u32;
        }
    }
    let total = sum[0];
    if total <= 0.0 {
        return Vec::new();
    }
    // An element named as the article body, holding a fair share of the text.
    let hinted = (1..n)
        .filter(|&i| elements[i].content_hint && sum[i] >= 0.35 * total)
        .max_by(|&a, &b| {
            sum[a]
                .partial_cmp(&sum[b])
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(b.cmp(&a))
        });
    let container = match hinted {
        Some(i) => i,
        None => {
            let mut c = 0usize;
            loop {
                let child = best_child[c];
                if child == u32::MAX {
                    break;
                }
                let child = child as usize;
                if sum[child] < DESCEND_SHARE * sum[c] {
                    break;
                }
                if matches!(
                    elements[child].tag,
                    Kind::Paragraph | Kind::Heading(_) | Kind::ListItem | Kind::Caption
                ) {
                    break;
                }
                c = child;
            }
            c
        }
    };
    let base_boiler = elements[container].boiler_depth;
    // The container's descendants are the elements numbered after it up to the
    // first one that is not deeper.
    let range_of = |c: usize| -> (usize, usize) {
        if c == 0 {
            return (0, n);
        }
        let depth = elements[c].depth;
        (
            c,
            (c + 1..n)
                .find(|&i| elements[i].depth <= depth)
                .unwrap_or(n),
        )
    };
    let mut ranges = vec![range_of(container)];
    // An article body cut in parts (by ads, a newsletter box) whose parts all
    // carry the article-body name, with the same tag and classes at the same
    // depth: the other parts join. (Not for a bare `role="main"`: a page may
    // have one per story it lists.)
    if hinted.is_some() {
        let (start, end) = ranges[0];
        for i in 1..n {
            if elements[i].content_hint
                && elements[i].class_key != 0
                && elements[i].class_key == elements[container].class_key
                && elements[i].depth == elements[container].depth
                && !(start..end).contains(&i)
                && elements[i].boiler_depth <= base_boiler
                && sum[i] >= HINTED_PART_SHARE * sum[container]
            {
                let (a, b) = range_of(i);
                if !(a..b).contains(&container) && !ranges.iter().any(|&(x, y)| (x..y).contains(&i))
                {
                    ranges.push((a, b));
                }
            }
        }
    }
    // Siblings holding a fair share of prose too (an article split by an ad or a
    // promo box) join the container.
    if container != 0 {
        let parent = elements[container].parent;
        for i in 1..n {
            if i != container
                && elements[i].parent == parent
                && elements[i].boiler_depth <= base_boiler
                && sum[i] >= SIBLING_SHARE * sum[container]
                && !matches!(elements[i].tag, Kind::Heading(_) | Kind::Caption)
            {
                ranges.push(range_of(i));
            }
        }
    }
    let mut keep = Vec::new();
    // Long blocks kept, and from which part: a part that repeats another's
    // text (a second copy of the body for another layout) adds it once.
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, block) in page.blocks.iter().enumerate() {
        let e = block.element as usize;
        let Some(part) = ranges.iter().position(|&(a, b)| e >= a && e < b) else {
            continue;
        };
        let el = &elements[block.element as usize];
        if el.boiler_depth > base_boiler {
            continue;
        }
        let ld = block.link_density();
        // A quotation's attribution ("— Name (@handle) date") links its date.
        let attribution = block.text.starts_with('—') && ld <= 0.5;
        if ld > 0.5
            || (ld > 0.25 && block.chars < 80 && !attribution)
            || (ld > 0.6 && block.kind == Kind::ListItem)
        {
            continue;
        }
        if matches!(block.kind, Kind::Heading(1) | Kind::Caption) {
            continue;
        }
        // A photo credit, often fused with a related headline: "© REUTERS/ Name Title".
        if block.text.starts_with('©') && block.text.split_whitespace().count() <= 40 {
            continue;
        }
        if block.chars >= REPEAT_MIN_CHARS
            && *seen.entry(block.text.as_str()).or_insert(part) != part
        {
            continue;
        }
        keep.push(i);
    }
    // Short fragments at the edges (dates, bylines, "Share", credits) are not prose.
    while let Some(&first) = keep.first() {
        let b = &page.blocks[first];
        if b.chars < 15 && !matches!(b.kind, Kind::Heading(_)) || matches!(b.kind, Kind::Caption) {
            keep.remove(0);
        } else {
            break;
        }
    }
    while let Some(&last) = keep.last() {
        let b = &page.blocks[last];
        if b.chars < 15 || matches!(b.kind, Kind::Heading(_) | Kind::Caption) {
            keep.pop();
        } else {
            break;
        }
    }
    keep
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blocks::parse;

    /// The selected blocks' text, one string per block.
    fn selected(html: &str) -> Vec<String> {
        let page = parse(html);
        select(&page)
            .into_iter()
            .map(|i| page.blocks[i].text.clone())
            .collect()
    }

    fn paragraph(topic: &str, n: usize) -> String {
        format!(
            "<p>{topic} paragraph {n}: a sentence long enough to read as prose, with more words \
             about the {topic} so that the classifier weighs it as text of an article.</p>"
        )
    }

    #[test]
    fn a_related_heading_makes_the_list_after_it_boilerplate() {
        let related: String = (0..6).map(|n| paragraph("other story", n)).collect();
        let html = format!(
            "<body><article><h1>Title</h1>{}<h3>Você pode gostar...</h3><div>{related}</div>\
             </article></body>",
            paragraph("main", 1)
        );
        let text = selected(&html);
        assert_eq!(text.len(), 1, "{text:?}");
        assert!(text[0].starts_with("main paragraph 1"));
        // The same list under an ordinary heading is the article (the heavier part).
        let html = html.replace("Você pode gostar...", "Second part");
        assert!(selected(&html).len() > 1);
    }

    #[test]
    fn parts_of_a_body_cut_by_an_ad_join_and_a_repeated_part_counts_once() {
        let part = |from: usize, to: usize| -> String {
            let paragraphs: String = (from..to).map(|n| paragraph("banking", n)).collect();
            format!(
                "<div class=\"grid\"><div class=\"body article__body\">{paragraphs}</div></div>"
            )
        };
        let ad = "<div class=\"ad\"><span>Advertisement</span></div>";
        let html = format!("<body>{}{ad}{}</body>", part(0, 3), part(3, 8));
        let text = selected(&html);
        assert_eq!(text.len(), 8, "{text:?}");
        assert!(text[0].starts_with("banking paragraph 0"));
        // A second copy of a part (for another layout) adds nothing.
        let html = format!(
            "<body>{}{ad}{}{}</body>",
            part(0, 3),
            part(3, 8),
            part(3, 8)
        );
        assert_eq!(selected(&html).len(), 8);
        // Parts with other classes stay out (a list of other stories).
        let other = part(10, 12).replace("article__body", "article__body teaser-list");
        let html = format!("<body>{}{ad}{other}</body>", part(0, 8));
        assert_eq!(selected(&html).len(), 8);
    }

    #[test]
    fn an_embedded_post_and_its_attribution_are_kept() {
        let html = format!(
            "<body><article>{}<div class=\"social-media-embed\"><blockquote class=\"twitter-tweet\">\
             <p>Yes this is real and the state spent half a million dollars on it</p>\
             — Dianna E. Anderson (@diannaeanderson) <a href=\"https://twitter.com/x\">November 18, 2019</a>\
             </blockquote></div>{}</article></body>",
            paragraph("campaign", 1),
            paragraph("campaign", 2)
        );
        let text = selected(&html);
        assert!(
            text.iter().any(|t| t.starts_with("Yes this is real")),
            "{text:?}"
        );
        assert!(text.iter().any(|t| t.starts_with("— Dianna")), "{text:?}");
    }
}

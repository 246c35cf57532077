//! Telegram messages: fitting stories into the Bot API's 4,096-character limit.
//!
//! An edition becomes a header and one piece per story, each rendered by its
//! own template; pieces are packed into messages in order and a message is
//! only ever split between pieces. A story too long for a message on its own
//! is shortened *before* rendering (fewer details, then shorter texts, then no
//! link), so a cut can never fall inside a tag or an entity.

use super::view::StoryView;

/// The Bot API's limit for one message.
pub(crate) const MESSAGE_LIMIT: usize = 4096;

/// What separates pieces within a message.
const SEPARATOR: &str = "\n\n";

/// The length Telegram would see at most: UTF-16 code units of the whole
/// markup. Telegram counts the text after entity parsing, which is never longer.
pub(crate) fn message_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Packs pieces (each at most `limit` long) into as few messages as keep their
/// order, splitting only between pieces. Empty pieces are dropped.
pub(crate) fn pack(pieces: impl IntoIterator<Item = String>, limit: usize) -> Vec<String> {
    let mut messages = Vec::new();
    let mut current = String::new();
    for piece in pieces.into_iter().filter(|p| !p.is_empty()) {
        if !current.is_empty() {
            if message_len(&current) + message_len(SEPARATOR) + message_len(&piece) > limit {
                messages.push(std::mem::take(&mut current));
            } else {
                current.push_str(SEPARATOR);
            }
        }
        current.push_str(&piece);
    }
    if !current.is_empty() {
        messages.push(current);
    }
    messages
}

/// Renders `story` within `limit`, shortening it step by step only as far as needed:
/// 1. as is;
/// 2. without its quote and ranking reasons, with its first summary sentence and first source;
/// 3. with title and sentence cut to the longest length that fits;
/// 4. the same without the link (for a URL longer than a message).
///
/// Returns `None` when even the shortest form is too long (the template's own
/// text is), and the renderer's error if rendering fails.
pub(crate) fn fit_story<E>(
    story: &StoryView,
    limit: usize,
    render: impl Fn(&StoryView) -> Result<String, E>,
) -> Result<Option<String>, E> {
    let full = render(story)?;
    if message_len(&full) <= limit {
        return Ok(Some(full));
    }
    let mut brief = story.clone();
    brief.key_quote = None;
    brief.reasons.clear();
    brief.summary.truncate(1);
    brief.sources.truncate(1);
    let rendered = render(&brief)?;
    if message_len(&rendered) <= limit {
        return Ok(Some(rendered));
    }
    if let Some(cut) = longest_fit(&brief, limit, &render)? {
        return Ok(Some(cut));
    }
    brief.sources.clear();
    longest_fit(&brief, limit, &render)
}

/// The rendering of `story` truncated to the largest length that fits, found
/// by binary search (rendered length grows with the truncation length).
fn longest_fit<E>(
    story: &StoryView,
    limit: usize,
    render: &impl Fn(&StoryView) -> Result<String, E>,
) -> Result<Option<String>, E> {
    let (mut low, mut high) = (0, story.longest_text());
    let mut best = None;
    while low <= high {
        let mid = low + (high - low) / 2;
        let rendered = render(&story.truncated(mid))?;
        if message_len(&rendered) <= limit {
            best = Some(rendered);
            low = mid + 1;
        } else if mid == 0 {
            break;
        } else {
            high = mid - 1;
        }
    }
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_splits_only_between_pieces_and_keeps_order() {
        let pieces = ["aaaaaa", "bbb", "ccccccccc", "d"].map(String::from);
        let messages = pack(pieces, 11);
        assert_eq!(messages, ["aaaaaa\n\nbbb", "ccccccccc", "d"]);
    }

    #[test]
    fn pack_counts_utf16_units() {
        // "😀" is two UTF-16 units: two of them and a separator make 6 > 5.
        let messages = pack(["😀".to_string(), "😀".to_string()], 5);
        assert_eq!(messages.len(), 2);
        assert_eq!(pack(["😀".to_string(), "😀".to_string()], 6).len(), 1);
    }

    #[test]
    fn pack_drops_empty_pieces() {
        assert_eq!(pack([String::new(), "x".into(), String::new()], 10), ["x"]);
    }
}

//! Telegram's flood limits as the simulator enforces them: sliding windows
//! over the messages it accepted, measured when a request arrives.
//!
//! - at most `global_per_second` messages in any 1-second window, all chats together;
//! - at most `per_chat_per_second` messages to one chat in any 1-second window;
//! - at most `per_group_per_minute` messages to one group, supergroup or
//!   channel in any 60-second window.
//!
//! A message over a limit is refused with 429 and `retry_after`: the whole
//! seconds until the window has room again (at least 1).
//!
//! ```
//! use gazette_telegram_sim::SimLimits;
//! let fast = SimLimits::telegram().scaled(10);
//! assert_eq!(fast.global_per_second, 300);
//! ```

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use serde::Serialize;

/// The limits the simulator enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SimLimits {
    pub global_per_second: u32,
    pub per_chat_per_second: u32,
    pub per_group_per_minute: u32,
}

impl SimLimits {
    /// Telegram's documented limits: 30 messages/s overall, 1/s per chat, 20/min per group.
    pub fn telegram() -> SimLimits {
        SimLimits {
            global_per_second: 30,
            per_chat_per_second: 1,
            per_group_per_minute: 20,
        }
    }

    /// Every limit multiplied by `factor` (windows unchanged).
    pub fn scaled(self, factor: u32) -> SimLimits {
        SimLimits {
            global_per_second: self.global_per_second * factor,
            per_chat_per_second: self.per_chat_per_second * factor,
            per_group_per_minute: self.per_group_per_minute * factor,
        }
    }

    /// No limits at all.
    pub fn unlimited() -> SimLimits {
        SimLimits {
            global_per_second: u32::MAX,
            per_chat_per_second: u32::MAX,
            per_group_per_minute: u32::MAX,
        }
    }
}

/// Which limit refused a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LimitScope {
    Global,
    Chat,
    Group,
}

const SECOND: Duration = Duration::from_secs(1);
const MINUTE: Duration = Duration::from_secs(60);

/// The windows of accepted messages.
#[derive(Debug, Default)]
pub(crate) struct Windows {
    global: VecDeque<Instant>,
    chats: HashMap<i64, VecDeque<Instant>>,
    groups: HashMap<i64, VecDeque<Instant>>,
}

impl Windows {
    /// Accepts a message to `chat` at `now`, or says which limit refuses it
    /// and after how many seconds to retry.
    pub(crate) fn admit(
        &mut self,
        limits: &SimLimits,
        chat: i64,
        is_group: bool,
        now: Instant,
    ) -> Result<(), (LimitScope, u64)> {
        let chat_window = self.chats.entry(chat).or_default();
        if let Some(wait) = full(chat_window, limits.per_chat_per_second, SECOND, now) {
            return Err((LimitScope::Chat, wait));
        }
        if is_group {
            let group_window = self.groups.entry(chat).or_default();
            if let Some(wait) = full(group_window, limits.per_group_per_minute, MINUTE, now) {
                return Err((LimitScope::Group, wait));
            }
        }
        if let Some(wait) = full(&mut self.global, limits.global_per_second, SECOND, now) {
            return Err((LimitScope::Global, wait));
        }
        self.global.push_back(now);
        self.chats.entry(chat).or_default().push_back(now);
        if is_group {
            self.groups.entry(chat).or_default().push_back(now);
        }
        Ok(())
    }
}

/// Drops what left the window; when `limit` messages remain in it, the whole
/// seconds (at least 1) until the oldest leaves.
fn full(window: &mut VecDeque<Instant>, limit: u32, span: Duration, now: Instant) -> Option<u64> {
    while window
        .front()
        .is_some_and(|t| now.duration_since(*t) >= span)
    {
        window.pop_front();
    }
    if window.len() < limit as usize {
        return None;
    }
    let oldest = *window.front().expect("a full window is not empty");
    let left = span.saturating_sub(now.duration_since(oldest));
    Some(left.as_secs_f64().ceil().max(1.0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_limit_refuses_the_message_over_it() {
        let limits = SimLimits {
            global_per_second: 3,
            per_chat_per_second: 1,
            per_group_per_minute: 2,
        };
        let mut w = Windows::default();
        let t = Instant::now();
        assert_eq!(w.admit(&limits, 1, false, t), Ok(()));
        assert_eq!(
            w.admit(&limits, 1, false, t + Duration::from_millis(999)),
            Err((LimitScope::Chat, 1))
        );
        assert_eq!(w.admit(&limits, 1, false, t + SECOND), Ok(()));
        assert_eq!(w.admit(&limits, 2, false, t + SECOND), Ok(()));
        assert_eq!(w.admit(&limits, 3, false, t + SECOND), Ok(()));
        assert_eq!(
            w.admit(&limits, 4, false, t + SECOND),
            Err((LimitScope::Global, 1))
        );
        let later = t + Duration::from_secs(10);
        assert_eq!(w.admit(&limits, -5, true, later), Ok(()));
        assert_eq!(w.admit(&limits, -5, true, later + SECOND), Ok(()));
        assert_eq!(
            w.admit(&limits, -5, true, later + 2 * SECOND),
            Err((LimitScope::Group, 58))
        );
    }
}

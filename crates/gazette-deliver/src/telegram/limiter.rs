//! Telegram's flood limits, kept by the sender: at most `global_per_second`
//! messages a second overall, `per_chat_per_second` to one chat, and
//! `per_group_per_minute` to one group or channel (30, 1 and 20 by default).
//!
//! [`Limiter::acquire`] waits until a message to a chat may go. It *reserves*
//! send times rather than holding a lock while waiting: a message first waits
//! for its own chat's turn (previous message to the chat + the per-chat
//! interval, the group window, a pause after a 429) without taking anything
//! from other chats, and only then takes the next global slot, which is at
//! most `1/global_per_second` after the previous one. So a slow chat never
//! holds up the others, and concurrent senders share the global rate fairly
//! in the order they became ready.
//!
//! Every interval is stretched by `margin` (2 % by default) so that network
//! jitter between gazette and Telegram cannot make Telegram count one message
//! too many in a window. And since a task may wake later than its reserved
//! time (a busy machine), the actual send times are checked too before a
//! message goes: never more than `global_per_second` in any second stretched
//! by half the margin (the other half absorbs the timer's own jitter). A 429 pauses its chat for `retry_after`; a second 429
//! from another chat within a second means Telegram limits the bot as a whole,
//! and everything pauses ([`Limiter::throttled`]).
//!
//! The clock is Tokio's, so tests run on a paused clock.
//!
//! ```
//! # async fn example() {
//! use gazette_core::config::{ChatTarget, TelegramLimits};
//! use gazette_deliver::telegram::Limiter;
//! let limiter = Limiter::new(TelegramLimits::default());
//! limiter.acquire(&ChatTarget::Id(42)).await; // at once
//! limiter.acquire(&ChatTarget::Id(42)).await; // about a second later
//! # }
//! ```

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use gazette_core::config::{ChatTarget, TelegramLimits};
use tokio::time::Instant;

/// How often idle chats are forgotten.
const PRUNE_EVERY: Duration = Duration::from_secs(30);
/// Two 429s from different chats this close together mean a global limit.
const GLOBAL_429_WINDOW: Duration = Duration::from_secs(1);

/// The flood limits of one bot, shared by everything that sends as it.
#[derive(Debug)]
pub struct Limiter {
    global_limit: usize,
    /// The window actual send times are checked against: one second stretched
    /// by half the margin, so that the usual timer jitter of a task woken on
    /// time never fails the check (reservations are spaced by the whole margin).
    global_window: Duration,
    global_interval: Duration,
    chat_interval: Duration,
    group_window: Duration,
    group_limit: usize,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// The earliest time the next message (any chat) may go.
    global_next: Instant,
    global_paused_until: Instant,
    /// Actual send times within the last global window.
    sent: VecDeque<Instant>,
    chats: HashMap<ChatTarget, ChatSlot>,
    last_prune: Instant,
    /// The chat of the last 429, and when.
    last_429: Option<(ChatTarget, Instant)>,
}

#[derive(Debug)]
struct ChatSlot {
    next: Instant,
    paused_until: Instant,
    /// Reserved send times within the group window (groups only).
    group_sends: VecDeque<Instant>,
}

impl Limiter {
    /// A limiter for these limits (see the [module docs](self)).
    pub fn new(limits: TelegramLimits) -> Limiter {
        let stretch = 1.0 + limits.margin;
        let second = Duration::from_secs(1).mul_f64(stretch);
        let now = Instant::now();
        Limiter {
            global_limit: limits.global_per_second as usize,
            global_window: Duration::from_secs(1).mul_f64(1.0 + limits.margin / 2.0),
            global_interval: second / limits.global_per_second,
            chat_interval: second / limits.per_chat_per_second,
            group_window: Duration::from_secs(60).mul_f64(stretch),
            group_limit: limits.per_group_per_minute as usize,
            state: Mutex::new(State {
                global_next: now,
                global_paused_until: now,
                sent: VecDeque::new(),
                chats: HashMap::new(),
                last_prune: now,
                last_429: None,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until a message to `chat` may go, and counts it as sent then.
    /// Cancelling the wait gives up the reservation only once it was made
    /// (the slot then goes unused).
    pub async fn acquire(&self, chat: &ChatTarget) {
        loop {
            let (at, reserved) = self.reserve(chat, Instant::now());
            tokio::time::sleep_until(at).await;
            if reserved && self.confirm(chat) {
                return;
            }
        }
    }

    /// Records a send now, unless the actual send times of the last window
    /// are already at the global limit (the task woke late after others): then
    /// the reservation is given up and made again.
    fn confirm(&self, chat: &ChatTarget) -> bool {
        let now = Instant::now();
        let mut state = self.lock();
        while state
            .sent
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= self.global_window)
        {
            state.sent.pop_front();
        }
        if state.sent.len() >= self.global_limit {
            return false;
        }
        state.sent.push_back(now);
        if let Some(slot) = state.chats.get_mut(chat) {
            // Late senders push their chat's next turn back accordingly.
            slot.next = slot.next.max(now + self.chat_interval);
        }
        true
    }

    /// Either the reserved send time (`true`), or when to try again (`false`).
    fn reserve(&self, chat: &ChatTarget, now: Instant) -> (Instant, bool) {
        let mut state = self.lock();
        if now.duration_since(state.last_prune) > PRUNE_EVERY {
            let horizon = self.group_window.max(self.chat_interval);
            state.chats.retain(|_, slot| {
                let last = slot
                    .group_sends
                    .back()
                    .copied()
                    .unwrap_or(slot.next)
                    .max(slot.next)
                    .max(slot.paused_until);
                now.saturating_duration_since(last) < horizon
            });
            state.last_prune = now;
        }
        let global_paused_until = state.global_paused_until;
        let slot = state.chats.entry(chat.clone()).or_insert(ChatSlot {
            next: now,
            paused_until: now,
            group_sends: VecDeque::new(),
        });
        while slot
            .group_sends
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= self.group_window)
        {
            slot.group_sends.pop_front();
        }
        let group_ready = if chat.is_group() && slot.group_sends.len() >= self.group_limit {
            slot.group_sends[slot.group_sends.len() - self.group_limit] + self.group_window
        } else {
            now
        };
        let ready = slot
            .next
            .max(slot.paused_until)
            .max(global_paused_until)
            .max(group_ready);
        if ready > now {
            return (ready, false);
        }
        let at = now.max(state.global_next);
        state.global_next = at + self.global_interval;
        let slot = state.chats.get_mut(chat).expect("inserted above");
        slot.next = at + self.chat_interval;
        if chat.is_group() {
            slot.group_sends.push_back(at);
        }
        (at, true)
    }

    /// Telegram answered 429 for `chat` with `retry_after`: the chat pauses
    /// that long; when another chat got a 429 within the last second, the
    /// limit is the bot's and every chat pauses.
    pub fn throttled(&self, chat: &ChatTarget, retry_after: Duration) {
        let now = Instant::now();
        let until = now + retry_after;
        let mut state = self.lock();
        let global = state.last_429.as_ref().is_some_and(|(other, at)| {
            other != chat && now.duration_since(*at) < GLOBAL_429_WINDOW
        });
        if global {
            state.global_paused_until = state.global_paused_until.max(until);
            tracing::warn!(retry_after = ?retry_after, "Telegram limits the bot as a whole: all chats paused");
        }
        let slot = state.chats.entry(chat.clone()).or_insert(ChatSlot {
            next: now,
            paused_until: now,
            group_sends: VecDeque::new(),
        });
        slot.paused_until = slot.paused_until.max(until);
        state.last_429 = Some((chat.clone(), now));
    }

    /// Whether every chat is paused now (after a global 429).
    pub fn paused_globally(&self) -> bool {
        self.lock().global_paused_until > Instant::now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(global: u32, chat: u32, group: u32) -> TelegramLimits {
        TelegramLimits {
            global_per_second: global,
            per_chat_per_second: chat,
            per_group_per_minute: group,
            margin: 0.0,
        }
    }

    /// When each acquisition returned, in ms since `start`, in completion order.
    async fn times(
        limiter: std::sync::Arc<Limiter>,
        chats: Vec<ChatTarget>,
    ) -> Vec<(ChatTarget, u128)> {
        let start = Instant::now();
        let done = std::sync::Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for chat in chats {
            let (limiter, done) = (limiter.clone(), done.clone());
            tasks.push(tokio::spawn(async move {
                limiter.acquire(&chat).await;
                done.lock()
                    .unwrap()
                    .push((chat, start.elapsed().as_millis()));
            }));
            tokio::task::yield_now().await;
        }
        for t in tasks {
            t.await.unwrap();
        }
        let mut out = done.lock().unwrap().clone();
        out.sort_by_key(|(_, t)| *t);
        out
    }

    #[tokio::test(start_paused = true)]
    async fn global_rate_spaces_messages_to_different_chats() {
        let limiter = std::sync::Arc::new(Limiter::new(limits(10, 1, 20)));
        let chats = (1..=5).map(ChatTarget::Id).collect();
        let at: Vec<u128> = times(limiter, chats).await.iter().map(|x| x.1).collect();
        assert_eq!(at, [0, 100, 200, 300, 400]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_busy_chat_waits_without_holding_up_the_others() {
        let limiter = std::sync::Arc::new(Limiter::new(limits(10, 1, 20)));
        let chats = vec![
            ChatTarget::Id(1),
            ChatTarget::Id(1),
            ChatTarget::Id(2),
            ChatTarget::Id(3),
        ];
        let got = times(limiter, chats).await;
        let expected = [
            (ChatTarget::Id(1), 0),
            (ChatTarget::Id(2), 100),
            (ChatTarget::Id(3), 200),
            (ChatTarget::Id(1), 1000),
        ];
        assert_eq!(got, expected);
    }

    #[tokio::test(start_paused = true)]
    async fn groups_get_at_most_their_per_minute_limit() {
        let limiter = std::sync::Arc::new(Limiter::new(limits(100, 10, 3)));
        let group = ChatTarget::Id(-100);
        let got = times(limiter, vec![group.clone(); 4]).await;
        let at: Vec<u128> = got.iter().map(|x| x.1).collect();
        assert_eq!(at, [0, 100, 200, 60_000]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_pauses_its_chat_then_two_pause_everything() {
        let limiter = Limiter::new(limits(100, 100, 100));
        let start = Instant::now();
        limiter.throttled(&ChatTarget::Id(1), Duration::from_secs(5));
        assert!(!limiter.paused_globally());
        limiter.acquire(&ChatTarget::Id(2)).await;
        assert_eq!(
            start.elapsed(),
            Duration::ZERO,
            "another chat is not paused"
        );
        limiter.acquire(&ChatTarget::Id(1)).await;
        assert_eq!(start.elapsed(), Duration::from_secs(5));

        limiter.throttled(&ChatTarget::Id(3), Duration::from_secs(2));
        limiter.throttled(&ChatTarget::Id(4), Duration::from_secs(7));
        assert!(limiter.paused_globally());
        limiter.acquire(&ChatTarget::Id(5)).await;
        assert_eq!(start.elapsed(), Duration::from_secs(12));
    }

    #[tokio::test(start_paused = true)]
    async fn the_margin_stretches_every_interval() {
        let limiter = Limiter::new(TelegramLimits {
            margin: 0.02,
            ..limits(10, 1, 20)
        });
        let start = Instant::now();
        limiter.acquire(&ChatTarget::Id(1)).await;
        limiter.acquire(&ChatTarget::Id(2)).await;
        assert_eq!(start.elapsed(), Duration::from_millis(102));
        limiter.acquire(&ChatTarget::Id(1)).await;
        assert_eq!(start.elapsed(), Duration::from_millis(1020));
    }
}

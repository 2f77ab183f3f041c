//! Wakes the event streams of a chat when something is written to it. A wake may carry the line
//! just written: a stream whose last line is the one before takes it from there, without asking
//! the database; any other stream (it missed a wake, two lines came at once, the platform spoke)
//! reads what follows its last line from the database. Either way a line is delivered once, in
//! order, whatever node wrote it.
//!
//! On PostgreSQL the writer's transaction notifies (`db::chat::notify`, delivered at commit) and
//! each node's listener thread wakes its own streams; on SQLite, one process, the writer wakes
//! them after its commit.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::watch;

use super::views::LineView;

/// What a stream is told: a counter that moves at each wake, and the line written, if the wake
/// was for one.
#[derive(Debug, Clone, Default)]
pub struct Wake {
    pub count: u64,
    pub line: Option<LineView>,
}

/// A notification's payload: the topic, then (after a line break) the line as JSON, if any.
pub fn payload(topic: &str, line: Option<&LineView>) -> String {
    match line.and_then(|l| serde_json::to_string(l).ok()) {
        // PostgreSQL refuses a payload of 8,000 bytes or more: a long line is read from the
        // database instead.
        Some(json) if topic.len() + json.len() < 7_900 => format!("{topic}\n{json}"),
        _ => topic.to_owned(),
    }
}

/// Topics: a chat's lines (`chat:<id>`), an operator's console (`operator:<user id>`), the
/// queue as supervisors and waiting victims see it (`queue`).
#[derive(Default)]
pub struct Hub {
    topics: Mutex<HashMap<String, watch::Sender<Wake>>>,
}

impl Hub {
    /// A receiver that sees every wake of `topic` after now (a wake while the stream reads the
    /// database is not lost: the counter has moved).
    pub fn subscribe(&self, topic: &str) -> watch::Receiver<Wake> {
        let mut topics = self.topics.lock().unwrap_or_else(|e| e.into_inner());
        if topics.len() > 1024 && topics.len().is_power_of_two() {
            topics.retain(|_, s| s.receiver_count() > 0);
        }
        topics
            .entry(topic.to_owned())
            .or_insert_with(|| watch::channel(Wake::default()).0)
            .subscribe()
    }

    /// Wakes the streams of `topic`, if any.
    pub fn wake(&self, topic: &str) {
        self.wake_with(topic, None);
    }

    /// Wakes the streams of `topic` with the line just written (`None`: something else moved).
    pub fn wake_with(&self, topic: &str, line: Option<LineView>) {
        let mut topics = self.topics.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(sender) = topics.get(topic) {
            if sender.receiver_count() == 0 {
                topics.remove(topic);
            } else {
                sender.send_modify(|w| {
                    w.count = w.count.wrapping_add(1);
                    w.line = line;
                });
            }
        }
    }

    /// Wakes the streams a notification's payload names (see [`payload`]); a line that does
    /// not parse is simply read from the database.
    pub fn notified(&self, payload: &str) {
        match payload.split_once('\n') {
            Some((topic, json)) => self.wake_with(topic, serde_json::from_str(json).ok()),
            None => self.wake(payload),
        }
    }

    /// Wakes every stream (the listener reconnected: notifications may have been missed).
    pub fn wake_all(&self) {
        let topics = self.topics.lock().unwrap_or_else(|e| e.into_inner());
        for sender in topics.values() {
            sender.send_modify(|w| {
                w.count = w.count.wrapping_add(1);
                w.line = None;
            });
        }
    }

    /// Open streams (for the health page and the benchmark).
    pub fn streams(&self) -> usize {
        let topics = self.topics.lock().unwrap_or_else(|e| e.into_inner());
        topics.values().map(|s| s.receiver_count()).sum()
    }
}

/// How often the listener asks PostgreSQL for notifications: the bound on a line's extra
/// delay between nodes.
#[cfg(feature = "postgres")]
const POLL: std::time::Duration = std::time::Duration::from_millis(5);

/// Listens to the chat's channel on its own PostgreSQL connection for as long as `hub` lives
/// (the node's state), reconnecting after a failure, and wakes this node's streams. The thread
/// holds the hub weakly: once the state is dropped it closes its connection and ends, instead of
/// reconnecting for the rest of the process's life to a database that may be gone.
#[cfg(feature = "postgres")]
pub fn listen(
    url: String,
    hub: &std::sync::Arc<Hub>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    use diesel::{Connection, RunQueryDsl, pg::PgConnection};
    let hub = std::sync::Arc::downgrade(hub);
    std::thread::Builder::new()
        .name("chat-listener".into())
        .spawn(move || {
            while hub.strong_count() > 0 {
                let connected = PgConnection::establish(&url).and_then(|mut conn| {
                    diesel::sql_query(format!("LISTEN {}", crate::db::chat::CHANNEL))
                        .execute(&mut conn)
                        .map(|_| conn)
                        .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))
                });
                let mut conn = match connected {
                    Ok(conn) => conn,
                    Err(e) => {
                        tracing::warn!(error = %e, "chat listener: cannot connect, retrying");
                        std::thread::sleep(std::time::Duration::from_secs(1));
                        continue;
                    }
                };
                // Whatever was written while not listening is read now.
                match hub.upgrade() {
                    Some(hub) => hub.wake_all(),
                    None => return,
                }
                'listening: loop {
                    for notification in conn.notifications_iter() {
                        let Some(hub) = hub.upgrade() else { return };
                        match notification {
                            Ok(n) => hub.notified(&n.payload),
                            Err(e) => {
                                tracing::warn!(error = %e, "chat listener: connection lost");
                                break 'listening;
                            }
                        }
                    }
                    if hub.strong_count() == 0 {
                        return;
                    }
                    std::thread::sleep(POLL);
                }
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wake_during_a_read_is_not_lost() {
        let hub = Hub::default();
        let mut rx = hub.subscribe("chat:1");
        hub.wake("chat:1");
        hub.wake("chat:2");
        assert!(rx.has_changed().unwrap());
        rx.borrow_and_update();
        assert!(!rx.has_changed().unwrap());
        assert_eq!(hub.streams(), 1);
        drop(rx);
        hub.wake("chat:1");
        assert_eq!(hub.streams(), 0);
    }

    fn line(seq: i32, body: &str) -> LineView {
        LineView {
            seq,
            author: "operator".into(),
            body: body.into(),
            at: chrono::NaiveDate::from_ymd_opt(2026, 12, 5)
                .and_then(|d| d.and_hms_opt(14, 35, 0))
                .unwrap(),
            time: "15:35".into(),
        }
    }

    #[test]
    fn a_notified_line_reaches_the_stream_and_a_long_one_is_left_to_the_database() {
        let hub = Hub::default();
        let mut rx = hub.subscribe("chat:1");
        let said = line(4, "Bonjour,\nje suis gendarme \"cyber\".");
        hub.notified(&payload("chat:1", Some(&said)));
        assert!(rx.has_changed().unwrap());
        let wake = rx.borrow_and_update().clone();
        assert_eq!(
            wake.line.map(|l| (l.seq, l.body)),
            Some((4, said.body.clone()))
        );

        // 2,000 characters of four bytes: over PostgreSQL's limit, so the topic alone.
        let long = line(5, &"𝄞".repeat(2_000));
        assert_eq!(payload("chat:1", Some(&long)), "chat:1");
        hub.notified(&payload("chat:1", Some(&long)));
        assert!(rx.has_changed().unwrap());
        assert!(rx.borrow_and_update().line.is_none());

        // A topic-only wake clears the line a stream might otherwise take for the next one.
        hub.notified("chat:1");
        assert!(rx.borrow_and_update().line.is_none());
    }
}

//! Wakes the event streams of a chat when something is written to it. A stream never takes its
//! lines from the hub: it is told that its topic moved and reads what follows its last line from
//! the database, so a line is delivered once, in order, whatever node wrote it.
//!
//! On PostgreSQL the writer's transaction notifies (`db::chat::notify`, delivered at commit) and
//! each node's listener thread wakes its own streams; on SQLite, one process, the writer wakes
//! them after its commit.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::watch;

/// Topics: a chat's lines (`chat:<id>`), an operator's console (`operator:<user id>`), the
/// queue as supervisors and waiting victims see it (`queue`).
#[derive(Default)]
pub struct Hub {
    topics: Mutex<HashMap<String, watch::Sender<u64>>>,
}

impl Hub {
    /// A receiver that sees every wake of `topic` after now (a wake while the stream reads the
    /// database is not lost: the counter has moved).
    pub fn subscribe(&self, topic: &str) -> watch::Receiver<u64> {
        let mut topics = self.topics.lock().unwrap_or_else(|e| e.into_inner());
        if topics.len() > 1024 && topics.len().is_power_of_two() {
            topics.retain(|_, s| s.receiver_count() > 0);
        }
        topics
            .entry(topic.to_owned())
            .or_insert_with(|| watch::channel(0).0)
            .subscribe()
    }

    /// Wakes the streams of `topic`, if any.
    pub fn wake(&self, topic: &str) {
        let mut topics = self.topics.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(sender) = topics.get(topic) {
            if sender.receiver_count() == 0 {
                topics.remove(topic);
            } else {
                sender.send_modify(|n| *n = n.wrapping_add(1));
            }
        }
    }

    /// Wakes every stream (the listener reconnected: notifications may have been missed).
    pub fn wake_all(&self) {
        let topics = self.topics.lock().unwrap_or_else(|e| e.into_inner());
        for sender in topics.values() {
            sender.send_modify(|n| *n = n.wrapping_add(1));
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
const POLL: Duration = Duration::from_millis(5);

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
                        std::thread::sleep(Duration::from_secs(1));
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
                            Ok(n) => hub.wake(&n.payload),
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
}

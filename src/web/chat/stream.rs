//! A chat's lines as Server-Sent Events. The stream is woken by the hub: it takes the line the
//! wake carries when that line follows its last one, and otherwise reads what follows its last
//! line from the database, so each line arrives once and in order, from whatever node wrote it;
//! `id:` is the line's number, so a browser reconnecting (to this node or another) sends
//! `Last-Event-ID` and gets exactly what it missed.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use bytes::Bytes;
use tokio::sync::watch;

use crate::chat::LineView;
use crate::chat::hub::Wake;
use crate::error::AppError;

/// A comment on an idle stream (so proxies keep it open) and a fresh look at the database,
/// in case a wake was missed (a listener reconnecting).
const KEEPALIVE: Duration = Duration::from_secs(15);

/// Reads the lines after a number.
pub type ReadLines = Arc<dyn Fn(i32) -> Result<Vec<LineView>, AppError> + Send + Sync>;
/// Reads the chat's status for the page (`event: status`), if the stream carries it.
pub type ReadStatus = Arc<dyn Fn() -> Result<serde_json::Value, AppError> + Send + Sync>;

/// Where the client resumes: the `Last-Event-ID` header, or `?apres=` for a first connection
/// from a page that already shows lines up to that number.
pub fn resume_from(req: &HttpRequest, shown: Option<i32>) -> i32 {
    req.headers()
        .get("Last-Event-ID")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .or(shown)
        .unwrap_or(0)
        .max(0)
}

fn event(name: &str, id: Option<i32>, data: &str) -> Bytes {
    let mut out = String::with_capacity(data.len() + 32);
    if let Some(id) = id {
        out.push_str(&format!("id: {id}\n"));
    }
    out.push_str(&format!("event: {name}\n"));
    for line in data.lines() {
        out.push_str("data: ");
        out.push_str(line);
        out.push('\n');
    }
    out.push('\n');
    Bytes::from(out)
}

fn line_event(line: &LineView) -> Bytes {
    event(
        "line",
        Some(line.seq),
        &serde_json::to_string(line).unwrap_or_default(),
    )
}

struct Feed {
    rx: watch::Receiver<Wake>,
    last: i32,
    read: ReadLines,
    status: Option<ReadStatus>,
    last_status: Option<serde_json::Value>,
    pending: VecDeque<Bytes>,
    dirty: bool,
    /// The status is read again only when it may have changed: at the start, after a line of
    /// the platform (someone joined, left, the chat ended) and at each keepalive (the queue
    /// moved); a line between two people changes nothing of it.
    status_due: bool,
    done: bool,
}

/// The event stream of a chat: its lines after `after`, then each new one as it is written.
pub fn lines(
    rx: watch::Receiver<Wake>,
    after: i32,
    read: ReadLines,
    status: Option<ReadStatus>,
) -> HttpResponse {
    let feed = Feed {
        rx,
        last: after,
        read,
        status,
        last_status: None,
        // The reconnection delay the browser uses, then the catch-up.
        pending: VecDeque::from([Bytes::from_static(b"retry: 2000\n\n")]),
        dirty: true,
        status_due: true,
        done: false,
    };
    let stream = futures_util::stream::unfold(feed, |mut feed| async move {
        loop {
            if let Some(bytes) = feed.pending.pop_front() {
                return Some((Ok::<_, actix_web::Error>(bytes), feed));
            }
            if feed.done {
                return None;
            }
            if feed.dirty {
                feed.dirty = false;
                let (read, after) = (feed.read.clone(), feed.last);
                let status = feed.status.clone().filter(|_| feed.status_due);
                let got = web::block(move || {
                    let lines = read(after)?;
                    let platform_spoke = lines.iter().any(|l| l.author == "system");
                    let status = match status {
                        Some(s) => Some(s()?),
                        None => None,
                    };
                    Ok::<_, AppError>((lines, status, platform_spoke))
                })
                .await;
                match got {
                    Ok(Ok((lines, status, platform_spoke))) => {
                        // Read now if it was due; read again next time if the platform spoke.
                        let stale = feed.status.is_some() && platform_spoke && status.is_none();
                        feed.status_due = stale;
                        feed.dirty |= stale;
                        for line in lines {
                            feed.last = line.seq;
                            feed.pending.push_back(line_event(&line));
                        }
                        if let Some(status) = status
                            && feed.last_status.as_ref() != Some(&status)
                        {
                            feed.pending
                                .push_back(event("status", None, &status.to_string()));
                            feed.last_status = Some(status);
                        }
                    }
                    // The chat is gone or the database unreachable: the browser retries.
                    _ => feed.done = true,
                }
                continue;
            }
            match tokio::time::timeout(KEEPALIVE, feed.rx.changed()).await {
                Ok(Ok(())) => {
                    let line = feed.rx.borrow_and_update().line.clone();
                    match line {
                        // The next line between two people: no need to ask the database.
                        Some(line)
                            if line.seq == feed.last + 1
                                && line.author != "system"
                                && !feed.status_due =>
                        {
                            feed.last = line.seq;
                            feed.pending.push_back(line_event(&line));
                        }
                        _ => feed.dirty = true,
                    }
                }
                Ok(Err(_)) => feed.done = true,
                Err(_) => {
                    feed.pending.push_back(Bytes::from_static(b": ping\n\n"));
                    feed.dirty = true;
                    feed.status_due = true;
                }
            }
        }
    });
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/event-stream"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(stream)
}

/// The console's stream: `event: changed` whenever the operator's chats or the queue move
/// (the page reloads its lists), and `beat` — the operator's sign of life — at each keepalive.
pub fn console(
    mine: watch::Receiver<Wake>,
    queue: watch::Receiver<Wake>,
    beat: Arc<dyn Fn() -> Result<(), AppError> + Send + Sync>,
) -> HttpResponse {
    let start = (mine, queue, beat, true);
    let stream =
        futures_util::stream::unfold(start, |(mut mine, mut queue, beat, first)| async move {
            if first {
                return Some((
                    Ok::<_, actix_web::Error>(Bytes::from_static(b"retry: 2000\n\n")),
                    (mine, queue, beat, false),
                ));
            }
            let woken = tokio::time::timeout(KEEPALIVE, async {
                tokio::select! {
                    r = mine.changed() => r,
                    r = queue.changed() => r,
                }
            })
            .await;
            match woken {
                Ok(Ok(())) => {
                    mine.borrow_and_update();
                    queue.borrow_and_update();
                    Some((Ok(event("changed", None, "{}")), (mine, queue, beat, false)))
                }
                Ok(Err(_)) => None,
                Err(_) => {
                    let b = beat.clone();
                    if !matches!(web::block(move || b()).await, Ok(Ok(()))) {
                        return None;
                    }
                    Some((
                        Ok(Bytes::from_static(b": ping\n\n")),
                        (mine, queue, beat, false),
                    ))
                }
            }
        });
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/event-stream"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(stream)
}

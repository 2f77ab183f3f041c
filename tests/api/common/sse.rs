//! An event stream (Server-Sent Events) read as a browser's `EventSource` reads it: events
//! with their name, id and data; comments skipped.

use std::time::Duration;

use serde_json::Value;

/// One event of the stream.
#[derive(Debug, Clone)]
pub struct Event {
    pub name: String,
    pub id: Option<i32>,
    pub data: String,
}

impl Event {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data).unwrap_or(Value::Null)
    }
}

pub struct Events {
    response: reqwest::Response,
    buffer: String,
}

impl Events {
    /// Opens `url` with the client's cookies, resuming after `last_event_id` if given.
    pub async fn open(client: &reqwest::Client, url: &str, last_event_id: Option<i32>) -> Self {
        let mut request = client.get(url).header("Accept", "text/event-stream");
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id.to_string());
        }
        let response = request.send().await.expect("the stream opens");
        assert_eq!(response.status().as_u16(), 200, "stream {url}");
        assert_eq!(
            response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("text/event-stream")
        );
        Self {
            response,
            buffer: String::new(),
        }
    }

    /// The next event, or `None` when the stream ends or nothing comes within `wait`.
    pub async fn next(&mut self, wait: Duration) -> Option<Event> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = Event {
                    name: "message".into(),
                    id: None,
                    data: String::new(),
                };
                let mut fields = false;
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event: ") {
                        event.name = v.to_owned();
                        fields = true;
                    } else if let Some(v) = line.strip_prefix("id: ") {
                        event.id = v.trim().parse().ok();
                        fields = true;
                    } else if let Some(v) = line.strip_prefix("data: ") {
                        if !event.data.is_empty() {
                            event.data.push('\n');
                        }
                        event.data.push_str(v);
                        fields = true;
                    }
                }
                if fields && !event.data.is_empty() {
                    return Some(event);
                }
                continue;
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk()).await;
            match chunk {
                Ok(Ok(Some(bytes))) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                _ => return None,
            }
        }
    }

    /// The next `line` event (skipping status events): its number and its JSON.
    pub async fn next_line(&mut self, wait: Duration) -> Option<(i32, Value)> {
        loop {
            let event = self.next(wait).await?;
            if event.name == "line" {
                return Some((event.id.expect("a line has an id"), event.json()));
            }
        }
    }

    /// The next `status` event's JSON.
    pub async fn next_status(&mut self, wait: Duration) -> Option<Value> {
        loop {
            let event = self.next(wait).await?;
            if event.name == "status" {
                return Some(event.json());
            }
        }
    }
}

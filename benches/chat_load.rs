//! The chat under load, across two nodes on one PostgreSQL (run by `benches/chat_load.sh`,
//! which starts the nodes and creates the operators): OPERATORS operators signed in, half on
//! each node, their consoles' streams open; VICTIMS victims each starting a chat from an urgent
//! diagnostic and opening its event stream on either node; then, for DURATION seconds, each
//! operator writes to its chats in turn so that every victim receives a message every
//! INTERVAL seconds, and each victim writes every 2×INTERVAL. Measured: the time to route a new
//! chat (the start's answer, routing included), the delivery latency of each operator's line
//! to its victim's stream (p50, p99, same node and across nodes), lines lost or repeated, and
//! the memory per idle stream (the nodes' resident size before and after the streams opened).

// A load client: a failure to reach the nodes ends the run with its cause.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::Mutex;

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

fn micros_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(4)
        .build()
        .expect("client")
}

/// The value of `name="csrf_token" value="…"` in a page.
fn csrf(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    html.find(marker)
        .map(|i| {
            html[i + marker.len()..]
                .chars()
                .take_while(|c| *c != '"')
                .collect()
        })
        .unwrap_or_default()
}

fn rss_kib(pid: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// One victim: a chat started from an urgent diagnostic; returns (token, ms to route).
async fn start_chat(base: &str, ip: &str) -> Result<(String, f64), String> {
    let c = client();
    let fail = |what: &str| format!("{what} ({base}, {ip})");
    let page = |r: reqwest::Response| async move { r.text().await.unwrap_or_default() };
    let get = |path: String| {
        c.get(format!("{base}{path}"))
            .header("X-Forwarded-For", ip)
            .send()
    };
    let mut here = "/diagnostic".to_owned();
    let mut html = page(get(here.clone()).await.map_err(|e| e.to_string())?).await;
    for choice in ["entreprise", "rancon", "oui"] {
        let marker = "<form method=\"post\" action=\"";
        let start = html.find(marker).ok_or_else(|| fail("no question form"))? + marker.len();
        let mut action = html[start..]
            .split('"')
            .next()
            .unwrap_or_default()
            .to_owned();
        if !action.starts_with('/') {
            // Relative to the page's folder, as a browser reads it.
            action = format!("{}{action}", &here[..=here.rfind('/').unwrap_or(0)]);
        }
        let answered = c
            .post(format!("{base}{action}"))
            .header("X-Forwarded-For", ip)
            .form(&[("choix", choice)])
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let next = answered
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| fail(&format!("answer {choice}: {}", answered.status())))?
            .to_owned();
        here = next.trim_start_matches(base).to_owned();
        html = page(get(here.clone()).await.map_err(|e| e.to_string())?).await;
    }
    let marker = "id=\"talk-link\" href=\"";
    let i = html.find(marker).ok_or_else(|| fail("no chat offered"))? + marker.len();
    let link: String = html[i..].chars().take_while(|c| *c != '"').collect();
    let form = page(get(link.clone()).await.map_err(|e| e.to_string())?).await;
    let started = Instant::now();
    let sent = c
        .post(format!("{base}{link}"))
        .header("X-Forwarded-For", ip)
        .form(&[
            ("csrf_token", csrf(&form).as_str()),
            ("message", "Tout se chiffre."),
            ("email", ""),
        ])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let routed_ms = started.elapsed().as_secs_f64() * 1000.0;
    let status = sent.status();
    let location = sent
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| fail(&format!("start: {status}")))?;
    Ok((
        location.rsplit('/').next().unwrap_or_default().to_owned(),
        routed_ms,
    ))
}

#[derive(Default)]
struct Tally {
    latencies_same: Vec<f64>,
    latencies_cross: Vec<f64>,
    received: HashMap<String, u64>,
    repeated: u64,
    out_of_order: u64,
}

#[tokio::main]
async fn main() {
    let nodes = [
        env("NODE_A", "http://127.0.0.1:8081"),
        env("NODE_B", "http://127.0.0.1:8082"),
    ];
    let pids = [env("PID_A", "0"), env("PID_B", "0")];
    let operators: usize = env("OPERATORS", "100").parse().unwrap_or(100);
    let victims: usize = env("VICTIMS", "1000").parse().unwrap_or(1000);
    let duration = Duration::from_secs(env("DURATION", "30").parse().unwrap_or(30));
    let interval = Duration::from_secs_f64(env("INTERVAL", "3").parse().unwrap_or(3.0));
    let password = env("PASSWORD", "");

    // Operators: signed in, available, half on each node.
    let mut ops = Vec::new();
    for i in 0..operators {
        let base = nodes[i % 2].clone();
        let c = client();
        let logged = c
            .post(format!("{base}/api/v1/session"))
            .json(
                &serde_json::json!({"email": format!("op{i}@bench.example"), "password": password}),
            )
            .send()
            .await
            .expect("log-in");
        assert!(
            logged.status().is_success(),
            "log-in op{i}: {}",
            logged.status()
        );
        let console = c
            .get(format!("{base}/operateur"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let token = csrf(&console);
        let set = c
            .post(format!("{base}/operateur/presence"))
            .form(&[("csrf_token", token.as_str()), ("presence", "disponible")])
            .send()
            .await
            .unwrap();
        assert_eq!(set.status().as_u16(), 303);
        ops.push((c, base, token, i % 2));
    }
    // The capacities, so that every victim is answered.
    let capacity = victims.div_ceil(operators.max(1)).max(3);
    let status = std::process::Command::new("psql")
        .arg(env("DATABASE_URL", ""))
        .args([
            "-qc",
            &format!("UPDATE operators SET capacity = {capacity}"),
        ])
        .status()
        .expect("psql");
    assert!(status.success());
    // Consoles' streams stay open during the run.
    for (c, base, _, _) in &ops {
        let c = c.clone();
        let url = format!("{base}/operateur/flux");
        tokio::spawn(async move {
            if let Ok(mut r) = c.get(url).send().await {
                while let Ok(Some(_)) = r.chunk().await {}
            }
        });
    }
    let rss_before: u64 = pids.iter().map(|p| rss_kib(p)).sum();

    // Victims start their chats, 50 at a time.
    let mut tokens = Vec::new();
    let mut routed = Vec::new();
    let mut next = 0;
    while next < victims {
        let batch: Vec<_> = (next..(next + 50).min(victims))
            .map(|i| {
                let base = nodes[i % 2].clone();
                let ip = format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255);
                tokio::spawn(async move { (i, start_chat(&base, &ip).await) })
            })
            .collect();
        for b in batch {
            match b.await {
                Ok((i, Ok((token, ms)))) => {
                    tokens.push((i, token));
                    routed.push(ms);
                }
                Ok((_, Err(e))) => eprintln!("a victim could not start: {e}"),
                Err(e) => eprintln!("a victim's task failed: {e}"),
            }
        }
        next += 50;
    }
    assert_eq!(tokens.len(), victims, "every victim started a chat");

    // Each victim's stream, on the node of its index (half of them across from their
    // operator's node, as routing spreads them).
    let tally = Arc::new(Mutex::new(Tally::default()));
    let rss_streams_before: u64 = pids.iter().map(|p| rss_kib(p)).sum();
    for (i, token) in &tokens {
        let base = nodes[(i / 2) % 2].clone();
        let url = format!("{base}/echange/{token}/flux");
        let node = (i / 2) % 2;
        let (tally, token) = (tally.clone(), token.clone());
        tokio::spawn(async move {
            let c = client();
            let Ok(mut r) = c.get(url).send().await else {
                return;
            };
            let mut buffer = String::new();
            let mut last = 0i64;
            while let Ok(Some(bytes)) = r.chunk().await {
                let now = micros_now();
                buffer.push_str(&String::from_utf8_lossy(&bytes));
                while let Some(end) = buffer.find("\n\n") {
                    let block: String = buffer.drain(..end + 2).collect();
                    if !block.contains("event: line") {
                        continue;
                    }
                    let id: i64 = block
                        .lines()
                        .find_map(|l| l.strip_prefix("id: ").and_then(|v| v.parse().ok()))
                        .unwrap_or(0);
                    let mut t = tally.lock().await;
                    if id <= last {
                        t.repeated += 1;
                        continue;
                    }
                    if id != last + 1 && last != 0 {
                        t.out_of_order += 1;
                    }
                    last = id;
                    // Operator lines carry "m:<from node>:<micros>".
                    if let Some(rest) = block.split("\"body\":\"m:").nth(1) {
                        let mut parts = rest.split(':');
                        let from: usize = parts.next().and_then(|v| v.parse().ok()).unwrap_or(9);
                        let sent: u64 = parts
                            .next()
                            .and_then(|v| v.split('"').next())
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(now);
                        let ms = now.saturating_sub(sent) as f64 / 1000.0;
                        if from == node {
                            t.latencies_same.push(ms);
                        } else {
                            t.latencies_cross.push(ms);
                        }
                        *t.received.entry(token.clone()).or_default() += 1;
                    }
                }
            }
        });
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    let rss_streams_after: u64 = pids.iter().map(|p| rss_kib(p)).sum();

    // Each operator's chats, from its console.
    let mut work = Vec::new();
    for (c, base, token, node) in ops {
        let console = c
            .get(format!("{base}/operateur"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let chats: Vec<String> = console
            .split("href=\"/operateur/echanges/")
            .skip(1)
            .filter_map(|s| s.split('"').next().map(str::to_owned))
            .collect();
        work.push((c, base, token, node, chats));
    }
    let sent = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + duration;
    let mut handles = Vec::new();
    for (c, base, token, node, chats) in work {
        let sent = sent.clone();
        if chats.is_empty() {
            continue;
        }
        let pause = interval.div_f64(chats.len() as f64);
        handles.push(tokio::spawn(async move {
            let mut k = 0usize;
            while Instant::now() < deadline {
                let chat = &chats[k % chats.len()];
                let body = format!("m:{node}:{}", micros_now());
                let r = c
                    .post(format!("{base}/operateur/echanges/{chat}/messages"))
                    .header("Accept", "application/json")
                    .form(&[("csrf_token", token.as_str()), ("message", body.as_str())])
                    .send()
                    .await;
                if r.is_ok_and(|r| r.status().as_u16() == 201) {
                    sent.fetch_add(1, Ordering::Relaxed);
                }
                k += 1;
                tokio::time::sleep(pause).await;
            }
        }));
    }
    // Victims write too, every 2×INTERVAL.
    for (i, token) in tokens.iter().cloned() {
        let base = nodes[(i / 2) % 2].clone();
        let ip = format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255);
        let pause = interval.mul_f64(2.0);
        handles.push(tokio::spawn(async move {
            let c = client();
            let page = c
                .get(format!("{base}/echange/{token}"))
                .header("X-Forwarded-For", &ip)
                .send()
                .await;
            let Ok(page) = page else { return };
            let cookie_csrf = csrf(&page.text().await.unwrap_or_default());
            tokio::time::sleep(Duration::from_millis((i as u64 * 7) % 2000)).await;
            while Instant::now() < deadline {
                let _ = c
                    .post(format!("{base}/echange/{token}/messages"))
                    .header("Accept", "application/json")
                    .header("X-Forwarded-For", &ip)
                    .form(&[
                        ("csrf_token", cookie_csrf.as_str()),
                        ("message", "Toujours là."),
                    ])
                    .send()
                    .await;
                tokio::time::sleep(pause).await;
            }
        }));
    }
    for h in handles {
        let _ = h.await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;

    let t = tally.lock().await;
    let received: u64 = t.received.values().sum();
    let sent = sent.load(Ordering::Relaxed);
    let mut same = t.latencies_same.clone();
    let mut cross = t.latencies_cross.clone();
    let mut all: Vec<f64> = same.iter().chain(cross.iter()).copied().collect();
    for v in [&mut same, &mut cross, &mut all, &mut routed] {
        v.sort_by(f64::total_cmp);
    }
    let idle_streams = tokens.len() as f64;
    println!("| measure | value |");
    println!("| --- | --- |");
    println!(
        "| operators / victims' streams | {operators} / {} |",
        tokens.len()
    );
    println!("| operator lines sent (201) / received on victims' streams | {sent} / {received} |");
    println!("| lines lost | {} |", sent.saturating_sub(received));
    println!(
        "| lines repeated / out of order | {} / {} |",
        t.repeated, t.out_of_order
    );
    println!(
        "| delivery p50 / p99, all (ms) | {:.1} / {:.1} |",
        percentile(&all, 50.0),
        percentile(&all, 99.0)
    );
    println!(
        "| delivery p50 / p99, same node (ms) | {:.1} / {:.1} |",
        percentile(&same, 50.0),
        percentile(&same, 99.0)
    );
    println!(
        "| delivery p50 / p99, across nodes (ms) | {:.1} / {:.1} |",
        percentile(&cross, 50.0),
        percentile(&cross, 99.0)
    );
    println!(
        "| new chat routed (start's answer) p50 / p99 (ms) | {:.1} / {:.1} |",
        percentile(&routed, 50.0),
        percentile(&routed, 99.0)
    );
    println!(
        "| memory per idle stream (KiB, both nodes) | {:.1} |",
        rss_streams_after.saturating_sub(rss_streams_before) as f64 / idle_streams
    );
    println!(
        "| nodes' resident size before chats / after streams (MiB) | {:.0} / {:.0} |",
        rss_before as f64 / 1024.0,
        rss_streams_after as f64 / 1024.0
    );
}

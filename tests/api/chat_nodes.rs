//! Two `cyberdir serve` processes on one PostgreSQL: the victim on one node, the operator on
//! the other, lines crossing between them through PostgreSQL's `LISTEN/NOTIFY`. The victim's
//! node is killed (`kill -9`) mid-chat; the victim reconnects to the other node with
//! `Last-Event-ID` and every line arrives once, in order.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::pages::Browser;
use crate::common::partners::answer;
use crate::common::sse::Events;
use crate::common::{Backend, TestApp, TestDb};
use cyberdir::auth::Role;

const WAIT: Duration = Duration::from_secs(10);

/// A node: `cyberdir serve` on the database, killed when dropped.
struct Node {
    child: Child,
    base: String,
}

impl Node {
    async fn start(db: &TestDb) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let base = format!("http://127.0.0.1:{port}");
        let child = Command::new(env!("CARGO_BIN_EXE_cyberdir"))
            .arg("serve")
            .env("DATABASE_URL", &db.url)
            .env("CYBERDIR_BIND", format!("127.0.0.1:{port}"))
            .env("CYBERDIR_BASE_URL", &base)
            .env("RUST_LOG", "warn")
            .env("JOURNEY_RATE_LIMIT", "0")
            .env("CYBERDIR_DEMO", "0")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the node starts");
        let started = Instant::now();
        loop {
            if let Ok(r) = reqwest::get(format!("{base}/readyz")).await
                && r.status().is_success()
            {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "node did not start"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Self { child, base }
    }

    /// `kill -9`: no shutdown, no goodbye to its streams.
    fn kill(&mut self) {
        self.child.kill().expect("SIGKILL");
        let _ = self.child.wait();
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn a_victim_whose_node_dies_reconnects_to_the_other_and_misses_nothing() {
    // Always on PostgreSQL: the nodes talk through it.
    let db = Arc::new(TestDb::for_backend(Backend::Postgres));
    let setup = TestApp::spawn_on(Arc::clone(&db)).await;
    setup.user("p1@police.example", Role::Operator).await;
    // The nodes find the geography imported: none imports it at its start.
    setup.import_bundled_geo().await;
    let mut victim_node = Node::start(&db).await;
    let operator_node = Node::start(&db).await;

    // The operator works on the second node.
    let operator = Browser::new(&operator_node.base);
    operator.log_in("p1@police.example").await;
    let console = operator.get("/operateur").await;
    assert_eq!(console.status, 200, "{}", console.text());
    let set = operator
        .submit(
            &console,
            "/operateur/presence",
            &[("presence", "disponible")],
        )
        .await;
    assert_eq!(set.status, 303);

    // The victim, on the first node.
    let victim = Browser::new(&victim_node.base);
    let mut page = victim.get("/diagnostic").await;
    for choice in ["entreprise", "rancon", "oui"] {
        page = answer(&victim, &page, choice).await;
    }
    let link = page.attribute("talk-link", "href").unwrap();
    let form = victim.get(&link).await;
    let sent = victim
        .submit(
            &form,
            &link,
            &[("message", "Tout se chiffre."), ("email", "")],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.text());
    let chat_page = victim.follow(&sent).await;
    let token = chat_page.url.trim_start_matches("/echange/").to_owned();
    let stream_path = format!("/echange/{token}/flux");
    let mut stream = Events::open(
        &victim.client,
        &format!("{}{stream_path}", victim.base),
        None,
    )
    .await;
    for expected in 1..=3 {
        assert_eq!(stream.next_line(WAIT).await.expect("a line").0, expected);
    }

    // The operator's answer, written on the other node, reaches the victim live.
    let hash = cyberdir::auth::tokens::digest(&token);
    let chat = setup
        .with_conn(move |c| {
            cyberdir::db::chat::chat_by_token(c, &hash)
                .unwrap()
                .unwrap()
        })
        .await;
    let chat_path = format!("/operateur/echanges/{}", chat.id);
    let view = operator.get(&chat_path).await;
    assert_eq!(view.status, 200, "{}", view.text());
    let say = |text: &'static str| {
        let (operator, view, path) = (&operator, &view, format!("{chat_path}/messages"));
        async move {
            let sent = operator.submit(view, &path, &[("message", text)]).await;
            assert_eq!(sent.status, 303, "{}", sent.text());
        }
    };
    let sent_at = Instant::now();
    say("Isolez les postes du réseau.").await;
    let (n, line) = stream.next_line(WAIT).await.expect("across nodes");
    assert_eq!(
        (n, line["body"].as_str().unwrap()),
        (4, "Isolez les postes du réseau.")
    );
    assert!(
        sent_at.elapsed() < Duration::from_secs(2),
        "{:?}",
        sent_at.elapsed()
    );

    // The victim's node dies; the operator goes on writing.
    victim_node.kill();
    assert!(
        stream.next_line(Duration::from_secs(2)).await.is_none(),
        "the stream is gone"
    );
    say("Ne payez pas la rançon.").await;
    say("Gardez la note de rançon.").await;

    // The browser reconnects to the other node with the last id it has: 5 and 6, once each,
    // in order, then the next line live.
    let again = Browser::new(&operator_node.base);
    let mut resumed = Events::open(
        &again.client,
        &format!("{}{stream_path}", operator_node.base),
        Some(4),
    )
    .await;
    let (n5, l5) = resumed.next_line(WAIT).await.unwrap();
    let (n6, l6) = resumed.next_line(WAIT).await.unwrap();
    assert_eq!(
        [
            (n5, l5["body"].as_str().unwrap()),
            (n6, l6["body"].as_str().unwrap())
        ],
        [
            (5, "Ne payez pas la rançon."),
            (6, "Gardez la note de rançon.")
        ]
    );
    say("Un enquêteur va vous rappeler.").await;
    let (n7, _) = resumed.next_line(WAIT).await.unwrap();
    assert_eq!(n7, 7);
    assert!(
        resumed
            .next_line(Duration::from_millis(500))
            .await
            .is_none(),
        "nothing twice"
    );
}

/// A node's state that is dropped (a server stopped, a test over) closes its listening
/// connection and ends its thread: before, the thread reconnected every second for the rest of
/// the process's life, to a database that might be gone, and a process exiting under such a
/// thread could abort inside libpq.
#[cfg(feature = "postgres")]
#[tokio::test]
async fn a_stopped_node_closes_its_listening_connection() {
    use diesel::{Connection, PgConnection, RunQueryDsl, sql_query, sql_types::BigInt};
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let db = Arc::new(TestDb::for_backend(Backend::Postgres));
    let url = db.url.clone();
    let listeners = move || {
        let mut conn = PgConnection::establish(&url).expect("PostgreSQL");
        sql_query(
            "SELECT count(*) AS n FROM pg_stat_activity \
             WHERE datname = current_database() AND query LIKE 'LISTEN%'",
        )
        .get_result::<Count>(&mut conn)
        .expect("pg_stat_activity")
        .n
    };
    let state_url = db.url.clone();
    let state = tokio::task::spawn_blocking(move || {
        cyberdir::prepare(
            crate::common::test_config(&state_url, &[]),
            cyberdir::clock::Clock::fixed(crate::common::start_of_tests()),
        )
    })
    .await
    .unwrap()
    .expect("prepare");
    let count = listeners.clone();
    let deadline = Instant::now() + WAIT;
    while tokio::task::spawn_blocking(count.clone()).await.unwrap() != 1 {
        assert!(Instant::now() < deadline, "the node never listened");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    drop(state);
    let deadline = Instant::now() + WAIT;
    while tokio::task::spawn_blocking(listeners.clone())
        .await
        .unwrap()
        != 0
    {
        assert!(
            Instant::now() < deadline,
            "the stopped node still listens on PostgreSQL"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

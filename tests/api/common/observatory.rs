//! Helpers of the observatory tests: facts written straight into the database (a varied,
//! deterministic set), and CSV read back.

use chrono::{Days, NaiveDate};
use cyberdir::db::observatory::{self as queries, FactValues};

use super::TestApp;

/// A journey's fact, counted as a case, on `day`.
pub fn journey(id: &str, day: NaiveDate, audience: &str, incident: Option<&str>) -> FactValues {
    FactValues {
        source_id: id.to_owned(),
        kind: "journey".into(),
        occurred_on: day,
        audience: Some(audience.to_owned()),
        incident_type: incident.map(str::to_owned),
        category: None,
        departement: None,
        region: None,
        channel: "site".into(),
        partner: None,
        outcome: if incident.is_some() {
            "advice"
        } else {
            "started"
        }
        .into(),
        urgency: None,
        counted: true,
        escalated: false,
        minutes_to_acceptance: None,
        confirmed_incident_type: None,
        revision: 0,
    }
}

/// Places a fact in a département (and its région).
pub fn placed(mut fact: FactValues, departement: &str, region: &str) -> FactValues {
    fact.departement = Some(departement.to_owned());
    fact.region = Some(region.to_owned());
    fact
}

/// Writes facts as the steps do: each batch under a new revision.
pub async fn insert(app: &TestApp, facts: Vec<FactValues>) {
    app.with_conn(move |conn| {
        for chunk in facts.chunks(500) {
            let revision = queries::next_revision(conn).unwrap();
            let rows: Vec<FactValues> = chunk
                .iter()
                .cloned()
                .map(|mut f| {
                    f.revision = revision;
                    f
                })
                .collect();
            queries::insert_many(conn, &rows).unwrap();
        }
    })
    .await;
}

/// xorshift64*: the same varied facts on every run.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, list: &'a [T]) -> &'a T {
        &list[self.below(list.len())]
    }
}

pub const TYPES: [(&str, &str); 5] = [
    ("hameconnage", "escroquerie"),
    ("piratage_compte", "compte_et_identite"),
    ("rancongiciel", "logiciel_malveillant"),
    ("sextorsion", "harcelement_et_contenus"),
    ("faux_ordre_virement", "escroquerie"),
];
pub const PLACES: [(&str, &str); 5] = [
    ("35", "bretagne"),
    ("29", "bretagne"),
    ("75", "ile-de-france"),
    ("93", "ile-de-france"),
    ("13", "provence-alpes-cote-d-azur"),
];

/// `n` varied facts over the `days` days from `from`: journeys (some unfinished, some
/// unplaced) and requests (some from journeys, some accepted after a delay, some resolved).
pub fn varied(n: usize, from: NaiveDate, days: u64, seed: u64) -> Vec<FactValues> {
    let mut rng = Rng(seed);
    let audiences = [
        "particulier",
        "particulier",
        "particulier",
        "entreprise",
        "collectivite",
    ];
    (0..n)
        .map(|i| {
            let day = from + Days::new(rng.below(days as usize) as u64);
            let (incident, category) = *rng.pick(&TYPES);
            let finished = rng.below(10) > 0;
            let audience = *rng.pick(&audiences);
            let mut f = journey(
                &format!("fact-{seed}-{i}"),
                day,
                audience,
                finished.then_some(incident),
            );
            f.category = finished.then(|| category.to_owned());
            if rng.below(5) > 0 {
                let (d, r) = *rng.pick(&PLACES);
                f = placed(f, d, r);
            }
            f.channel = if rng.below(4) == 0 { "api" } else { "site" }.into();
            if finished && rng.below(3) == 0 {
                f.kind = "request".into();
                f.counted = rng.below(2) == 0;
                f.escalated = rng.below(4) == 0;
                let accepted = rng.below(4) > 0;
                f.minutes_to_acceptance = accepted.then(|| rng.below(180) as i32);
                f.outcome = match (accepted, rng.below(3)) {
                    (true, 0) => "accepted",
                    (true, _) => "resolved",
                    (false, _) => "escalated",
                }
                .into();
            } else if finished {
                f.outcome = ["advice", "redirection", "search", "request"][rng.below(4)].into();
            }
            f
        })
        .collect()
}

/// A CSV body as rows of fields (a leading byte-order mark dropped).
pub fn csv_rows(body: &str) -> Vec<Vec<String>> {
    let body = body.trim_start_matches('\u{feff}');
    let mut rows = Vec::new();
    for line in body.lines().filter(|l| !l.is_empty()) {
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                ('"', _) => quoted = !quoted,
                (',', false) => fields.push(std::mem::take(&mut field)),
                (c, _) => field.push(c),
            }
        }
        fields.push(field);
        rows.push(fields);
    }
    rows
}

/// How many diagnostic journeys and observatory facts the database holds.
pub async fn journeys_and_facts(app: &TestApp) -> (i64, i64) {
    use diesel::prelude::*;
    app.with_conn(|conn| {
        let journeys = cyberdir::db::schema::diagnostic_journeys::table
            .count()
            .get_result::<i64>(conn)
            .unwrap();
        let facts = cyberdir::db::schema::observatory_facts::table
            .count()
            .get_result::<i64>(conn)
            .unwrap();
        (journeys, facts)
    })
    .await
}

/// A day as the pages write it.
pub fn day_fr(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

/// `cyberdir observatory audit` run on the app's database: whether it passed, and what it
/// said (standard output then error).
pub async fn audit_from_the_command_line(app: &TestApp) -> (bool, String) {
    let url = app.db.url.clone();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_cyberdir"))
            .args(["observatory", "audit"])
            .env("DATABASE_URL", &url)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let said = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), said)
}

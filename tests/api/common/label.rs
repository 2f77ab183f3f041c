//! Helpers of the label tests: answers and findings for every criterion, an approved provider
//! with its member, staff and an auditor, and an application taken to a given step.

use super::{Session, TestApp, provider};
use cyberdir::auth::Role;
use cyberdir::domain::zone::Zone;
use serde_json::{Value, json};

/// The criterion codes of the framework in force.
pub fn criteria(app: &TestApp) -> Vec<String> {
    app.state
        .criteria
        .criteria()
        .map(|c| c.code.clone())
        .collect()
}

/// Answers for every criterion.
pub fn all_answers(app: &TestApp) -> Value {
    let answers: serde_json::Map<String, Value> = criteria(app)
        .into_iter()
        .map(|code| {
            (
                code.clone(),
                json!(format!("Notre réponse au critère {code}.")),
            )
        })
        .collect();
    json!({ "answers": answers })
}

/// Findings for every criterion: `conforme`, except those listed.
pub fn findings(app: &TestApp, except: &[(&str, &str)]) -> Value {
    let list: Vec<Value> = criteria(app)
        .into_iter()
        .map(|code| match except.iter().find(|(c, _)| *c == code) {
            Some((_, finding)) => {
                json!({"criterion": code, "finding": finding, "comment": "Procédure absente."})
            }
            None => json!({"criterion": code, "finding": "conforme", "comment": ""}),
        })
        .collect();
    json!({"findings": list, "recommendation": "Attribution recommandée."})
}

pub struct Cast {
    pub member: Session,
    pub staff: Session,
    pub auditor: Session,
    pub auditor_id: String,
}

/// An approved provider `presta` with a member, a staff member and an auditor.
pub async fn cast(app: &TestApp) -> Cast {
    app.insert(provider(
        "presta",
        48.11,
        -1.68,
        Zone::Radius { radius_km: 50 },
    ))
    .await;
    let member = app.member_of("presta", "gerante@presta.fr").await;
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    let auditor = app.user("auditrice@certif.fr", Role::Auditor).await;
    let auditor_id = auditor.user_id.clone();
    Cast {
        member,
        staff,
        auditor,
        auditor_id,
    }
}

pub async fn step(session: &Session, id: &str, action: &str, body: Value) -> (u16, Value) {
    session
        .post(&format!("/api/v1/label-applications/{id}/{action}"), &body)
        .await
}

/// Opens an application and fills every criterion; its id.
pub async fn filled_application(app: &TestApp, member: &Session) -> String {
    let (status, created) = member
        .post("/api/v1/providers/presta/label-applications", &json!({}))
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let (status, body) = member
        .patch(
            &format!("/api/v1/label-applications/{id}"),
            &all_answers(app),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    id
}

/// Takes an application from filled to `decision` with a clean audit.
pub async fn to_decision(app: &TestApp, cast: &Cast, id: &str) {
    assert_eq!(step(&cast.member, id, "submit", json!({})).await.0, 200);
    admissible(cast, id).await;
    let (status, body) = step(
        &cast.staff,
        id,
        "schedule-audit",
        json!({"auditor_id": cast.auditor_id, "audit_date": app.clock.today().to_string()}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = step(&cast.auditor, id, "record-audit", findings(app, &[])).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "decision");
}

/// The same cast signed in again (after time travel past the sessions' lifetime).
pub async fn sign_in_again(app: &TestApp, cast: Cast) -> Cast {
    let again = |email: &'static str| app.log_in(email, super::TEST_PASSWORD);
    Cast {
        member: again("gerante@presta.fr").await,
        staff: again("staff@cyberdir.fr").await,
        auditor: again("auditrice@certif.fr").await,
        auditor_id: cast.auditor_id,
    }
}

/// Takes a submitted application to `admissible`, then schedules its audit on `day`.
pub async fn schedule_on(cast: &Cast, id: &str, day: chrono::NaiveDate) {
    admissible(cast, id).await;
    let (status, body) = step(
        &cast.staff,
        id,
        "schedule-audit",
        json!({"auditor_id": cast.auditor_id, "audit_date": day.to_string()}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

/// Waives the fee and grants the label of an application in `decision`; the granted view.
pub async fn grant(cast: &Cast, id: &str) -> Value {
    let (status, body) = cast
        .staff
        .put(
            &format!("/api/v1/label-applications/{id}/fee"),
            &json!({"status": "waived"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, granted) = step(&cast.staff, id, "grant", json!({})).await;
    assert_eq!(status, 200, "{granted}");
    granted
}

/// Staff examine a submitted application, then declare it admissible.
pub async fn admissible(cast: &Cast, id: &str) {
    for action in ["start-admissibility", "mark-admissible"] {
        let (status, body) = step(&cast.staff, id, action, json!({})).await;
        assert_eq!(status, 200, "{action}: {body}");
    }
}

/// An application of `presta` submitted and scheduled for audit with `auditor`; its id.
pub async fn scheduled(
    app: &TestApp,
    member: &Session,
    staff: &Session,
    auditor_id: &str,
) -> String {
    let (_, created) = member
        .post("/api/v1/providers/presta/label-applications", &json!({}))
        .await;
    let id = created["id"].as_str().unwrap().to_owned();
    member
        .patch(
            &format!("/api/v1/label-applications/{id}"),
            &all_answers(app),
        )
        .await;
    let act = |who: &'static str, action: &'static str, body: Value| {
        let session = if who == "member" { member } else { staff };
        let path = format!("/api/v1/label-applications/{id}/{action}");
        async move { session.post(&path, &body).await }
    };
    assert_eq!(act("member", "submit", json!({})).await.0, 200);
    assert_eq!(act("staff", "start-admissibility", json!({})).await.0, 200);
    assert_eq!(act("staff", "mark-admissible", json!({})).await.0, 200);
    let (status, body) = act(
        "staff",
        "schedule-audit",
        json!({"auditor_id": auditor_id, "audit_date": "2026-11-23"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    id
}

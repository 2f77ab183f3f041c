//! The victim's satisfaction survey (1 to 5 and a comment), staff moderation of comments, and
//! what a provider's public profile shows of them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::tokens;
use crate::db::assistance as queries;
use crate::domain::actor::Actor;
use crate::domain::assistance::CommentStatus;
use crate::domain::reason::Reason;
use crate::error::AppError;
use crate::infra::Infra;

/// Ratings needed before an average is published.
pub const MIN_RATINGS: usize = 3;

#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyView {
    pub provider_name: String,
    pub answered: bool,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct SurveyAnswer {
    /// 1 (very dissatisfied) to 5 (very satisfied).
    #[schema(minimum = 1, maximum = 5)]
    #[serde(deserialize_with = "crate::json::whole")]
    #[schema(required = true)]
    pub rating: i32,
    #[schema(max_length = 2000)]
    pub comment: Option<String>,
}

fn not_found() -> AppError {
    AppError::not_found("Questionnaire introuvable : vérifiez le lien reçu par courriel.")
}

fn find(conn: &mut crate::db::DbConnection, token: &str) -> Result<queries::SurveyRow, AppError> {
    if token.len() != 64 {
        return Err(not_found());
    }
    queries::survey_by_token(conn, &tokens::digest(token))?.ok_or_else(not_found)
}

pub fn survey(state: &Infra, token: &str) -> Result<SurveyView, AppError> {
    let mut conn = state.pool.get()?;
    let row = find(&mut conn, token)?;
    let provider_name = crate::db::providers::find(&mut conn, &row.provider_id)?
        .map(|(p, _)| p.name)
        .unwrap_or_default();
    Ok(SurveyView {
        provider_name,
        answered: row.answered_at.is_some(),
    })
}

/// Records the victim's answer, once.
pub fn answer(state: &Infra, token: &str, input: &SurveyAnswer) -> Result<SurveyView, AppError> {
    if !(1..=5).contains(&input.rating) {
        return Err(AppError::field("rating", "Choisissez une note de 1 à 5."));
    }
    let comment = Reason::optional(input.comment.as_deref())
        .map_err(|_| AppError::field("comment", "2 000 caractères au plus."))?;
    let comment = comment.as_ref().map(Reason::as_str);
    let mut conn = state.pool.get()?;
    let row = find(&mut conn, token)?;
    if !queries::answer_survey(
        &mut conn,
        &row.request_id,
        input.rating,
        comment,
        state.clock.now_naive(),
    )? {
        return Err(AppError::Conflict(
            "Vous avez déjà répondu à ce questionnaire : merci !".into(),
        ));
    }
    survey(state, token)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PendingComment {
    pub request_id: String,
    pub provider_id: String,
    pub provider_name: String,
    pub rating: Option<i32>,
    pub comment: String,
}

/// Comments awaiting moderation (staff).
pub fn pending_comments(state: &Infra, user: &Actor) -> Result<Vec<PendingComment>, AppError> {
    user.require_staff()?;
    let mut conn = state.pool.get()?;
    Ok(queries::comments_in(&mut conn, CommentStatus::Pending)?
        .into_iter()
        .map(|(s, name)| PendingComment {
            request_id: s.request_id,
            provider_id: s.provider_id,
            provider_name: name,
            rating: s.rating,
            comment: s.comment.unwrap_or_default(),
        })
        .collect())
}

/// Staff publish or reject a comment.
pub fn moderate(
    state: &Infra,
    user: &Actor,
    request_id: &str,
    publish: bool,
) -> Result<(), AppError> {
    user.require_staff()?;
    let mut conn = state.pool.get()?;
    if !queries::moderate(
        &mut conn,
        request_id,
        if publish {
            CommentStatus::Published
        } else {
            CommentStatus::Rejected
        },
    )? {
        return Err(AppError::Conflict(
            "Ce commentaire n'attend pas de modération.".into(),
        ));
    }
    Ok(())
}

/// A provider's rating as its public profile shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicRating {
    /// Average of the victims' ratings, once there are at least 3 (else null).
    pub average: Option<f64>,
    pub count: usize,
    /// Comments published after moderation, newest first.
    pub comments: Vec<String>,
}

pub fn public_rating(state: &Infra, provider_id: &str) -> Result<PublicRating, AppError> {
    let mut conn = state.pool.get()?;
    let queries::Ratings { ratings, comments } = queries::ratings_of(&mut conn, provider_id)?;
    let count = ratings.len();
    let average = (count >= MIN_RATINGS).then(|| {
        let sum: i32 = ratings.iter().sum();
        (f64::from(sum) / count as f64 * 10.0).round() / 10.0
    });
    Ok(PublicRating {
        average,
        count,
        comments,
    })
}

//! Answers to the next question or to the outcome. Answers are keyed by question; only those
//! on the path the answers themselves trace count, so changing an earlier answer leaves the
//! later ones behind.

use std::collections::BTreeMap;

use super::{Choice, Outcome, Question, Tree};
use crate::audience::Audience;

/// Question id → choice id.
pub type Answers = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq)]
pub enum Step<'a> {
    /// The next question to ask, with the choices offered to this audience.
    Question {
        id: &'a str,
        question: &'a Question,
        choices: Vec<&'a Choice>,
        audience: Option<Audience>,
        path: Vec<(&'a str, &'a Choice)>,
    },
    /// The journey's end.
    Outcome {
        id: &'a str,
        outcome: &'a Outcome,
        audience: Audience,
        path: Vec<(&'a str, &'a Choice)>,
    },
}

impl<'a> Step<'a> {
    /// The answers that led here, in the order asked.
    pub fn path(&self) -> &[(&'a str, &'a Choice)] {
        match self {
            Self::Question { path, .. } | Self::Outcome { path, .. } => path,
        }
    }

    /// The answers on the path only, as they are kept.
    pub fn kept_answers(&self) -> Answers {
        self.path()
            .iter()
            .map(|(q, c)| ((*q).to_owned(), c.id.clone()))
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WalkError {
    #[error("La question « {0} » n'existe pas dans ce diagnostic.")]
    UnknownQuestion(String),
    #[error("« {choice} » n'est pas une réponse possible à la question « {question} ».")]
    UnknownChoice { question: String, choice: String },
    /// Only on a tree that was not checked.
    #[error("Ce diagnostic ne mène à aucune issue.")]
    Broken,
}

/// The next step for these answers. An answer that does not suit the audience (after the
/// audience changed) is asked again.
pub fn walk<'a>(tree: &'a Tree, answers: &Answers) -> Result<Step<'a>, WalkError> {
    for (q, c) in answers {
        let question = tree
            .questions
            .get(q)
            .ok_or_else(|| WalkError::UnknownQuestion(q.clone()))?;
        if !question.choices.iter().any(|choice| &choice.id == c) {
            return Err(WalkError::UnknownChoice {
                question: q.clone(),
                choice: c.clone(),
            });
        }
    }
    let mut audience = None;
    let mut path = Vec::new();
    let (mut id, mut question) = tree
        .questions
        .get_key_value(&tree.start)
        .ok_or(WalkError::Broken)?;
    // A checked tree has no loop; the bound only protects from an unchecked one.
    for _ in 0..=tree.questions.len() {
        let choices: Vec<&Choice> = question
            .choices
            .iter()
            .filter(|c| c.offered_to(audience))
            .collect();
        let answered = answers
            .get(id)
            .and_then(|chosen| choices.iter().find(|c| &c.id == chosen));
        let Some(&choice) = answered else {
            return Ok(Step::Question {
                id,
                question,
                choices,
                audience,
                path,
            });
        };
        audience = choice.audience.or(audience);
        path.push((id.as_str(), choice));
        if let Some(next) = &choice.next {
            (id, question) = tree
                .questions
                .get_key_value(next)
                .ok_or(WalkError::Broken)?;
        } else {
            let (id, outcome) = choice
                .outcome
                .as_ref()
                .and_then(|o| tree.outcomes.get_key_value(o))
                .ok_or(WalkError::Broken)?;
            return Ok(Step::Outcome {
                id,
                outcome,
                audience: audience.ok_or(WalkError::Broken)?,
                path,
            });
        }
    }
    Err(WalkError::Broken)
}

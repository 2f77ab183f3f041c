//! The checks a tree passes before it is used: every path ends in an outcome, no question is
//! unreachable or loops back, every outcome names a known incident type that concerns the
//! audience reaching it, and every incident type is reachable for each audience it concerns.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::{Choice, Tree};
use crate::audience::Audience;
use crate::taxonomy::{Taxonomy, is_safe_link};

/// Longer than this, a journey is too long for a victim on a bad day.
pub const MAX_QUESTIONS: usize = 7;

/// Where a tree is wrong and why, in French for the staff member who wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeError {
    /// The node: `question « x »`, `issue « y »`, `version`…
    pub at: String,
    pub reason: String,
}

impl fmt::Display for TreeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} : {}", self.at, self.reason)
    }
}

impl std::error::Error for TreeError {}

/// What a valid tree covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub questions: usize,
    pub outcomes: usize,
    /// The most questions on one path, audience included.
    pub longest_path: usize,
    /// Incident types reachable (all of them, for a valid tree).
    pub incident_types: usize,
}

fn question(id: &str) -> String {
    format!("question « {id} »")
}

fn outcome(id: &str) -> String {
    format!("issue « {id} »")
}

fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 60
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// All the errors of a tree, or what it covers.
pub fn check(tree: &Tree, taxonomy: &Taxonomy) -> Result<Summary, Vec<TreeError>> {
    let mut errors = Vec::new();
    let mut fail = |at: String, reason: String| errors.push(TreeError { at, reason });
    let version_ok = !tree.version.is_empty()
        && tree.version.len() <= 40
        && tree
            .version
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if !version_ok {
        fail(
            "version".into(),
            "lettres, chiffres, points, tirets ou soulignés, 40 caractères au plus".into(),
        );
    }
    if !tree.questions.contains_key(&tree.start) {
        fail(
            "start".into(),
            format!("la question « {} » n'existe pas", tree.start),
        );
    }
    for (id, q) in &tree.questions {
        if !is_id(id) {
            fail(question(id), "identifiant invalide (a-z, 0-9, _)".into());
        }
        if q.text.trim().is_empty() {
            fail(question(id), "le texte de la question est vide".into());
        }
        if q.choices.is_empty() {
            fail(question(id), "aucun choix".into());
        }
        let mut seen = BTreeSet::new();
        for c in &q.choices {
            let at = format!("question « {id} », choix « {} »", c.id);
            if !is_id(&c.id) {
                fail(at.clone(), "identifiant invalide (a-z, 0-9, _)".into());
            }
            if !seen.insert(c.id.as_str()) {
                fail(at.clone(), "deux choix portent cet identifiant".into());
            }
            if c.label.trim().is_empty() {
                fail(at.clone(), "le libellé est vide".into());
            }
            match (&c.next, &c.outcome) {
                (Some(next), None) if !tree.questions.contains_key(next) => {
                    fail(at, format!("la question « {next} » n'existe pas"))
                }
                (None, Some(o)) if !tree.outcomes.contains_key(o) => {
                    fail(at, format!("l'issue « {o} » n'existe pas"))
                }
                (Some(_), None) | (None, Some(_)) => {}
                _ => fail(
                    at,
                    "indiquez soit la question suivante (next), soit l'issue (outcome)".into(),
                ),
            }
        }
    }
    for (id, o) in &tree.outcomes {
        if !is_id(id) {
            fail(outcome(id), "identifiant invalide (a-z, 0-9, _)".into());
        }
        match &o.incident {
            Some(code) if taxonomy.get(code).is_none() => fail(
                outcome(id),
                format!("le type d'incident « {code} » n'existe pas"),
            ),
            None if o.title.as_deref().is_none_or(|t| t.trim().is_empty()) => fail(
                outcome(id),
                "sans type d'incident, un titre (title) est nécessaire".into(),
            ),
            _ => {}
        }
        for c in &o.contacts {
            if c.href.as_deref().is_some_and(|h| !is_safe_link(h)) {
                fail(
                    outcome(id),
                    format!(
                        "le lien de « {} » doit commencer par tel:, sms:, mailto: ou https://",
                        c.name
                    ),
                );
            }
        }
        if o.now.iter().any(|s| s.trim().is_empty()) {
            fail(outcome(id), "une étape de « now » est vide".into());
        }
    }
    let categories: BTreeSet<&str> = taxonomy.all().iter().map(|t| t.category.as_str()).collect();
    for key in tree.advice.keys() {
        if !categories.contains(key.as_str()) && taxonomy.get(key).is_none() {
            fail(
                format!("conseils « {key} »"),
                "ni une catégorie ni un type d'incident connus".into(),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Walker::new(tree, taxonomy).run()
}

/// A question as asked to one audience (none before the audience is chosen).
type State<'a> = (&'a str, Option<Audience>);

struct Walker<'a> {
    tree: &'a Tree,
    taxonomy: &'a Taxonomy,
    /// The longest path from each state once it is explored.
    done: BTreeMap<State<'a>, usize>,
    on_path: BTreeSet<State<'a>>,
    asked: BTreeSet<&'a str>,
    ended: BTreeSet<&'a str>,
    reached: BTreeSet<(&'a str, Audience)>,
    errors: Vec<TreeError>,
}

impl<'a> Walker<'a> {
    fn new(tree: &'a Tree, taxonomy: &'a Taxonomy) -> Self {
        Self {
            tree,
            taxonomy,
            done: BTreeMap::new(),
            on_path: BTreeSet::new(),
            asked: BTreeSet::new(),
            ended: BTreeSet::new(),
            reached: BTreeSet::new(),
            errors: Vec::new(),
        }
    }

    fn fail(&mut self, at: String, reason: String) {
        self.errors.push(TreeError { at, reason });
    }

    fn run(mut self) -> Result<Summary, Vec<TreeError>> {
        let longest = self.visit((self.tree.start.as_str(), None));
        for id in self.tree.questions.keys() {
            if !self.asked.contains(id.as_str()) {
                self.fail(question(id), "jamais posée : aucun chemin n'y mène".into());
            }
        }
        for id in self.tree.outcomes.keys() {
            if !self.ended.contains(id.as_str()) {
                self.fail(
                    outcome(id),
                    "jamais atteinte : aucun chemin n'y mène".into(),
                );
            }
        }
        if longest > MAX_QUESTIONS {
            self.fail(
                "arbre".into(),
                format!("un chemin compte {longest} questions, {MAX_QUESTIONS} au plus"),
            );
        }
        for audience in Audience::ALL {
            if !self.reached.iter().any(|(_, a)| *a == audience) {
                self.fail(
                    format!("public « {} »", audience.code()),
                    "aucun chemin ne mène à une issue pour ce public".into(),
                );
            }
        }
        for t in self.taxonomy.all() {
            for a in &t.audiences {
                if !self.reached.contains(&(t.code.as_str(), *a)) {
                    self.fail(
                        format!("type d'incident « {} »", t.code),
                        format!("aucune issue n'y mène pour le public « {} »", a.code()),
                    );
                }
            }
        }
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        Ok(Summary {
            questions: self.tree.questions.len(),
            outcomes: self.tree.outcomes.len(),
            longest_path: longest,
            incident_types: self
                .reached
                .iter()
                .map(|(code, _)| *code)
                .collect::<BTreeSet<_>>()
                .len(),
        })
    }

    /// Explores a state; returns the most questions from it to an outcome (itself included).
    fn visit(&mut self, state: State<'a>) -> usize {
        if let Some(&longest) = self.done.get(&state) {
            return longest;
        }
        let (id, audience) = state;
        let Some(q) = self.tree.questions.get(id) else {
            return 0; // reported by the first pass
        };
        self.asked.insert(id);
        self.on_path.insert(state);
        let offered: Vec<&'a Choice> = q
            .choices
            .iter()
            .filter(|c| c.offered_to(audience))
            .collect();
        if offered.is_empty() {
            let public = audience.map_or("inconnu", Audience::code);
            self.fail(
                question(id),
                format!("impasse : aucun choix n'est proposé au public « {public} »"),
            );
        }
        let mut longest = 0;
        for c in q
            .choices
            .iter()
            .filter(|c| !c.audiences.is_empty() && audience.is_none())
        {
            self.fail(
                format!("question « {id} », choix « {} »", c.id),
                "réservé à certains publics alors que le public n'est pas encore connu".into(),
            );
        }
        for c in offered {
            let at = format!("question « {id} », choix « {} »", c.id);
            let audience = match (audience, c.audience) {
                (Some(_), Some(_)) => {
                    self.fail(at.clone(), "le public est déjà choisi plus haut".into());
                    audience
                }
                (known, chosen) => chosen.or(known),
            };
            if let Some(next) = c.next.as_deref() {
                let next_state = (next, audience);
                if self.on_path.contains(&next_state) {
                    self.fail(at, format!("boucle : revient à la question « {next} »"));
                    continue;
                }
                longest = longest.max(self.visit(next_state));
            } else if let Some(o) = c.outcome.as_deref() {
                self.end(&at, o, audience);
            }
        }
        self.on_path.remove(&state);
        let longest = longest + 1;
        self.done.insert(state, longest);
        longest
    }

    fn end(&mut self, at: &str, id: &'a str, audience: Option<Audience>) {
        self.ended.insert(id);
        let Some(o) = self.tree.outcomes.get(id) else {
            return;
        };
        let Some(audience) = audience else {
            self.fail(
                at.into(),
                "mène à une issue avant que le public soit connu".into(),
            );
            return;
        };
        let Some(code) = o.incident.as_deref() else {
            return;
        };
        match self.taxonomy.get(code) {
            Some(t) if t.audiences.contains(&audience) => {
                self.reached.insert((t.code.as_str(), audience));
            }
            _ => self.fail(
                at.into(),
                format!(
                    "l'issue « {id} » ({code}) ne concerne pas le public « {} »",
                    audience.code()
                ),
            ),
        }
    }
}

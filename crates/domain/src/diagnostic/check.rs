//! The checks a tree passes before it is used: every path ends in an outcome, no question is
//! unreachable or loops back, every outcome names a known incident type that concerns the
//! audience reaching it, and every incident type is reachable for each audience it concerns.
//! Its advice is the fiches' (see [`content`]): each outcome has a fiche, names registry
//! contacts only, and is urgent exactly when it says why (an emergency line only then).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::{Because, Choice, Outcome, OutcomeContact, Tree, Urgency};
use crate::audience::Audience;
use crate::content::Library;
use crate::content::fiche::normalise;
use crate::taxonomy::Taxonomy;

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

/// All the errors of a tree, or what it covers. With the content `library` (before a
/// publication), its advice is checked too; a version published before the fiches is read
/// without it.
pub fn check(
    tree: &Tree,
    taxonomy: &Taxonomy,
    library: Option<&Library>,
) -> Result<Summary, Vec<TreeError>> {
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
        for reason in library.map_or_else(Vec::new, |l| content(o, taxonomy, l)) {
            fail(outcome(id), reason);
        }
        if o.now.iter().any(|s| s.trim().is_empty()) {
            fail(outcome(id), "une étape de « now » est vide".into());
        }
    }
    if library.is_some() && !tree.advice.is_empty() {
        fail(
            "conseils".into(),
            "les preuves à garder et ce qu'il ne faut pas faire sont dans les fiches (fixtures/content) : retirez les tables [advice]".into(),
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Walker::new(tree, taxonomy).run()
}

/// What is wrong with an outcome's advice: its fiche, its contacts, its urgency.
fn content(o: &Outcome, taxonomy: &Taxonomy, library: &Library) -> Vec<String> {
    let mut errors = Vec::new();
    let incident = o.incident.as_deref().and_then(|c| taxonomy.get(c));
    let fiche = super::outcome::fiche_of(library, o, incident);
    match (&o.fiche, fiche) {
        (Some(slug), None) => errors.push(format!("la fiche « {slug} » n'existe pas")),
        (None, None) if o.incident.is_none() => errors.push(
            "sans type d'incident, indiquez la fiche (fiche) dont viennent les conseils".into(),
        ),
        _ => {}
    }
    if o.advice.is_some() {
        errors.push("les conseils sont dans la fiche : retirez « advice »".into());
    }
    let urgent = o.urgency == Urgency::Immediate;
    for contact in &o.contacts {
        match contact {
            OutcomeContact::Inline(c) => errors.push(format!(
                "« {} » : indiquez l'identifiant d'un contact du registre (fixtures/content/contacts.toml)",
                c.name
            )),
            OutcomeContact::Registry(id) => match library.contacts.get(id) {
                None => errors.push(format!("le contact « {id} » n'existe pas dans le registre")),
                Some(c) if c.emergency && !urgent => errors.push(format!(
                    "le numéro d'urgence « {id} » ne figure que dans une issue urgente (immediate)"
                )),
                Some(_) => {}
            },
        }
    }
    match (urgent, o.because.is_empty()) {
        (true, true) => errors.push(format!(
            "une issue urgente (immediate) dit pourquoi (because : {})",
            Because::ALL.map(Because::code).join(", ")
        )),
        (false, false) => {
            errors.push("because est donné : l'urgence est alors « immediate »".into())
        }
        _ => {}
    }
    if !urgent {
        for step in &o.now {
            if let Some(number) = crate::content::check::emergency_number(step) {
                errors.push(format!(
                    "« {step} » : le numéro d'urgence {number} ne figure que dans une issue urgente (immediate)"
                ));
            }
        }
    }
    if let Some(f) = fiche {
        let steps: BTreeSet<String> = f.steps().iter().map(|s| normalise(s)).collect();
        for step in &o.now {
            if steps.contains(&normalise(step)) {
                errors.push(format!(
                    "l'étape « {step} » est déjà dans la fiche « {} »",
                    f.meta.slug
                ));
            }
        }
    }
    errors
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

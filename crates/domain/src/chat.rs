//! The chat with a police officer or a gendarme: who answers (forces, presence, capacity), which
//! operator a waiting chat goes to, the order of the queue, the estimated wait, the message rules
//! and how a chat ends (dispositions). Pure rules: the service gathers the facts.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Whom an operator answers for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Force {
    Police,
    Gendarmerie,
    /// The platform's own staff.
    Plateforme,
}

impl Force {
    pub const ALL: [Self; 3] = [Self::Police, Self::Gendarmerie, Self::Plateforme];

    pub fn code(self) -> &'static str {
        match self {
            Self::Police => "police",
            Self::Gendarmerie => "gendarmerie",
            Self::Plateforme => "plateforme",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Police => "Police nationale",
            Self::Gendarmerie => "Gendarmerie nationale",
            Self::Plateforme => "Équipe de la plateforme",
        }
    }

    /// Who the victim is talking to, as they read it.
    pub fn person(self) -> &'static str {
        match self {
            Self::Police => "un policier",
            Self::Gendarmerie => "un gendarme",
            Self::Plateforme => "un membre de l'équipe de la plateforme",
        }
    }
}

/// An operator's presence, as they set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// Takes new chats.
    Disponible,
    /// Keeps their chats, takes no new one.
    Occupe,
    /// Off duty: their chats go back to the queue.
    Absent,
}

impl Presence {
    pub const ALL: [Self; 3] = [Self::Disponible, Self::Occupe, Self::Absent];

    pub fn code(self) -> &'static str {
        match self {
            Self::Disponible => "disponible",
            Self::Occupe => "occupe",
            Self::Absent => "absent",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Disponible => "Disponible",
            Self::Occupe => "Occupé",
            Self::Absent => "Absent",
        }
    }

    /// On duty: counted among those who will answer.
    pub fn on_duty(self) -> bool {
        self != Self::Absent
    }
}

/// Where a chat stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChatStatus {
    /// In the queue, waiting for an operator.
    Waiting,
    /// An operator is answering.
    Active,
    /// Ended by the operator, with a disposition.
    Closed,
    /// The victim left before anyone answered.
    Abandoned,
}

impl ChatStatus {
    pub const ALL: [Self; 4] = [Self::Waiting, Self::Active, Self::Closed, Self::Abandoned];

    pub fn code(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Active => "active",
            Self::Closed => "closed",
            Self::Abandoned => "abandoned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Waiting => "en attente",
            Self::Active => "en cours",
            Self::Closed => "terminé",
            Self::Abandoned => "quitté avant une réponse",
        }
    }

    pub fn is_open(self) -> bool {
        matches!(self, Self::Waiting | Self::Active)
    }
}

/// Who wrote a line of the chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Author {
    Victim,
    Operator,
    /// What the platform says (waiting, an operator joined, the summary at the end).
    System,
}

impl Author {
    pub fn code(self) -> &'static str {
        match self {
            Self::Victim => "victim",
            Self::Operator => "operator",
            Self::System => "system",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Victim, Self::Operator, Self::System]
            .into_iter()
            .find(|a| a.code() == s)
    }
}

/// How an operator ends a chat; the victim receives what to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// Advice given; nothing more to do with us.
    Advice,
    /// The victim files a complaint online.
    OnlineComplaint,
    /// An appointment at a brigade or a commissariat.
    Appointment,
    /// An intervention is triggered (the worst cases).
    Intervention,
    /// Redirected to another service (Pharos, Perceval, …).
    Redirected,
    /// A professional is proposed: the assistance request, already filled in.
    Professional,
}

impl Disposition {
    pub const ALL: [Self; 6] = [
        Self::Advice,
        Self::OnlineComplaint,
        Self::Appointment,
        Self::Intervention,
        Self::Redirected,
        Self::Professional,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Advice => "advice",
            Self::OnlineComplaint => "online_complaint",
            Self::Appointment => "appointment",
            Self::Intervention => "intervention",
            Self::Redirected => "redirected",
            Self::Professional => "professional",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.code() == s)
    }

    /// As operators and supervisors read it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Advice => "Conseils donnés",
            Self::OnlineComplaint => "Plainte à déposer en ligne",
            Self::Appointment => "Rendez-vous proposé (brigade ou commissariat)",
            Self::Intervention => "Intervention déclenchée",
            Self::Redirected => "Réorientation vers un autre service",
            Self::Professional => "Professionnel proposé",
        }
    }

    /// The contacts registry's entries the victim's summary gives (a redirection names its
    /// own).
    pub fn contacts(self) -> &'static [&'static str] {
        match self {
            Self::OnlineComplaint => &["plainte_en_ligne", "thesee"],
            Self::Appointment => &["plainte_rendez_vous"],
            _ => &[],
        }
    }

    /// What the victim reads first in the summary.
    pub fn what_next(self) -> &'static str {
        match self {
            Self::Advice => {
                "Suivez les conseils donnés pendant l'échange ; vous les retrouvez ci-dessous avec la fiche réflexe de votre situation."
            }
            Self::OnlineComplaint => {
                "Déposez plainte en ligne avec les preuves que vous avez gardées (captures d'écran, messages, relevés)."
            }
            Self::Appointment => {
                "Prenez rendez-vous au commissariat ou à la brigade de gendarmerie de votre choix pour déposer plainte, avec vos preuves."
            }
            Self::Intervention => {
                "Une intervention est déclenchée : restez joignable et suivez les consignes qui vous ont été données."
            }
            Self::Redirected => {
                "Votre situation relève d'un autre service : contactez-le avec les éléments de l'échange."
            }
            Self::Professional => {
                "Un professionnel référencé peut vous aider : votre demande d'assistance est préparée, il vous reste à la vérifier et à l'envoyer."
            }
        }
    }

    /// A redirection names the service the victim is sent to.
    pub fn needs_target(self) -> bool {
        self == Self::Redirected
    }
}

/// The services an operator may redirect to: ids of the contacts registry.
pub const REDIRECTIONS: [&str; 9] = [
    "pharos",
    "perceval",
    "info_escroqueries",
    "thesee",
    "cnil_plainte",
    "e_enfance_3018",
    "violences_femmes_3919",
    "signal_conso",
    "cybermalveillance",
];

/// A message's text once checked: trimmed, not empty, at most [`MAX_MESSAGE_CHARS`], control
/// characters other than line breaks removed. The page escapes it when shown.
pub fn clean_message(text: &str) -> Result<String, &'static str> {
    let cleaned: String = text
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() {
        return Err("Écrivez votre message.");
    }
    if cleaned.chars().count() > MAX_MESSAGE_CHARS {
        return Err("Votre message est trop long : 2 000 caractères au plus.");
    }
    Ok(cleaned.to_owned())
}

pub const MAX_MESSAGE_CHARS: usize = 2000;

/// Chats an operator handles at once unless a supervisor says otherwise.
pub const DEFAULT_CAPACITY: i32 = 3;

/// A chat's priority in the queue: an urgent outcome first, then a situation whose fiche says
/// a person should be talked to, then the others.
pub fn priority(urgent: bool, talk_to_a_person: bool) -> i32 {
    match (urgent, talk_to_a_person) {
        (true, _) => 2,
        (false, true) => 1,
        (false, false) => 0,
    }
}

/// An operator as routing sees them.
#[derive(Debug, Clone, PartialEq)]
pub struct OperatorLoad {
    pub id: String,
    pub force: Force,
    pub presence: Presence,
    pub capacity: i32,
    /// Chats they answer now.
    pub active: i32,
    /// Since when they have had nothing new (their last chat assigned or ended).
    pub idle_since: NaiveDateTime,
}

impl OperatorLoad {
    pub fn can_take(&self) -> bool {
        self.presence == Presence::Disponible && self.active < self.capacity
    }
}

/// Whether an operator of `force` answers a chat asked of `wanted` (`None`: the police or the
/// gendarmerie, whoever is free; the platform's staff answer when neither is on duty).
pub fn answers_for(force: Force, wanted: Option<Force>) -> bool {
    match wanted {
        Some(w) => force == w,
        None => true,
    }
}

/// The operator a new chat goes to, as the best contact-centre tools route: among those
/// available for the chat's force and below their capacity, the fewest active chats; ties go
/// to the one idle the longest, then by id so the choice never depends on the order read.
/// Without a force asked, the police and the gendarmerie come before the platform's staff.
pub fn route(operators: &[OperatorLoad], wanted: Option<Force>) -> Option<&OperatorLoad> {
    let eligible = |o: &&OperatorLoad| o.can_take() && answers_for(o.force, wanted);
    let forces = operators
        .iter()
        .filter(eligible)
        .filter(|o| wanted.is_some() || o.force != Force::Plateforme);
    best(forces).or_else(|| best(operators.iter().filter(eligible)))
}

/// The fewest active chats, then the longest idle, then by id.
fn best<'a>(pool: impl Iterator<Item = &'a OperatorLoad>) -> Option<&'a OperatorLoad> {
    pool.min_by(|a, b| {
        a.active
            .cmp(&b.active)
            .then(a.idle_since.cmp(&b.idle_since))
            .then(a.id.cmp(&b.id))
    })
}

/// A waiting chat as the queue orders it.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiting {
    pub id: String,
    pub force: Option<Force>,
    pub priority: i32,
    /// Sent back by an operator who left: at the head of the queue.
    pub requeued: bool,
    pub queued_at: NaiveDateTime,
}

/// The queue's order: chats sent back first, then by priority, then the longest waiting.
pub fn queue_order(a: &Waiting, b: &Waiting) -> std::cmp::Ordering {
    b.requeued
        .cmp(&a.requeued)
        .then(b.priority.cmp(&a.priority))
        .then(a.queued_at.cmp(&b.queued_at))
        .then(a.id.cmp(&b.id))
}

/// Pairs waiting chats with operators, in queue order, each pairing changing the loads the
/// next one sees. Returns (chat, operator) pairs.
pub fn dispatch(queue: &[Waiting], operators: &[OperatorLoad]) -> Vec<(String, String)> {
    let mut queue: Vec<&Waiting> = queue.iter().collect();
    queue.sort_by(|a, b| queue_order(a, b));
    let mut loads = operators.to_vec();
    let mut pairs = Vec::new();
    for chat in queue {
        let Some(chosen) = route(&loads, chat.force).map(|o| o.id.clone()) else {
            continue;
        };
        if let Some(o) = loads.iter_mut().find(|o| o.id == chosen) {
            o.active += 1;
        }
        pairs.push((chat.id.clone(), chosen));
    }
    pairs
}

/// Minutes a victim at `position` (1 for the next) may wait: the recent handling times' median
/// (8 minutes without any), shared among the places free or freed by the operators on duty.
/// `None` when nobody is on duty.
pub fn estimated_wait_minutes(
    position: usize,
    recent_handling_minutes: &[f64],
    places_on_duty: i64,
) -> Option<i64> {
    if places_on_duty <= 0 {
        return None;
    }
    let mut times: Vec<f64> = recent_handling_minutes
        .iter()
        .copied()
        .filter(|m| m.is_finite() && *m >= 0.0)
        .collect();
    times.sort_by(f64::total_cmp);
    let median = if times.is_empty() {
        8.0
    } else if times.len() % 2 == 1 {
        times[times.len() / 2]
    } else {
        (times[times.len() / 2 - 1] + times[times.len() / 2]) / 2.0
    };
    let rounds = (position as f64 / places_on_duty as f64).ceil();
    Some((rounds * median).ceil().max(1.0) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(minute: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 5)
            .unwrap()
            .and_hms_opt(10, minute, 0)
            .unwrap()
    }

    fn op(id: &str, force: Force, active: i32, idle: u32) -> OperatorLoad {
        OperatorLoad {
            id: id.into(),
            force,
            presence: Presence::Disponible,
            capacity: 3,
            active,
            idle_since: at(idle),
        }
    }

    #[test]
    fn a_chat_goes_to_the_least_loaded_then_the_longest_idle() {
        let ops = [
            op("a", Force::Police, 2, 0),
            op("b", Force::Gendarmerie, 1, 30),
            op("c", Force::Police, 1, 10),
        ];
        assert_eq!(
            route(&ops, None).unwrap().id,
            "c",
            "fewest, then idle longest"
        );
        assert_eq!(route(&ops, Some(Force::Gendarmerie)).unwrap().id, "b");
        assert_eq!(route(&ops, Some(Force::Plateforme)), None);
    }

    #[test]
    fn capacity_and_presence_are_respected() {
        let mut busy = op("a", Force::Police, 0, 0);
        busy.presence = Presence::Occupe;
        let full = op("b", Force::Police, 3, 0);
        let mut away = op("c", Force::Police, 0, 0);
        away.presence = Presence::Absent;
        assert_eq!(route(&[busy, full, away], None), None);
    }

    #[test]
    fn the_platform_answers_only_when_no_force_can() {
        let ops = [
            op("staff", Force::Plateforme, 0, 0),
            op("p", Force::Police, 2, 5),
        ];
        assert_eq!(route(&ops, None).unwrap().id, "p");
        let ops = [
            op("staff", Force::Plateforme, 0, 0),
            op("p", Force::Police, 3, 5),
        ];
        assert_eq!(route(&ops, None).unwrap().id, "staff");
    }

    #[test]
    fn dispatch_follows_the_queue_and_fills_capacity_exactly() {
        let waiting = |id: &str, priority, requeued, minute| Waiting {
            id: id.into(),
            force: None,
            priority,
            requeued,
            queued_at: at(minute),
        };
        let queue = [
            waiting("old", 0, false, 0),
            waiting("urgent", 2, false, 20),
            waiting("sent-back", 0, true, 40),
            waiting("person", 1, false, 10),
            waiting("last", 0, false, 50),
        ];
        let mut one = op("a", Force::Police, 0, 0);
        one.capacity = 2;
        let mut two = op("b", Force::Gendarmerie, 0, 1);
        two.capacity = 2;
        let pairs = dispatch(&queue, &[one, two]);
        assert_eq!(
            pairs,
            [
                ("sent-back".to_owned(), "a".to_owned()),
                ("urgent".to_owned(), "b".to_owned()),
                ("person".to_owned(), "a".to_owned()),
                ("old".to_owned(), "b".to_owned()),
            ]
        );
    }

    #[test]
    fn the_wait_is_the_median_handling_time_per_round_of_free_places() {
        assert_eq!(estimated_wait_minutes(1, &[], 0), None);
        assert_eq!(estimated_wait_minutes(1, &[], 3), Some(8));
        assert_eq!(estimated_wait_minutes(4, &[4.0, 10.0, 6.0], 3), Some(12));
        assert_eq!(estimated_wait_minutes(2, &[4.0, 10.0], 6), Some(7));
    }

    #[test]
    fn messages_are_trimmed_limited_and_cleaned() {
        assert_eq!(
            clean_message("  bonjour\r\nà vous \u{7}"),
            Ok("bonjour\nà vous".into())
        );
        assert!(clean_message(" \n ").is_err());
        assert!(clean_message(&"a".repeat(2001)).is_err());
        assert!(clean_message(&"é".repeat(2000)).is_ok());
    }

    #[test]
    fn priorities() {
        assert_eq!(priority(true, false), 2);
        assert_eq!(priority(false, true), 1);
        assert_eq!(priority(false, false), 0);
    }
}

//! The provider record as the rest of the service sees it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::audience::Audience;
use super::label::LabelStatus;
use super::zone::Zone;

/// Referencing states (the workflow itself comes with the referencing issue); only
/// `approved` providers are published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReferencingStatus {
    Draft,
    Submitted,
    InReview,
    ChangesRequested,
    Approved,
    Rejected,
    Suspended,
    Removed,
    Withdrawn,
}

impl ReferencingStatus {
    pub const ALL: [Self; 9] = [
        Self::Draft,
        Self::Submitted,
        Self::InReview,
        Self::ChangesRequested,
        Self::Approved,
        Self::Rejected,
        Self::Suspended,
        Self::Removed,
        Self::Withdrawn,
    ];

    /// Whether a provider in this state is in what the public reads (the search, the open
    /// data): a change to any other (a draft, a file under review) moves nothing published.
    pub fn is_public(self) -> bool {
        matches!(self, Self::Approved | Self::Suspended)
    }

    /// The state stored as `s`; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::InReview => "in_review",
            Self::ChangesRequested => "changes_requested",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Suspended => "suspended",
            Self::Removed => "removed",
            Self::Withdrawn => "withdrawn",
        }
    }
}

/// An ExpertCyber label as shown to the public.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LabelSummary {
    /// `EC-YYYY-NNNN`.
    pub number: String,
    pub status: LabelStatus,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    /// A renewal submitted before `valid_until` and being examined by staff or the auditor
    /// holds the label valid until its decision, but no later than this day.
    #[serde(skip)]
    pub renewal_until: Option<NaiveDate>,
}

/// A label's state as it stands `today`, from its stored state, end date and the day a
/// renewal under examination holds it to ([`LabelSummary::as_of`]).
pub fn status_as_of(
    stored: LabelStatus,
    valid_until: NaiveDate,
    renewal_until: Option<NaiveDate>,
    today: NaiveDate,
) -> LabelStatus {
    let held_through = valid_until.max(renewal_until.unwrap_or_default());
    if stored == LabelStatus::Valid && held_through < today {
        LabelStatus::Expired
    } else {
        stored
    }
}

impl LabelSummary {
    /// The last day the label counts as valid (later than `valid_until` while a renewal holds
    /// it); None unless it is valid.
    pub fn valid_through(&self) -> Option<NaiveDate> {
        (self.status == LabelStatus::Valid).then(|| self.held_through())
    }

    /// Its end date, or the later day a renewal under examination holds it to.
    pub fn held_through(&self) -> NaiveDate {
        self.valid_until.max(self.renewal_until.unwrap_or_default())
    }

    /// A label is shown as expired from the day after it stops counting as valid, even before
    /// the scheduled job records it.
    pub fn as_of(mut self, today: NaiveDate) -> Self {
        self.status = status_as_of(self.status, self.valid_until, self.renewal_until, today);
        self
    }

    pub fn is_valid_on(&self, day: NaiveDate) -> bool {
        self.valid_from <= day && self.valid_through().is_some_and(|last| day <= last)
    }
}

/// A provider with everything the directory publishes.
#[derive(Debug, Clone, PartialEq)]
pub struct Provider {
    pub id: String,
    pub legal_name: String,
    pub name: String,
    pub siret: String,
    pub address_line: String,
    pub postcode: String,
    pub commune_code: Option<String>,
    pub city: String,
    pub latitude: f64,
    pub longitude: f64,
    pub phone: String,
    pub email: String,
    pub website: Option<String>,
    pub description: String,
    pub audiences: Vec<Audience>,
    pub incident_types: Vec<String>,
    pub remote: bool,
    pub zone: Zone,
    pub status: ReferencingStatus,
    pub label: Option<LabelSummary>,
}

impl Provider {
    /// The name an email greets the organisation by (a draft may not have one yet).
    pub fn display_name(&self) -> String {
        if self.name.is_empty() {
            "votre organisation".to_owned()
        } else {
            self.name.clone()
        }
    }

    /// The département of the address (from the commune, else the postcode).
    pub fn departement(&self) -> Option<String> {
        self.commune_code
            .as_deref()
            .and_then(super::zone::departement_of_commune)
            .map(str::to_owned)
            .or_else(|| super::zone::departement_of_postcode(&self.postcode))
    }

    /// What staff find the organisation by in their lists, folded as their search is: its
    /// names, SIRET, email, commune and postcode.
    pub fn staff_search_text(&self) -> String {
        super::text::fold(
            &[
                self.name.as_str(),
                &self.legal_name,
                &self.siret,
                &self.email,
                &self.city,
                &self.postcode,
            ]
            .join(" "),
        )
    }

    /// The key the staff lists sort by name on: the trade name, else the legal name, folded
    /// (the same order on both databases, whatever their collation).
    pub fn sort_name(&self) -> String {
        let shown = if self.name.is_empty() {
            &self.legal_name
        } else {
            &self.name
        };
        super::text::fold(shown)
    }
}

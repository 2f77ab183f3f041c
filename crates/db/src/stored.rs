//! Domain enums stored as text: typed in rows, written and read through their `as_str` and
//! `parse`, so that a row with an unknown value is an error, never a silent default. This is
//! their writing and reading on the service's `MultiBackend`; each backend's own writing (for
//! batch inserts) is in the domain crate, where the types are (`cyberdir_domain::stored`).

use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;

use super::MultiBackend;
use cyberdir_domain::assistance::{AssignmentStatus, CommentStatus, RequestStatus};
use cyberdir_domain::content::editorial::VersionState;
use cyberdir_domain::label::LabelStatus;
use cyberdir_domain::label_application::{ApplicationKind, ApplicationStatus, FeeStatus};
use cyberdir_domain::observatory::correction::CorrectionState;
use cyberdir_domain::outbox::OutboxStatus;
use cyberdir_domain::partner::PartnerState;
use cyberdir_domain::referencing::ChangeRequestStatus;

macro_rules! stored_as_text {
    ($($ty:ty),+ $(,)?) => {$(
        impl ToSql<Text, MultiBackend> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
                <str as ToSql<Text, MultiBackend>>::to_sql(self.as_str(), out)
            }
        }

        impl FromSql<Text, MultiBackend> for $ty {
            fn from_sql(
                bytes: <MultiBackend as diesel::backend::Backend>::RawValue<'_>,
            ) -> deserialize::Result<Self> {
                let stored = <String as FromSql<Text, MultiBackend>>::from_sql(bytes)?;
                <$ty>::parse(&stored).ok_or_else(|| {
                    format!("unknown {} {stored:?}", stringify!($ty)).into()
                })
            }
        }
    )+};
}

stored_as_text!(
    ChangeRequestStatus,
    LabelStatus,
    ApplicationStatus,
    FeeStatus,
    ApplicationKind,
    RequestStatus,
    AssignmentStatus,
    CommentStatus,
    OutboxStatus,
    PartnerState,
    VersionState,
    CorrectionState,
);

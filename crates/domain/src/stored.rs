//! The domain's enums stored as text, written on each database backend directly (the
//! service's `MultiBackend` writes and reads them in `db::stored`, as the orphan rule wants).

use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;

use crate::assistance::{AssignmentStatus, CommentStatus, RequestStatus};
use crate::content::editorial::VersionState;
use crate::label::LabelStatus;
use crate::label_application::{ApplicationKind, ApplicationStatus, FeeStatus};
use crate::observatory::correction::CorrectionState;
use crate::outbox::OutboxStatus;
use crate::partner::PartnerState;
use crate::referencing::ChangeRequestStatus;

macro_rules! written_as_text {
    ($($ty:ty),+ $(,)?) => {$(
        #[cfg(feature = "sqlite")]
        impl ToSql<Text, diesel::sqlite::Sqlite> for $ty {
            fn to_sql<'b>(
                &'b self,
                out: &mut Output<'b, '_, diesel::sqlite::Sqlite>,
            ) -> serialize::Result {
                <str as ToSql<Text, diesel::sqlite::Sqlite>>::to_sql(self.as_str(), out)
            }
        }

        #[cfg(feature = "postgres")]
        impl ToSql<Text, diesel::pg::Pg> for $ty {
            fn to_sql<'b>(
                &'b self,
                out: &mut Output<'b, '_, diesel::pg::Pg>,
            ) -> serialize::Result {
                <str as ToSql<Text, diesel::pg::Pg>>::to_sql(self.as_str(), out)
            }
        }

    )+};
}

written_as_text!(
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

//! One way to page through every list, for the API and the pages.

use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{AppError, FieldErrors};

/// The furthest page anyone may ask for: beyond, offsets overflow the databases' integers.
pub const MAX_PAGE: i64 = 100_000;

/// `?page=&limit=` as a list's query carries them.
#[derive(Debug, Default, Clone, Copy, Deserialize, IntoParams)]
pub struct PageQuery {
    /// From 1 (default) to 100 000.
    pub page: Option<i64>,
    /// Results per page (each list has its default and maximum).
    pub limit: Option<i64>,
}

/// A checked page of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: i64,
    pub limit: i64,
}

impl Paging {
    /// The page asked for; a page or limit out of range is a field error (422), never a
    /// silent change of what the caller asked for.
    pub fn of(query: PageQuery, default_limit: i64, max_limit: i64) -> Result<Self, AppError> {
        let mut errors = FieldErrors::new();
        let page = query.page.unwrap_or(1);
        if !(1..=MAX_PAGE).contains(&page) {
            errors.insert(
                "page".into(),
                vec![format!("Numéro de page invalide (de 1 à {MAX_PAGE}).")],
            );
        }
        let limit = query.limit.unwrap_or(default_limit);
        if !(1..=max_limit).contains(&limit) {
            errors.insert(
                "limit".into(),
                vec![format!(
                    "Nombre de résultats par page invalide (de 1 à {max_limit})."
                )],
            );
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        Ok(Self { page, limit })
    }

    /// Rows to skip.
    pub fn offset(self) -> i64 {
        (self.page - 1) * self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_out_of_range_are_refused_by_name() {
        let q = |page, limit| PageQuery { page, limit };
        assert_eq!(
            Paging::of(q(None, None), 20, 100).unwrap(),
            Paging { page: 1, limit: 20 }
        );
        assert_eq!(
            Paging::of(q(Some(3), Some(5)), 20, 100).unwrap().offset(),
            10
        );
        for (page, limit, field) in [
            (Some(0), None, "page"),
            (Some(i64::MAX), None, "page"),
            (Some(-4), None, "page"),
            (None, Some(0), "limit"),
            (None, Some(101), "limit"),
        ] {
            match Paging::of(q(page, limit), 20, 100) {
                Err(AppError::Validation(errors)) => assert!(errors.contains_key(field)),
                other => panic!("{page:?} {limit:?}: {other:?}"),
            }
        }
    }
}

//! What every staff list shares on its page: the page sizes, the columns that sort (links that
//! work without JavaScript, `aria-sort` for screen readers) and the size chooser; and, for the
//! lists small enough to be read whole (label applications, partners, alerts, accounts), their
//! order and page applied in memory ([`Arrangement`]). The lists that grow without bound
//! (organisations, assistance requests, labels, failed emails) read the same `Arrangement`
//! from the address but are sorted and paged by the database (`db::provider_queue`,
//! `db::assistance::staff_list`, `db::label_register`, `db::outbox::list_searched`).

use serde::Serialize;

use crate::error::{FieldErrors, push_error};

/// The page sizes staff choose from; the first is the default.
pub const PAGE_SIZES: [usize; 3] = [20, 50, 100];

/// The page size asked for (`par`): one of `PAGE_SIZES`, else a French message.
pub fn page_size(raw: Option<&str>) -> Result<usize, String> {
    let raw = raw.map(str::trim).unwrap_or_default();
    if raw.is_empty() {
        return Ok(PAGE_SIZES[0]);
    }
    raw.parse::<usize>()
        .ok()
        .filter(|n| PAGE_SIZES.contains(n))
        .ok_or_else(|| "Nombre de lignes par page invalide : choisissez 20, 50 ou 100.".to_owned())
}

/// An option of the page size chooser.
#[derive(Serialize, Debug)]
pub struct SizeChoice {
    pub value: usize,
    pub selected: bool,
}

pub fn size_choices(current: usize) -> Vec<SizeChoice> {
    PAGE_SIZES
        .iter()
        .map(|&value| SizeChoice {
            value,
            selected: value == current,
        })
        .collect()
}

/// A column's heading: its label, the link that sorts by it (ascending first; descending when
/// it is already ascending), and how it sorts now.
#[derive(Serialize, Debug)]
pub struct SortHeader {
    pub label: &'static str,
    pub href: String,
    /// `ascending` or `descending` when the list is sorted by this column (`aria-sort`).
    pub sort: Option<&'static str>,
    /// What the link does, for screen readers and the tooltip.
    pub action: String,
}

/// The headings of sortable columns, given the order in force (`nom`, `-modifie`) and how a
/// link with another order is written.
pub fn sort_headers(
    columns: &[(&'static str, &'static str)],
    current: &str,
    link: impl Fn(&str) -> String,
) -> Vec<SortHeader> {
    columns
        .iter()
        .map(|&(param, label)| {
            let ascending = current == param;
            let descending = current.strip_prefix('-') == Some(param);
            let next = if ascending {
                format!("-{param}")
            } else {
                param.to_owned()
            };
            SortHeader {
                label,
                href: link(&next),
                sort: if ascending {
                    Some("ascending")
                } else if descending {
                    Some("descending")
                } else {
                    None
                },
                action: if ascending {
                    format!("Trier par {} en ordre décroissant", label.to_lowercase())
                } else {
                    format!("Trier par {} en ordre croissant", label.to_lowercase())
                },
            }
        })
        .collect()
}

/// A département typed in a list's filter, by number (`35`, `2A`, `974`, `1` for `01`) or by
/// name (accents, case, dashes and spaces ignored): its code, or the message beside `departement`.
pub fn departement_filter(
    state: &crate::state::AppState,
    typed: &str,
    errors: &mut FieldErrors,
) -> Option<String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return None;
    }
    let code = typed.to_uppercase();
    let code = if code.len() == 1 && code.chars().all(|c| c.is_ascii_digit()) {
        format!("0{code}")
    } else {
        code
    };
    let simple = |s: &str| {
        deunicode::deunicode(s)
            .to_lowercase()
            .replace(['-', ' ', '\''], "")
    };
    let found = state.departements.get(&code).or_else(|| {
        state
            .departements
            .all()
            .iter()
            .find(|d| simple(&d.name) == simple(typed))
    });
    if found.is_none() {
        push_error(
            errors,
            "departement",
            format!(
                "Département inconnu : « {typed} ». Indiquez son numéro (35, 2A, 974…) ou son nom."
            ),
        );
    }
    found.map(|d| d.code.clone())
}

/// A day typed in a list's filter (`aaaa-mm-jj` from a date field, or `jj/mm/aaaa`).
fn day_filter(raw: &str, field: &str, errors: &mut FieldErrors) -> Option<chrono::NaiveDate> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let parsed = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .or_else(|_| chrono::NaiveDate::parse_from_str(raw, "%d/%m/%Y"));
    if parsed.is_err() {
        push_error(
            errors,
            field,
            "Date invalide : utilisez le format jj/mm/aaaa.",
        );
    }
    parsed.ok()
}

/// The days of a list's `du` and `au` filters as instants in UTC: from the start of the first
/// day in Paris, to the end of the last one (inclusive); a last day before the first is said.
pub fn days_between(
    du: &str,
    au: &str,
    errors: &mut FieldErrors,
) -> (Option<chrono::NaiveDateTime>, Option<chrono::NaiveDateTime>) {
    let since = day_filter(du, "du", errors);
    let until = day_filter(au, "au", errors);
    if let (Some(s), Some(u)) = (since, until)
        && u < s
    {
        push_error(errors, "au", "La date de fin précède la date de début.");
    }
    (
        since.map(crate::french::paris_midnight),
        until
            .and_then(|d| d.succ_opt())
            .map(crate::french::paris_midnight),
    )
}

/// A list's address: its filters as typed, then its order, page size and page, each left
/// out when it is the default (`default_order`, the first page size, the first page), so that
/// the list as it opens has the plainest address.
pub fn list_link(
    path: &str,
    filters: &[(&str, &str)],
    (order, default_order): (&str, &str),
    per_page: usize,
    page: usize,
) -> String {
    let (page, per_page) = (page.to_string(), per_page.to_string());
    let mut pairs = filters.to_vec();
    pairs.push(("tri", if order == default_order { "" } else { order }));
    let default_size = per_page == PAGE_SIZES[0].to_string();
    pairs.push(("par", if default_size { "" } else { &per_page }));
    pairs.push(("page", if page == "1" { "" } else { &page }));
    crate::web::kit::with_query(path, &pairs)
}

/// What a list read whole shows around its rows, the same on each such page (labels,
/// partners, alerts): how many rows, its tabs by state, its columns that sort, its pages and
/// page sizes, the state, search and order kept by its forms, the CSV of what is shown, and
/// what was wrong in the asking.
#[derive(Serialize, Debug)]
pub struct ListTools {
    pub summary: String,
    pub tabs: Vec<crate::web::kit::Tab>,
    pub headers: Vec<SortHeader>,
    pub pagination: crate::web::kit::Pagination,
    pub sizes: Vec<SizeChoice>,
    pub etat: String,
    pub search: String,
    pub tri: String,
    pub export: String,
    pub errors: std::collections::BTreeMap<String, String>,
}

/// The folded words of a list's search (`referencing::queue::search_words`); a refused
/// search is said beside its field and searches nothing.
pub fn search_words(typed: &str, errors: &mut FieldErrors) -> Vec<String> {
    match crate::referencing::queue::search_words(typed.trim()) {
        Ok(words) => words,
        Err(crate::error::AppError::Validation(refused)) => {
            errors.extend(refused);
            Vec::new()
        }
        Err(_) => Vec::new(),
    }
}

/// A list's answer: 200, or 422 when something asked for was refused (and said on the page).
pub fn status_of(errors: &FieldErrors) -> actix_web::http::StatusCode {
    if errors.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// A value a column of a list read whole sorts by; one column's values are of one kind.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SortKey {
    /// Accents and case ignored ("Équipe" with the e's).
    Text(String),
    /// A place in an order of the domain's (states in the order work goes through them).
    Rank(usize),
    Day(chrono::NaiveDate),
    Time(chrono::NaiveDateTime),
}

impl SortKey {
    pub fn text(text: &str) -> Self {
        Self::Text(crate::domain::text::fold(text))
    }
}

/// How a list read whole is asked for: its order (`tri`: a column, `-` first for the
/// reverse), its page size (`par`) and its page. What was wrong in the asking is said
/// beside its field, and the list shown as by default.
#[derive(Debug, Clone, PartialEq)]
pub struct Arrangement {
    /// The order in force, as its parameter (`prestataire`, `-modifie`).
    pub order: String,
    pub per_page: usize,
    pub page: usize,
}

impl Arrangement {
    pub fn read(
        columns: &[(&'static str, &'static str)],
        default: &str,
        tri: Option<&str>,
        par: Option<&str>,
        page: Option<&str>,
        errors: &mut FieldErrors,
    ) -> Self {
        let tri = tri.map(str::trim).unwrap_or_default();
        let known = columns
            .iter()
            .any(|(param, _)| tri.strip_prefix('-').unwrap_or(tri) == *param);
        let order = if tri.is_empty() || known {
            if tri.is_empty() { default } else { tri }
        } else {
            push_error(
                errors,
                "tri",
                "Ordre de tri inconnu : choisissez une colonne du tableau.",
            );
            default
        };
        let per_page = page_size(par).unwrap_or_else(|message| {
            push_error(errors, "par", message);
            PAGE_SIZES[0]
        });
        Self {
            order: order.to_owned(),
            per_page,
            page: crate::web::kit::page_number(page),
        }
    }

    /// Sorts `rows` by the order's column (`key(row, column)`; rows without a value last
    /// either way, ties in the order given) and keeps the page asked for, or the last one
    /// when the list is shorter. Returns how many rows there were, and the page shown.
    pub fn apply<T>(
        &self,
        rows: &mut Vec<T>,
        key: impl Fn(&T, &str) -> Option<SortKey>,
    ) -> (usize, usize) {
        let (column, descending) = match self.order.strip_prefix('-') {
            Some(column) => (column, true),
            None => (self.order.as_str(), false),
        };
        let mut keyed: Vec<(Option<SortKey>, T)> =
            rows.drain(..).map(|row| (key(&row, column), row)).collect();
        keyed.sort_by(|(a, _), (b, _)| match (a, b) {
            (Some(a), Some(b)) if descending => b.cmp(a),
            (Some(a), Some(b)) => a.cmp(b),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
        let total = keyed.len();
        let pages = total.div_ceil(self.per_page).max(1);
        let page = self.page.min(pages);
        rows.extend(
            keyed
                .into_iter()
                .skip((page - 1) * self.per_page)
                .take(self.per_page)
                .map(|(_, row)| row),
        );
        (total, page)
    }

    /// The order as the list's forms keep it: empty when it is `default`.
    pub fn kept_order(&self, default: &str) -> String {
        if self.order == default {
            String::new()
        } else {
            self.order.clone()
        }
    }

    /// Sorts every row, unpaged: an export holds the whole list in the order shown.
    pub fn sort_whole<T>(&self, rows: &mut Vec<T>, key: impl Fn(&T, &str) -> Option<SortKey>) {
        let whole = Self {
            per_page: rows.len().max(1),
            page: 1,
            ..self.clone()
        };
        whole.apply(rows, key);
    }
}

/// A list read whole as CSV for spreadsheets (UTF-8 with its byte-order mark): its header,
/// then its rows, downloaded as `filename` and sent as it is written, as every export is
/// (`download::streamed`).
pub fn csv_file(
    filename: &str,
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<actix_web::HttpResponse, crate::error::AppError> {
    let header: Vec<String> = header.iter().map(|&h| h.to_owned()).collect();
    let rows: Vec<Vec<String>> = rows.into_iter().collect();
    crate::http::download::streamed("text/csv; charset=utf-8", filename, filename, move |out| {
        let internal = |e: csv::Error| crate::error::AppError::Internal(e.to_string());
        std::io::Write::write_all(out, b"\xEF\xBB\xBF").map_err(|e| internal(e.into()))?;
        let mut csv = csv::Writer::from_writer(out);
        csv.write_record(&header).map_err(internal)?;
        for row in &rows {
            csv.write_record(row).map_err(internal)?;
        }
        csv.flush().map_err(|e| internal(e.into()))?;
        Ok(rows.len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_sorts_ascending_first_then_descending() {
        let headers = sort_headers(&[("nom", "Nom"), ("modifie", "Modifié")], "nom", |o| {
            format!("?tri={o}")
        });
        assert_eq!(headers[0].sort, Some("ascending"));
        assert_eq!(headers[0].href, "?tri=-nom");
        assert_eq!(headers[1].sort, None);
        assert_eq!(headers[1].href, "?tri=modifie");
        let headers = sort_headers(&[("nom", "Nom")], "-nom", |o| format!("?tri={o}"));
        assert_eq!(headers[0].sort, Some("descending"));
        assert_eq!(headers[0].href, "?tri=nom");
    }

    #[test]
    fn only_the_offered_page_sizes_are_taken() {
        assert_eq!(page_size(None), Ok(20));
        assert_eq!(page_size(Some(" 100 ")), Ok(100));
        for bad in ["0", "1000", "abc", "-20"] {
            assert!(page_size(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_list_read_whole_is_sorted_with_missing_values_last_and_paged() {
        let mut errors = FieldErrors::new();
        let columns = [("nom", "Nom"), ("jour", "Jour")];
        let asked = Arrangement::read(
            &columns,
            "nom",
            Some("-jour"),
            Some("20"),
            Some("2"),
            &mut errors,
        );
        assert!(errors.is_empty());
        let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2026, 1, d);
        let mut rows: Vec<(String, Option<chrono::NaiveDate>)> = (1..=25)
            .map(|i| {
                (
                    format!("Élan {i:02}"),
                    if i % 5 == 0 { None } else { day(i) },
                )
            })
            .collect();
        let key = |row: &(String, Option<chrono::NaiveDate>), column: &str| match column {
            "nom" => Some(SortKey::text(&row.0)),
            _ => row.1.map(SortKey::Day),
        };
        assert_eq!(asked.apply(&mut rows, key), (25, 2));
        // Page 2 of 20: the 20 valued days came first (24 January down to 1st), then the
        // five rows without one, in the order given.
        let names: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(
            names,
            ["Élan 05", "Élan 10", "Élan 15", "Élan 20", "Élan 25"]
        );
        let mut first = (1..=25)
            .map(|i| (format!("{i}"), if i % 5 == 0 { None } else { day(i) }))
            .collect();
        let one = Arrangement {
            page: 1,
            ..asked.clone()
        };
        assert_eq!(one.apply(&mut first, key), (25, 1));
        assert_eq!((first[0].0.as_str(), first[19].0.as_str()), ("24", "1"));

        // A page past the end shows the last; a wrong order or size is said, the default kept.
        let far = Arrangement::read(&columns, "nom", None, None, Some("9"), &mut errors);
        let mut rows: Vec<(String, Option<chrono::NaiveDate>)> =
            vec![("b".into(), None), ("A".into(), None)];
        assert_eq!(far.apply(&mut rows, key), (2, 1));
        assert_eq!(rows[0].0, "A", "by name, case ignored");
        let wrong = Arrangement::read(&columns, "nom", Some("prix"), Some("7"), None, &mut errors);
        assert_eq!(wrong.order, "nom");
        assert_eq!(wrong.per_page, 20);
        assert_eq!(errors.len(), 2, "{errors:?}");
    }
}

//! What every staff list shares on its page: the page sizes, the columns that sort (links that
//! work without JavaScript, `aria-sort` for screen readers) and the size chooser.

use serde::Serialize;

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
#[derive(Serialize)]
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
}

//! Finding fiches: by words, audience, kind, theme or threat.

use super::{Fiche, Kind, Library};
use crate::audience::Audience;

/// What the visitor asked for; empty means everything.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Words that must all appear (folded: "rancongiciel" finds "Rançongiciel").
    pub words: String,
    pub audience: Option<Audience>,
    pub kind: Option<Kind>,
    pub theme: Option<String>,
    /// An incident type's code.
    pub threat: Option<String>,
}

use crate::text::fold;

/// The fiches that match: fiches réflexes first, those whose title has the words first, then
/// by title.
pub fn matching<'a>(library: &'a Library, filters: &Filters) -> Vec<&'a Fiche> {
    let words: Vec<String> = fold(&filters.words)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 1)
        .map(str::to_owned)
        .collect();
    let mut found: Vec<&Fiche> = library
        .fiches
        .values()
        .filter(|f| {
            let m = &f.meta;
            filters.audience.is_none_or(|a| m.audiences.contains(&a))
                && filters.kind.is_none_or(|k| m.kind == k)
                && filters.theme.as_ref().is_none_or(|t| m.themes.contains(t))
                && filters
                    .threat
                    .as_ref()
                    .is_none_or(|t| m.incidents.contains(t))
                && words.iter().all(|w| f.folded.contains(w.as_str()))
        })
        .collect();
    let key = |f: &Fiche| {
        let title = fold(&f.meta.title);
        let in_title = words.iter().filter(|w| title.contains(w.as_str())).count();
        (f.meta.kind, std::cmp::Reverse(in_title), title)
    };
    found.sort_by_cached_key(|f| key(f));
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{read_files, shipped_files};

    #[test]
    fn words_without_accents_and_filters_find_the_fiches() {
        let library = read_files(&shipped_files());
        let slugs = |filters: &Filters| -> Vec<String> {
            matching(&library, filters)
                .iter()
                .map(|f| f.meta.slug.clone())
                .collect()
        };
        let all = slugs(&Filters::default());
        assert_eq!(all.len(), library.fiches.len());
        let ransom = slugs(&Filters {
            words: "RANCONGICIEL".into(),
            ..Filters::default()
        });
        assert_eq!(ransom.first().map(String::as_str), Some("rancongiciel"));
        let threat = slugs(&Filters {
            threat: Some("faux_support_technique".into()),
            ..Filters::default()
        });
        assert!(
            threat.contains(&"faux-support-technique".to_owned()),
            "{threat:?}"
        );
        let memos = slugs(&Filters {
            kind: Some(Kind::Memo),
            ..Filters::default()
        });
        assert!(!memos.is_empty() && memos.len() < all.len());
        let companies = slugs(&Filters {
            audience: Some(Audience::Entreprise),
            ..Filters::default()
        });
        assert!(!companies.contains(&"sextorsion".to_owned()));
    }
}

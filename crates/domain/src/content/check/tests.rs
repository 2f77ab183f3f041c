use super::*;

use crate::content::{read_files as read, shipped_files};

fn taxonomy() -> Taxonomy {
    Taxonomy::from_fixture().unwrap()
}

/// The shipped library with one fiche's text changed by `edit`.
fn with_fiche(slug: &str, edit: impl Fn(&str) -> String) -> Vec<ContentError> {
    let mut files = shipped_files();
    let path = format!("fiches/{slug}.md");
    let file = files.iter_mut().find(|(p, _)| *p == path).unwrap();
    file.1 = edit(&file.1);
    check(&read(&files), &taxonomy())
}

fn reasons(errors: &[ContentError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.at, e.reason))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_shipped_library_passes() {
    let library = read(&shipped_files());
    let errors = check(&library, &taxonomy());
    assert!(errors.is_empty(), "{}", reasons(&errors));
    // One fiche réflexe per incident type, found by its code.
    for incident in taxonomy().all() {
        let fiche = library.reflexe_for(&incident.code).unwrap();
        assert!(fiche.steps().len() >= 3, "{}", fiche.meta.slug);
    }
}

#[test]
fn a_threat_without_its_fiche_is_refused() {
    let files: Vec<_> = shipped_files()
        .into_iter()
        .filter(|(p, _)| p != "fiches/rancongiciel.md")
        .collect();
    let errors = check(&read(&files), &taxonomy());
    assert_eq!(
        reasons(&errors),
        "fiches: le type d'incident « rancongiciel » n'a pas de fiche réflexe"
    );
}

#[test]
fn an_unknown_or_emergency_contact_is_refused() {
    let errors = with_fiche("spam", |t| {
        t.replacen(
            "contacts = [",
            "contacts = [\"inconnu\", \"police_secours_17\", ",
            1,
        )
    });
    let text = reasons(&errors);
    assert!(
        text.contains("le contact « inconnu » n'existe pas"),
        "{text}"
    );
    assert!(
        text.contains("le contact d'urgence « police_secours_17 »"),
        "{text}"
    );
    assert_eq!(errors.len(), 2, "{text}");
}

#[test]
fn an_emergency_number_outside_the_danger_section_is_refused() {
    let errors = with_fiche("hameconnage", |t| {
        t.replacen("1. ", "1. Appelez le 17.\n1. ", 1)
    });
    assert_eq!(
        reasons(&errors),
        "fiches/hameconnage.md: « Que faire maintenant » : le numéro d'urgence 17 n'a sa place que dans « Si vous êtes en danger »"
    );
    // 17Cyber is not the emergency number.
    assert!(
        with_fiche("hameconnage", |t| t.replacen(
            "1. ",
            "1. Allez sur 17Cyber.\n1. ",
            1
        ))
        .is_empty()
    );
}

#[test]
fn a_step_written_twice_is_refused() {
    let errors = with_fiche("smishing", |t| {
        let first = t.lines().find(|l| l.starts_with("1. ")).unwrap().to_owned();
        t.replacen(
            &first,
            &format!("{first}\n{}", first.replacen("1. ", "2. ", 1)),
            1,
        )
    });
    let text = reasons(&errors);
    assert!(text.contains("est écrit deux fois"), "{text}");
}

#[test]
fn a_plain_http_link_is_refused() {
    let errors = with_fiche("spam", |t| {
        t.replacen("url = \"https://", "url = \"http://", 1)
    });
    let text = reasons(&errors);
    assert!(text.contains("doit être en https:// ou tel:"), "{text}");
}

#[test]
fn sections_out_of_order_and_unnumbered_steps_are_refused() {
    let errors = with_fiche("vishing", |t| {
        let moved = t.replacen("## Les signes", "## Les signes (déplacées)", 1);
        moved
            .replace("\n1. ", "\n- ")
            .replace("\n2. ", "\n- ")
            .replace("\n3. ", "\n- ")
    });
    let text = reasons(&errors);
    assert!(
        text.contains("n'est pas une section de fiche réflexe"),
        "{text}"
    );
    assert!(
        text.contains("il manque la section « Les signes »"),
        "{text}"
    );
    assert!(text.contains("est une liste numérotée"), "{text}");
}

#[test]
fn a_long_sentence_is_refused() {
    let long = "Faites ceci ".repeat(14);
    let errors = with_fiche("spam", |t| {
        t.replacen(
            "## Les signes\n",
            &format!("## Les signes\n\n- {long}.\n"),
            1,
        )
    });
    let text = reasons(&errors);
    assert!(text.contains("phrase de 28 mots (au plus 25)"), "{text}");
}

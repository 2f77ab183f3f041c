//! The tree checks on broken trees, and the shipped tree walked path by path.

use std::collections::BTreeSet;

use super::*;
use crate::taxonomy::Taxonomy;

fn taxonomy() -> Taxonomy {
    Taxonomy::from_fixture().unwrap()
}

/// A small valid tree: audience, then one question for everybody, ending in incident types
/// that concern each audience, and the whole taxonomy reduced to those.
fn small_taxonomy() -> Taxonomy {
    Taxonomy::parse(
        r#"[
        {"code":"rancongiciel","label":"Rançongiciel","category":"logiciel_malveillant",
         "audiences":["particulier","entreprise","collectivite"],"provider_can_help":true,
         "advice":"Débranchez.","redirections":[{"name":"Police","contact":"17","href":"tel:17"}]},
        {"code":"sextorsion","label":"Sextorsion","category":"escroquerie",
         "audiences":["particulier"],"provider_can_help":false,
         "advice":"Ne payez pas.","redirections":[]}
    ]"#,
    )
    .unwrap()
}

const SMALL: &str = r#"
version = "t1"
start = "public"

[question.public]
text = "Qui ?"
choices = [
  { id = "p", label = "Particulier", audience = "particulier", next = "quoi" },
  { id = "e", label = "Entreprise", audience = "entreprise", next = "quoi" },
  { id = "c", label = "Collectivité", audience = "collectivite", next = "quoi" },
]

[question.quoi]
text = "Quoi ?"
choices = [
  { id = "rancon", label = "Rançon", outcome = "rancon" },
  { id = "video", label = "Vidéo", audiences = ["particulier"], outcome = "sextorsion" },
  { id = "ne_sais_pas", label = "Je ne sais pas", outcome = "rancon" },
]

[outcome.rancon]
incident = "rancongiciel"
urgency = "immediate"
because = ["attack_under_way"]
now = ["Ne payez pas."]

[outcome.sextorsion]
incident = "sextorsion"
urgency = "standard"
"#;

/// Lists of a tree published before the fiches (read, no longer accepted for publication).
const OLD_ADVICE: &str = r#"
[advice.logiciel_malveillant]
evidence = ["La demande de rançon."]
never = ["Ne payez pas."]
"#;

fn library() -> crate::content::Library {
    crate::content::read_files(&crate::content::shipped_files())
}

fn errors_of(text: &str) -> Vec<String> {
    let tree = parse(text).unwrap();
    check(&tree, &small_taxonomy(), Some(&library()))
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn assert_refused(text: &str, expected: &str) {
    let errors = errors_of(text);
    assert!(
        errors.iter().any(|e| e == expected),
        "expected « {expected} » among {errors:#?}"
    );
}

#[test]
fn the_small_tree_is_valid() {
    let summary = check(&parse(SMALL).unwrap(), &small_taxonomy(), Some(&library())).unwrap();
    assert_eq!(summary.questions, 2);
    assert_eq!(summary.longest_path, 2);
    assert_eq!(summary.incident_types, 2);
}

#[test]
fn urgency_follows_its_stated_reasons() {
    // Urgent without saying why.
    let text = SMALL.replace("because = [\"attack_under_way\"]\n", "");
    assert_refused(
        &text,
        "issue « rancon » : une issue urgente (immediate) dit pourquoi (because : attack_under_way, money_just_sent, card_details_entered, person_in_danger)",
    );
    // A reason, but not urgent.
    let text = SMALL.replace("urgency = \"immediate\"", "urgency = \"prompt\"");
    assert_refused(
        &text,
        "issue « rancon » : because est donné : l'urgence est alors « immediate »",
    );
}

#[test]
fn contacts_come_from_the_registry_and_emergency_lines_only_when_urgent() {
    let calm = "[outcome.sextorsion]\nincident = \"sextorsion\"\nurgency = \"standard\"\n";
    let with = |extra: &str| SMALL.replace(calm, &format!("{calm}{extra}\n"));
    assert_refused(
        &with("contacts = [\"police_secours_17\"]"),
        "issue « sextorsion » : le numéro d'urgence « police_secours_17 » ne figure que dans une issue urgente (immediate)",
    );
    assert_refused(
        &with("now = [\"Appelez le 17 si vous avez peur.\"]"),
        "issue « sextorsion » : « Appelez le 17 si vous avez peur. » : le numéro d'urgence 17 ne figure que dans une issue urgente (immediate)",
    );
    assert_refused(
        &with("contacts = [\"inconnu\"]"),
        "issue « sextorsion » : le contact « inconnu » n'existe pas dans le registre",
    );
    assert_refused(
        &with("contacts = [{ name = \"Police\", contact = \"17\", href = \"tel:17\" }]"),
        "issue « sextorsion » : « Police » : indiquez l'identifiant d'un contact du registre (fixtures/content/contacts.toml)",
    );
    // The urgent outcome may name the emergency line.
    let urgent = SMALL.replace(
        "now = [\"Ne payez pas.\"]",
        "now = [\"Ne payez pas.\"]\ncontacts = [\"police_secours_17\"]",
    );
    assert!(
        check(
            &parse(&urgent).unwrap(),
            &small_taxonomy(),
            Some(&library())
        )
        .is_ok()
    );
}

#[test]
fn a_step_of_the_fiche_is_not_written_again_and_advice_tables_are_gone() {
    let library = library();
    let first = library.reflexe_for("sextorsion").unwrap().steps()[0].clone();
    let text = SMALL.replace(
        "urgency = \"standard\"",
        &format!("urgency = \"standard\"\nnow = [\"{first}\"]"),
    );
    assert_refused(
        &text,
        &format!(
            "issue « sextorsion » : l'étape « {first} » est déjà dans la fiche « sextorsion »"
        ),
    );
    assert_refused(
        &format!("{SMALL}{OLD_ADVICE}"),
        "conseils : les preuves à garder et ce qu'il ne faut pas faire sont dans les fiches (fixtures/content) : retirez les tables [advice]",
    );
    // A version published before the fiches is still read.
    let old = parse(&format!("{SMALL}{OLD_ADVICE}")).unwrap();
    assert!(check(&old, &small_taxonomy(), None).is_ok());
}

#[test]
fn a_loop_is_refused_at_the_choice_that_closes_it() {
    let text = SMALL.replace(
        r#"{ id = "ne_sais_pas", label = "Je ne sais pas", outcome = "rancon" }"#,
        r#"{ id = "ne_sais_pas", label = "Je ne sais pas", next = "quoi" }"#,
    );
    assert_refused(
        &text,
        "question « quoi », choix « ne_sais_pas » : boucle : revient à la question « quoi »",
    );
}

#[test]
fn a_dead_end_is_refused_with_the_audience_it_strands() {
    // Collectivités reach a question whose only choice is for individuals.
    let text = SMALL.replace("next = \"quoi\" },\n]", "next = \"seul\" },\n]")
        + r#"
[question.seul]
text = "Seul ?"
choices = [ { id = "video", label = "Vidéo", audiences = ["particulier"], outcome = "sextorsion" } ]
"#;
    assert_refused(
        &text,
        "question « seul » : impasse : aucun choix n'est proposé au public « collectivite »",
    );
}

#[test]
fn an_unknown_incident_type_or_target_is_named() {
    let text = SMALL.replace("incident = \"sextorsion\"", "incident = \"sextortion\"");
    assert_refused(
        &text,
        "issue « sextorsion » : le type d'incident « sextortion » n'existe pas",
    );
    let text = SMALL.replace("outcome = \"sextorsion\" }", "outcome = \"sextorsio\" }");
    assert_refused(
        &text,
        "question « quoi », choix « video » : l'issue « sextorsio » n'existe pas",
    );
}

#[test]
fn unreachable_questions_and_outcomes_are_named() {
    let text = SMALL.to_owned()
        + r#"
[question.orpheline]
text = "Jamais posée ?"
choices = [ { id = "a", label = "A", outcome = "perdue" } ]

[outcome.perdue]
incident = "rancongiciel"
urgency = "standard"
"#;
    assert_refused(
        &text,
        "question « orpheline » : jamais posée : aucun chemin n'y mène",
    );
    assert_refused(
        &text,
        "issue « perdue » : jamais atteinte : aucun chemin n'y mène",
    );
}

#[test]
fn an_incident_type_or_audience_left_out_is_named() {
    // No way to sextortion any more.
    let text = SMALL.replace(
        r#"  { id = "video", label = "Vidéo", audiences = ["particulier"], outcome = "sextorsion" },
"#,
        "",
    );
    let errors = errors_of(&text);
    assert!(errors.contains(
        &"type d'incident « sextorsion » : aucune issue n'y mène pour le public « particulier »"
            .to_owned()
    ));
    // An outcome offered to an audience its incident type does not concern.
    let text = SMALL.replace(r#"audiences = ["particulier"], outcome"#, "outcome");
    assert_refused(
        &text,
        "question « quoi », choix « video » : l'issue « sextorsion » (sextorsion) ne concerne pas le public « entreprise »",
    );
}

#[test]
fn a_file_that_is_not_a_tree_is_refused_with_its_line() {
    let error = parse("version = \"x\"\nstart = \"public\"\n[question.public\n").unwrap_err();
    assert_eq!(error.at, "fichier");
    assert!(error.reason.contains("ligne 3"), "{error}");
    let error =
        parse(&SMALL.replace("urgency = \"standard\"", "urgency = \"demain\"")).unwrap_err();
    assert!(error.reason.contains("demain"), "{error}");
}

#[test]
fn walking_follows_answers_and_drops_those_off_the_path() {
    let tree = parse(SMALL).unwrap();
    let mut answers = Answers::new();
    let Step::Question { id, choices, .. } = walk(&tree, &answers).unwrap() else {
        panic!("the audience comes first")
    };
    assert_eq!((id, choices.len()), ("public", 3));
    answers.insert("public".into(), "e".into());
    let Step::Question { id, choices, .. } = walk(&tree, &answers).unwrap() else {
        panic!()
    };
    // The individuals-only choice is not offered to a company.
    assert_eq!(id, "quoi");
    assert_eq!(
        choices.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["rancon", "ne_sais_pas"]
    );
    answers.insert("quoi".into(), "video".into());
    assert!(matches!(
        walk(&tree, &answers).unwrap(),
        Step::Question { id: "quoi", .. }
    ));
    answers.insert("public".into(), "p".into());
    let step = walk(&tree, &answers).unwrap();
    let Step::Outcome { id, audience, .. } = &step else {
        panic!()
    };
    assert_eq!(
        (*id, *audience),
        ("sextorsion", crate::audience::Audience::Particulier)
    );
    assert_eq!(step.kept_answers().len(), 2);
    assert_eq!(
        walk(&tree, &[("quoi".to_owned(), "rien".to_owned())].into()).unwrap_err(),
        WalkError::UnknownChoice {
            question: "quoi".into(),
            choice: "rien".into()
        }
    );
    assert_eq!(
        walk(&tree, &[("qui".to_owned(), "p".to_owned())].into()).unwrap_err(),
        WalkError::UnknownQuestion("qui".into())
    );
}

#[test]
fn an_outcome_of_an_old_tree_joins_the_situation_with_the_incident_advice() {
    let tree = parse(&format!("{SMALL}{OLD_ADVICE}")).unwrap();
    let taxonomy = small_taxonomy();
    let view = outcome_view(
        &tree,
        &taxonomy,
        &crate::content::Library::default(),
        "rancon",
        &tree.outcomes["rancon"],
        crate::audience::Audience::Collectivite,
    );
    assert_eq!(view.title, "Rançongiciel");
    assert_eq!(view.now, ["Ne payez pas.", "Débranchez."]);
    assert_eq!(view.evidence, ["La demande de rançon."]);
    assert_eq!(view.redirections[0].href.as_deref(), Some("tel:17"));
    assert!(view.professional);
}

/// Every path of the shipped tree, each audience: each ends in an outcome within the limit, and
/// together they reach all the incident types for every audience they concern.
#[test]
fn the_shipped_tree_reaches_every_incident_type_for_its_audiences() {
    let taxonomy = taxonomy();
    let tree = parse(SHIPPED).unwrap();
    let library = library();
    let summary = check(&tree, &taxonomy, Some(&library)).unwrap_or_else(|e| panic!("{e:#?}"));
    assert_eq!(summary.incident_types, taxonomy.all().len());
    assert!(summary.longest_path <= 6, "{summary:?}");

    let mut reached = BTreeSet::new();
    let mut paths = 0;
    let mut pending = vec![Answers::new()];
    while let Some(answers) = pending.pop() {
        match walk(&tree, &answers).unwrap() {
            Step::Question { id, choices, .. } => {
                assert!(!choices.is_empty(), "dead end at {id}");
                for c in choices {
                    let mut more = answers.clone();
                    more.insert(id.to_owned(), c.id.clone());
                    pending.push(more);
                }
            }
            Step::Outcome {
                id,
                outcome,
                audience,
                path,
            } => {
                paths += 1;
                assert!((2..=6).contains(&path.len()), "{id}: {path:?}");
                let view = outcome_view(&tree, &taxonomy, &library, id, outcome, audience);
                assert!(!view.title.is_empty() && !view.now.is_empty(), "{id}");
                assert!(!view.evidence.is_empty() && !view.never.is_empty(), "{id}");
                if let Some(code) = view.incident_type {
                    let t = taxonomy.get(&code).unwrap();
                    assert!(t.audiences.contains(&audience), "{id} for {audience:?}");
                    reached.insert(code);
                }
            }
        }
    }
    assert!(paths > 100, "{paths} paths");
    assert_eq!(reached.len(), 49);
    // "Je ne sais pas" is a real answer on every question but the audience, and never a dead end.
    for (id, q) in &tree.questions {
        if id != &tree.start {
            assert!(q.choices.iter().any(|c| c.id == "ne_sais_pas"), "{id}");
        }
    }
}

#[test]
fn the_common_cases_take_three_to_four_questions() {
    let tree = parse(SHIPPED).unwrap();
    for (answers, outcome) in [
        (
            vec![
                ("public", "collectivite"),
                ("situation", "rancon"),
                ("rancon_en_cours", "oui"),
            ],
            "rancongiciel_en_cours",
        ),
        (
            vec![
                ("public", "particulier"),
                ("situation", "message"),
                ("message", "video"),
            ],
            "sextorsion",
        ),
        (
            vec![
                ("public", "particulier"),
                ("situation", "message"),
                ("message", "lien"),
                ("saisie", "oui"),
            ],
            "hameconnage_saisi",
        ),
        (
            vec![
                ("public", "entreprise"),
                ("situation", "ne_sais_pas"),
                ("indices", "ne_sais_pas"),
            ],
            "indetermine",
        ),
    ] {
        let answers: Answers = answers
            .into_iter()
            .map(|(q, c)| (q.to_owned(), c.to_owned()))
            .collect();
        match walk(&tree, &answers).unwrap() {
            Step::Outcome { id, .. } => assert_eq!(id, outcome),
            other => panic!("{other:?}"),
        }
    }
}

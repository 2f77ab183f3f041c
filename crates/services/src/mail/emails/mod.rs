//! One struct per email, named after its folder in `templates/email/`, holding exactly the
//! values its templates use: a template variable can only be missing or misspelt here, where
//! the compiler and the snapshot tests see it, not at a call site.

/// Ties each struct to its folder under `templates/email/`.
macro_rules! templates {
    ($($email:ident => $template:literal),+ $(,)?) => {
        $(
            impl crate::mail::Email for $email {
                const TEMPLATE: &'static str = $template;
            }
        )+
    };
}

pub mod accounts;
pub mod assistance;
pub mod cases;
pub mod charter;
pub mod chat;
pub mod editorial;
pub mod label;
pub mod label_status;
pub mod observatory;
pub mod referencing;

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use crate::mail::{Email, Mailer};

    static MAILER: LazyLock<Mailer> = LazyLock::new(|| {
        Mailer::new("https://cyberdir.example", "Assistance cyber")
            .expect("the email templates compile")
    });

    /// Subject, text and HTML of one email, as one snapshot.
    pub fn rendered(email: &impl Email) -> String {
        let r = MAILER.render(email).expect("the email renders");
        format!(
            "Subject: {}\n\n---------- text ----------\n{}\n---------- html ----------\n{}",
            r.subject, r.text, r.html
        )
    }

    /// A template folder without a snapshot would be an email nobody checked.
    #[test]
    fn every_template_has_a_snapshot() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let snapshots: Vec<String> = std::fs::read_dir(root.join("src/mail/emails/snapshots"))
            .expect("snapshots folder")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        let mut missing = Vec::new();
        for entry in
            std::fs::read_dir(root.join("../../templates/email")).expect("templates folder")
        {
            let entry = entry.expect("entry");
            if !entry.file_type().expect("file type").is_dir() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            // Partials are parts of emails, snapshotted with them.
            if name == "partials" {
                continue;
            }
            // `<module>__tests__<template>[_<variant>].snap`
            let covered = snapshots.iter().any(|s| {
                s.split_once("__tests__")
                    .and_then(|(_, test)| test.strip_suffix(".snap"))
                    .is_some_and(|t| t == name || t.starts_with(&format!("{name}_")))
            });
            if !covered {
                missing.push(name);
            }
        }
        assert!(missing.is_empty(), "emails without a snapshot: {missing:?}");
    }

    /// A snapshot no test writes any more is a stale promise (what `cargo insta test
    /// --unreferenced=reject` refuses): each file names a test of its module, and no
    /// `.snap.new` waits for review.
    #[test]
    fn every_snapshot_belongs_to_a_test() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/mail/emails");
        let mut stale = Vec::new();
        for entry in std::fs::read_dir(root.join("snapshots")).expect("snapshots folder") {
            let file = entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned();
            let named = file
                .strip_prefix("cyberdir_services__mail__emails__")
                .and_then(|rest| rest.strip_suffix(".snap"))
                .and_then(|rest| rest.split_once("__tests__"));
            let Some((module, test)) = named else {
                stale.push(file);
                continue;
            };
            let source =
                std::fs::read_to_string(root.join(format!("{module}.rs"))).unwrap_or_default();
            // The second snapshot of one test is `<test>-2`.
            let test = match test.rsplit_once('-') {
                Some((base, n)) if n.chars().all(|c| c.is_ascii_digit()) => base,
                _ => test,
            };
            if !source.contains(&format!("fn {test}(")) {
                stale.push(file);
            }
        }
        assert!(stale.is_empty(), "snapshots without their test: {stale:?}");
    }
}

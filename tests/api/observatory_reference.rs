//! The references the wave detection is checked against are what R's `surveillance` package
//! computes: `scripts/ears-reference.R` and `scripts/farrington-reference.R` are run again (R
//! and the package are installed by `scripts/install-test-deps`) and their output must be the
//! checked-in files, byte for byte. The domain's tests compare the Rust EARS and Farrington
//! with those files, day by day and week by week.

use std::path::Path;
use std::process::Command;

/// Runs `script` and requires its output to be `fixture`, which holds over `min_lines` lines.
fn assert_regenerates(script: &str, fixture: &str, min_lines: usize) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new("Rscript")
        .arg(root.join(script))
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "Rscript is needed (scripts/install-test-deps installs r-cran-surveillance): {e}"
            )
        });
    assert!(
        output.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let checked_in = std::fs::read_to_string(root.join(fixture)).unwrap();
    let computed = String::from_utf8(output.stdout).unwrap();
    assert!(
        computed == checked_in,
        "{fixture} is not what R computes today; regenerate it with `Rscript {script} > {fixture}`"
    );
    assert!(checked_in.lines().count() > min_lines);
}

#[test]
fn the_ears_reference_file_is_what_the_r_package_computes() {
    assert_regenerates(
        "scripts/ears-reference.R",
        "fixtures/observatory/ears_reference.csv",
        2_000,
    );
}

#[test]
fn the_farrington_reference_file_is_what_the_r_package_computes() {
    assert_regenerates(
        "scripts/farrington-reference.R",
        "fixtures/observatory/farrington_reference.csv",
        1_200,
    );
}

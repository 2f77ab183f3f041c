//! The reference the wave detection is checked against is what R's `surveillance` package
//! computes: `scripts/ears-reference.R` is run again (R and the package are installed by
//! `scripts/install-test-deps`) and its output must be the checked-in file, byte for byte.
//! The domain's tests compare the Rust EARS with that file, day by day.

use std::path::Path;
use std::process::Command;

#[test]
fn the_ears_reference_file_is_what_the_r_package_computes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new("Rscript")
        .arg(root.join("scripts/ears-reference.R"))
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "Rscript is needed (scripts/install-test-deps installs r-cran-surveillance): {e}"
            )
        });
    assert!(
        output.status.success(),
        "the R script failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let checked_in =
        std::fs::read_to_string(root.join("fixtures/observatory/ears_reference.csv")).unwrap();
    let computed = String::from_utf8(output.stdout).unwrap();
    assert!(
        computed == checked_in,
        "fixtures/observatory/ears_reference.csv is not what R computes today; regenerate it \
         with `Rscript scripts/ears-reference.R > fixtures/observatory/ears_reference.csv`"
    );
    assert!(checked_in.lines().count() > 2_000);
}

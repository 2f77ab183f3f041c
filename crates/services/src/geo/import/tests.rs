use super::*;

const CSV: &str = "code_commune_insee;nom_de_la_commune;code_postal;libelle_d_acheminement;ligne_5;_geopoint\n\
    1001;L ABERGEMENT CLEMENCIAT;1400;L ABERGEMENT CLEMENCIAT;;46.15,4.93\n\
    75101;PARIS 01;75001;PARIS;;48.86,2.34\n\
    75102;PARIS 02;75002;PARIS;;48.87,2.35\n\
    2A004;AJACCIO;20000;AJACCIO;;41.93,8.74\n\
    97411;ST DENIS;97400;ST DENIS;;-20.93,55.44\n\
    XX;BAD;12345;BAD;;1,1\n\
    35238;RENNES;35000;RENNES;;\n";

#[test]
fn pads_codes_and_builds_paris_from_arrondissements() {
    let g = parse(CSV.as_bytes(), None::<&[u8]>).unwrap();
    let codes: Vec<&str> = g.communes.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(
        codes,
        vec!["01001", "2A004", "75056", "75101", "75102", "97411"]
    );
    let paris = g.communes.iter().find(|c| c.code == "75056").unwrap();
    assert!((paris.latitude - 48.865).abs() < 1e-9);
    assert_eq!(g.communes[0].name, "L Abergement Clemenciat");
    assert!(
        g.postcodes
            .iter()
            .any(|p| p.postcode == "01400" && p.commune_code == "01001")
    );
    assert_eq!(
        g.communes
            .iter()
            .find(|c| c.code == "75101")
            .unwrap()
            .parent_code
            .as_deref(),
        Some("75056")
    );
    assert_eq!(
        g.communes
            .iter()
            .find(|c| c.code == "97411")
            .unwrap()
            .departement_code,
        "974"
    );
    assert_eq!(g.skipped.get(SKIP_BAD_INSEE), Some(&1));
    assert_eq!(g.skipped.get(SKIP_NO_POINT), Some(&1));
}

#[test]
fn accepts_separate_latitude_longitude_columns() {
    let csv = "code_commune_insee,nom_commune,code_postal,latitude,longitude\n35238,RENNES,35000,48.11,-1.68\n";
    let g = parse(csv.as_bytes(), None::<&[u8]>).unwrap();
    assert_eq!(g.communes.len(), 1);
    assert!((g.communes[0].longitude + 1.68).abs() < 1e-9);
}

#[test]
fn missing_columns_are_named() {
    let err = parse("a;b\n1;2\n".as_bytes(), None::<&[u8]>).unwrap_err();
    assert!(err.to_string().contains("code_commune_insee"), "{err}");
}

#[test]
fn cog_gives_names_population_and_merges_former_communes() {
    let cog = r#"[
      {"code":"01001","nom":"L'Abergement-Clémenciat","type":"commune-actuelle","departement":"01","population":860},
      {"code":"75056","nom":"Paris","type":"commune-actuelle","departement":"75","population":2100000},
      {"code":"75101","nom":"Paris 1er Arrondissement","type":"arrondissement-municipal","commune":"75056","departement":"75","population":15000},
      {"code":"75102","nom":"Paris 2e Arrondissement","type":"arrondissement-municipal","commune":"75056","departement":"75","population":20000},
      {"code":"2A004","nom":"Ajaccio","type":"commune-actuelle","departement":"2A","population":76000},
      {"code":"35001","nom":"Nouvelle","type":"commune-actuelle","departement":"35","population":100},
      {"code":"35238","nom":"Ancienne","type":"commune-deleguee","chefLieu":"35001","departement":"35"}
    ]"#;
    let csv = format!("{CSV}35238;ANCIENNE;35999;X;;48.0,-1.0\n");
    let g = parse(csv.as_bytes(), Some(cog.as_bytes())).unwrap();
    let names: Vec<&str> = g.communes.iter().map(|c| c.name.as_str()).collect();
    assert!(names.contains(&"L'Abergement-Clémenciat"));
    let merged = g.communes.iter().find(|c| c.code == "35001").unwrap();
    assert_eq!((merged.latitude, merged.longitude), (48.0, -1.0));
    assert!(
        g.postcodes
            .iter()
            .any(|p| p.postcode == "35999" && p.commune_code == "35001")
    );
    // 97411 is not in this COG: skipped with its reason.
    assert_eq!(g.skipped.get(SKIP_UNKNOWN_TO_COG), Some(&1));
    let paris = g.communes.iter().find(|c| c.code == "75056").unwrap();
    assert_eq!(paris.population, 2_100_000);
}

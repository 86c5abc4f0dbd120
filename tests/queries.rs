//! Every prepared query over `tests/fixtures/store.trig`, a three-document store written by
//! hand, against results worked out by hand from it. Parameters are given as a user would: a
//! label in another language, an unknown label, an injection attempt.

use std::collections::BTreeMap;

use armsgraph::lexicon::Lexicon;
use armsgraph::query::{self, QueryError};
use armsgraph::store::GraphStore;
use oxigraph::io::{RdfFormat, RdfParser};

struct Fixture {
    store: GraphStore,
    lexicon: Lexicon,
}

fn fixture() -> Fixture {
    let lexicon = Lexicon::bundled().unwrap();
    let store = GraphStore::in_memory().unwrap();
    store.ensure_vocabulary(&lexicon).unwrap();
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/store.trig")).unwrap();
    for quad in RdfParser::from_format(RdfFormat::TriG).for_slice(text.as_bytes()) {
        store.store.insert(&quad.expect("the fixture parses")).unwrap();
    }
    // Written quad by quad, not through the store's document writes: the summary is built whole.
    assert!(store.rebuild_summary().unwrap() > 0);
    Fixture { store, lexicon }
}

type Row = BTreeMap<String, String>;

impl Fixture {
    fn run(&self, name: &str, params: &[(&str, &str)]) -> Result<Vec<Row>, QueryError> {
        let q = query::find(name)?;
        let pairs: Vec<(String, String)> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let bindings = query::bind(&self.store.store, &self.lexicon, &q, &pairs)?;
        let table = query::collect(query::run(&self.store.store, &q.text, &bindings)?, None)?;
        Ok(table
            .rows
            .iter()
            .map(|r| table.variables.iter().map(|v| (v.as_str().to_string(), query::cell(r.get(v)))).collect())
            .collect())
    }

    fn rows(&self, name: &str, params: &[(&str, &str)]) -> Vec<Row> {
        self.run(name, params).unwrap_or_else(|e| panic!("{name} {params:?}: {e}"))
    }
}

/// The values of some columns, row by row.
fn pick(rows: &[Row], columns: &[&str]) -> Vec<Vec<String>> {
    rows.iter().map(|r| columns.iter().map(|c| r.get(*c).cloned().unwrap_or_default()).collect()).collect()
}

fn strs(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter().map(|r| r.iter().map(|s| s.to_string()).collect()).collect()
}

#[test]
fn flows() {
    let f = fixture();
    let mut all = pick(
        &f.rows("flows", &[]),
        &["supplierLabel", "recipientLabel", "flowCategory", "attestations", "documents", "strongestModalityLabel"],
    );
    all.sort();
    assert_eq!(
        all,
        strs(&[
            &["Iran", "Russia", "agc:drones", "1", "1", "asserted"],
            &["North Korea", "Russia", "agc:artillery-ammunition", "3", "3", "asserted"],
            &["North Korea", "Russia", "agc:ballistic-missiles", "1", "1", "likely"],
            &["Russia", "North Korea", "agc:food", "1", "1", "speculative"],
        ])
    );
    // A supplier named in Polish; a category with its narrower ones.
    let mut nk = pick(&f.rows("flows", &[("supplier", "Korea Północna")]), &["flowCategory"]);
    nk.sort();
    assert_eq!(nk, strs(&[&["agc:artillery-ammunition"], &["agc:ballistic-missiles"]]));
    let weapons =
        pick(&f.rows("flows", &[("supplier", "Iran"), ("category", "weapons-unspecified")]), &["flowCategory"]);
    assert_eq!(weapons, strs(&[&["agc:drones"]]));
    assert!(f.rows("flows", &[("category", "Raketen")]).is_empty(), "no rockets in the fixture");
}

#[test]
fn evidence_of_one_flow() {
    let f = fixture();
    let rows = f.rows("evidence", &[("flow", "north-korea--russia--artillery-ammunition")]);
    assert_eq!(
        pick(&rows, &["document", "modalityLabel", "sourceLabel", "quantity", "begin"]),
        strs(&[
            &["agr:doc/a", "asserted", "", "1000000", "0"],
            &["agr:doc/b", "reported", "Center for Strategic and International Studies", "3000000", "0"],
            &["agr:doc/c", "denied", "North Korea", "", "0"],
        ])
    );
    assert!(rows[1]["evidence"].starts_with("Według CSIS"), "{:?}", rows[1]);
}

#[test]
fn actor_profile_in_any_language() {
    let f = fixture();
    let iran = pick(&f.rows("actor", &[("actor", "Iran")]), &["role", "counterpartLabel", "category"]);
    assert_eq!(iran, strs(&[&["supplied", "Russia", "agc:drones"]]));
    let mut russia = pick(&f.rows("actor", &[("actor", "Rosja")]), &["role", "counterpartLabel", "category"]);
    russia.sort();
    assert_eq!(
        russia,
        strs(&[
            &["received", "Iran", "agc:drones"],
            &["received", "North Korea", "agc:artillery-ammunition"],
            &["received", "North Korea", "agc:ballistic-missiles"],
            &["supplied", "North Korea", "agc:food"],
        ])
    );
}

#[test]
fn exchanges_contested_single_source() {
    let f = fixture();
    let x = f.rows("exchanged-for", &[]);
    assert_eq!(x.len(), 1, "{x:?}");
    let mut sides = vec![x[0]["categoryA"].clone(), x[0]["categoryB"].clone()];
    sides.sort();
    assert_eq!(sides, ["agc:artillery-ammunition", "agc:food"]);
    assert_eq!(x[0]["documents"], "1");

    let contested = f.rows("contested", &[]);
    assert_eq!(
        pick(&contested, &["flow", "denials"]),
        strs(&[&["agr:flow/north-korea--russia--artillery-ammunition", "1"]])
    );

    let mut single = pick(&f.rows("single-source", &[]), &["flow"]);
    single.sort();
    assert_eq!(
        single,
        strs(&[
            &["agr:flow/iran--russia--drones"],
            &["agr:flow/north-korea--russia--ballistic-missiles"],
            &["agr:flow/russia--north-korea--food"],
        ])
    );
}

#[test]
fn sources_quantities_routes_weapons_documents() {
    let f = fixture();
    let mut sources = pick(&f.rows("sources", &[]), &["sourceLabel", "flows"]);
    sources.sort();
    assert_eq!(sources, strs(&[&["Center for Strategic and International Studies", "1"], &["North Korea", "1"]]));

    let mut quantities = pick(&f.rows("quantities", &[]), &["quantity", "sourceLabel"]);
    quantities.sort();
    assert_eq!(quantities, strs(&[&["1000000", ""], &["3000000", "Center for Strategic and International Studies"]]));

    let routes = pick(&f.rows("routes", &[("place", "Tumangang")]), &["placeLabel", "flow"]);
    assert_eq!(routes, strs(&[&["Tumangang", "agr:flow/north-korea--russia--artillery-ammunition"]]));

    let mut weapons = pick(&f.rows("weapons", &[("recipient", "Russland")]), &["weaponLabel", "supplierLabel"]);
    weapons.sort();
    assert_eq!(weapons.len(), 2, "{weapons:?}");
    assert_eq!(weapons[0][1], "North Korea");
    assert!(weapons[0][0].starts_with("KN-23") && weapons[1][0].starts_with("Shahed-136"), "{weapons:?}");
    assert_eq!(pick(&f.rows("weapons", &[("supplier", "Iran")]), &["supplierLabel"]), strs(&[&["Iran"]]));

    // Newest first.
    let docs = pick(&f.rows("documents", &[]), &["document", "language", "published", "attestations"]);
    assert_eq!(
        docs,
        strs(&[
            &["agr:doc/c", "de", "2024-06-01", "2"],
            &["agr:doc/b", "pl", "2024-05-10", "2"],
            &["agr:doc/a", "en", "2024-03-01", "2"],
        ])
    );
}

#[test]
fn timeline_and_what_is_new() {
    let f = fixture();
    let dates = pick(&f.rows("timeline", &[]), &["date"]);
    assert_eq!(
        dates,
        strs(&[&["2024-02"], &["2024-03-01"], &["2024-04-20"], &["2024-05-10"], &["2024-06-01"], &["2024-06-01"]])
    );
    assert_eq!(f.rows("timeline", &[("since", "2024-05-01")]).len(), 3);
    let new = pick(&f.rows("new-since", &[("since", "2024-05-01")]), &["flow"]);
    assert_eq!(new, strs(&[&["agr:flow/iran--russia--drones"]]));
}

#[test]
fn find_entity_and_co_reported() {
    let f = fixture();
    let found: Vec<String> =
        f.rows("find-entity", &[("text", "Pjöngjang")]).into_iter().map(|r| r["entity"].clone()).collect();
    assert!(found.contains(&"agr:pyongyang".to_string()), "{found:?}");
    let korea: Vec<String> =
        f.rows("find-entity", &[("text", "korea")]).into_iter().map(|r| r["entity"].clone()).collect();
    assert!(
        korea.contains(&"agr:north-korea".to_string()) && korea.contains(&"agr:south-korea".to_string()),
        "{korea:?}"
    );

    let pairs = f.rows("co-reported", &[("actor", "Iran")]);
    let mut other: Vec<String> = pairs
        .iter()
        .map(|r| if r["actorALabel"] == "Iran" { r["actorBLabel"].clone() } else { r["actorALabel"].clone() })
        .collect();
    other.sort();
    assert_eq!(other, ["North Korea", "Russia"]);
}

#[test]
fn parameters_are_checked_and_bound_never_pasted() {
    let f = fixture();
    let unknown = f.run("actor", &[("actor", "Atlantis")]).unwrap_err().to_string();
    assert!(unknown.contains("not a known entity") && unknown.contains("actor=entity"), "{unknown}");
    let missing = f.run("evidence", &[]).unwrap_err().to_string();
    assert!(missing.contains("missing required parameter flow"), "{missing}");
    let wrong = f.run("flows", &[("colour", "red")]).unwrap_err().to_string();
    assert!(wrong.contains("supplier=entity") && wrong.contains("category=category"), "{wrong}");
    let bad_date = f.run("new-since", &[("since", "last week")]).unwrap_err().to_string();
    assert!(bad_date.contains("YYYY-MM-DD"), "{bad_date}");
    // SPARQL in a value is a strange label: it matches nothing and changes nothing.
    let before = f.store.len().unwrap();
    let injected = f.rows("find-entity", &[("text", "\") } } ; DROP ALL ; SELECT * WHERE { (\"")]);
    assert!(injected.is_empty(), "{injected:?}");
    assert!(f.run("actor", &[("actor", "<x> } DELETE WHERE { ?s ?p ?o } #")]).is_err());
    assert_eq!(f.store.len().unwrap(), before);
}

#[test]
fn labels_in_the_asked_language() {
    let f = fixture();
    let q = query::find("flows").unwrap();
    let bindings = query::bind(&f.store.store, &f.lexicon, &q, &[("supplier".into(), "Iran".into())]).unwrap();
    let localized = |lang: &str| {
        let mut table = query::collect(query::run(&f.store.store, &q.text, &bindings).unwrap(), None).unwrap();
        query::localize(&mut table, lang, &f.store.store, &f.lexicon).unwrap();
        let row = &table.rows[0];
        ["supplierLabel", "recipientLabel", "flowCategoryLabel", "strongestModalityLabel"]
            .map(|c| query::cell(row.get(c)))
    };
    assert_eq!(localized("de"), ["Iran", "Russland", "Drohnen", "festgestellt"]);
    assert_eq!(localized("uk")[1], "Росія");
    // A language nobody labelled keeps the English labels.
    assert_eq!(localized("xx"), ["Iran", "Russia", "drones", "asserted"]);
}

/// An edge of the flow map: from label, to label, edge label.
type DotEdge = (String, String, String);

/// The DOT text parsed back: node labels by id, and edges.
fn parse_dot(dot: &str) -> (BTreeMap<String, String>, Vec<DotEdge>) {
    let node = regex::Regex::new(r#"^\s+(\d+) \[ label="((?:[^"\\]|\\.)*)""#).unwrap();
    let edge = regex::Regex::new(r#"^\s+(\d+) -> (\d+) \[ label="((?:[^"\\]|\\.)*)""#).unwrap();
    let mut nodes = BTreeMap::new();
    let mut edges = Vec::new();
    for line in dot.lines() {
        if let Some(c) = edge.captures(line) {
            edges.push((c[1].to_string(), c[2].to_string(), c[3].to_string()));
        } else if let Some(c) = node.captures(line) {
            nodes.insert(c[1].to_string(), c[2].to_string());
        }
    }
    let named = edges
        .into_iter()
        .map(|(a, b, l)| {
            let (a, b) = (nodes.get(&a).cloned(), nodes.get(&b).cloned());
            (a.expect("an edge starts at a declared node"), b.expect("an edge ends at a declared node"), l)
        })
        .collect();
    (nodes, named)
}

fn flow_map(f: &Fixture, opts: armsgraph::dot::DotOptions) -> Vec<DotEdge> {
    let dot = armsgraph::dot::render(&armsgraph::dot::flow_graph(&f.store.store, &opts).unwrap());
    assert!(dot.starts_with("digraph {") && dot.trim_end().ends_with('}') && dot.contains("cluster_legend"));
    let (_, mut edges) = parse_dot(&dot);
    edges.sort();
    edges
}

#[test]
fn flow_map_parses_back_and_filters() {
    use armsgraph::dot::DotOptions;
    use armsgraph::vocab::{Category, Modality};
    let f = fixture();
    let all = flow_map(&f, DotOptions::default());
    let flows: Vec<(&str, &str, &str)> = all.iter().map(|(a, b, l)| (a.as_str(), b.as_str(), l.as_str())).collect();
    assert_eq!(
        flows,
        [
            ("Iran", "Russia", "drones (1 source)"),
            ("Iran", "Shahed-136", ""),
            ("North Korea", "KN-23 (Hwasong-11A)", ""),
            ("North Korea", "Russia", "artillery ammunition (3 sources)\\nballistic missiles (1 source)"),
            ("North Korea", "Russia", "exchange:\\nartillery ammunition\\n⇄ food"),
            ("Russia", "North Korea", "food (1 source)"),
        ]
        .to_vec(),
        "{all:?}"
    );
    let drones = flow_map(&f, DotOptions { category: Some(Category::WeaponsUnspecified), ..DotOptions::default() });
    assert!(drones.iter().all(|(_, _, l)| !l.contains("food")), "{drones:?}");
    let sure = flow_map(&f, DotOptions { min_modality: Some(Modality::Likely), ..DotOptions::default() });
    assert!(!sure.iter().any(|(a, ..)| a == "Russia"), "the speculative food flow is gone: {sure:?}");
    let recent = flow_map(&f, DotOptions { since: Some("2024-05-01".into()), ..DotOptions::default() });
    let labels: Vec<&str> = recent.iter().map(|(_, _, l)| l.as_str()).filter(|l| !l.is_empty()).collect();
    assert_eq!(labels, ["drones (1 source)", "artillery ammunition (3 sources)"], "{recent:?}");
    let focus = DotOptions {
        focus: Some(oxigraph::model::NamedNode::new("https://w3id.org/armsgraph/resource/iran").unwrap()),
        depth: 1,
        ..DotOptions::default()
    };
    let near_iran = flow_map(&f, focus);
    assert!(near_iran.iter().all(|(a, b, _)| a == "Iran" || b == "Iran"), "{near_iran:?}");
}

//! The flow map as Graphviz DOT, through a petgraph graph: actors as nodes (shape and colour by
//! kind), one edge per supplier → recipient pair labelled with its categories and the number of
//! sources (documents) for each (line style by the strongest modality), exchange pairs as purple
//! double arrows, and named weapon systems hanging off their suppliers. Output is
//! deterministic; `render_with_graphviz` turns it into SVG or PNG.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;

use oxigraph::model::{NamedNode, Term};
use oxigraph::store::Store;
use petgraph::dot::{Config, Dot};
use petgraph::graph::{DiGraph, NodeIndex};

use crate::query::{collect, run, QueryError};
use crate::vocab::{Category, Modality};

const PREFIX: &str = "PREFIX ag: <https://w3id.org/armsgraph/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <http://schema.org/>
PREFIX agc: <https://w3id.org/armsgraph/category/>
PREFIX agm: <https://w3id.org/armsgraph/modality/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
";

#[derive(Debug, Clone)]
pub struct Node {
    pub iri: String,
    pub label: String,
    /// The `ag:` class local name (State, Person, WeaponSystem, …).
    pub class: String,
}

#[derive(Debug, Clone)]
pub struct Edge {
    pub label: String,
    pub style: &'static str,
    pub color: &'static str,
    pub extra: &'static str,
}

#[derive(Debug, Clone, Default)]
pub struct DotOptions {
    pub focus: Option<NamedNode>,
    pub depth: usize,
    /// Only flows of this category or a narrower one.
    pub category: Option<Category>,
    /// Only flows whose strongest modality is at least this (asserted > reported > likely >
    /// speculative > denied).
    pub min_modality: Option<Modality>,
    /// Only flows with an attestation dated (or published) on or after this day.
    pub since: Option<String>,
    /// Only these flows (IRIs), e.g. the flows a prepared query returned.
    pub flows: Option<BTreeSet<String>>,
}

fn text(t: Option<&Term>) -> String {
    match t {
        Some(Term::Literal(l)) => l.value().to_string(),
        Some(Term::NamedNode(n)) => n.as_str().to_string(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

fn rows(store: &Store, q: &str) -> Result<Vec<BTreeMap<String, String>>, QueryError> {
    let table = collect(run(store, &format!("{PREFIX}{q}"), &[])?, None)?;
    Ok(table
        .rows
        .iter()
        .map(|r| table.variables.iter().map(|v| (v.as_str().to_string(), text(r.get(v)))).collect())
        .collect())
}

/// Reads the flow map from the store.
pub fn flow_graph(store: &Store, opts: &DotOptions) -> Result<DiGraph<Node, Edge>, QueryError> {
    // Facts repeat in every document graph that states them: read them through DISTINCT.
    let flows = rows(
        store,
        "SELECT ?flow ?s ?r ?cat (COUNT(DISTINCT ?att) AS ?n) (COUNT(DISTINCT ?doc) AS ?docs) (MAX(?rank) AS ?best)
                (MAX(?when) AS ?last) WHERE {
           { SELECT DISTINCT ?flow ?s ?r ?c WHERE { ?flow a ag:Transfer ; ag:supplier ?s ; ag:recipient ?r ; ag:category ?c } }
           { SELECT DISTINCT ?flow ?att ?m ?doc WHERE { ?flow ag:attestedBy ?att . ?att ag:modality ?m ; prov:wasDerivedFrom ?doc } }
           OPTIONAL { ?att ag:date ?stated }
           OPTIONAL { ?doc schema:datePublished ?published }
           BIND(STR(COALESCE(?stated, ?published)) AS ?when)
           VALUES (?m ?rank) { (agm:asserted 4) (agm:reported 3) (agm:likely 2) (agm:speculative 1) (agm:denied 0) }
           BIND(STRAFTER(STR(?c), STR(agc:)) AS ?cat) }
         GROUP BY ?flow ?s ?r ?cat ORDER BY ?s ?r ?cat",
    )?;
    // --category (with its narrower categories), --min-modality, --since.
    let flows: Vec<BTreeMap<String, String>> = flows
        .into_iter()
        .filter(|f| {
            let category_ok = opts.category.is_none_or(|c| f["cat"].parse::<Category>().is_ok_and(|x| c.covers(x)));
            let modality_ok = opts.min_modality.is_none_or(|m| f["best"].parse::<u8>().unwrap_or(0) >= m.rank());
            let since_ok =
                opts.since.as_deref().is_none_or(|d| f.get("last").is_some_and(|l| !l.is_empty() && l.as_str() >= d));
            let chosen = opts.flows.as_ref().is_none_or(|set| set.contains(&f["flow"]));
            category_ok && modality_ok && since_ok && chosen
        })
        .collect();
    let exchanges = rows(
        store,
        "SELECT DISTINCT ?as ?ar ?ac ?bc WHERE {
           { SELECT DISTINCT ?a ?b WHERE { ?a ag:inExchangeFor ?b . FILTER(STR(?a) < STR(?b)) } }
           ?a ag:supplier ?as ; ag:recipient ?ar ; ag:category ?ca . ?b ag:category ?cb .
           BIND(STRAFTER(STR(?ca), STR(agc:)) AS ?ac) BIND(STRAFTER(STR(?cb), STR(agc:)) AS ?bc) }
         ORDER BY ?as ?ar ?ac ?bc",
    )?;
    let items = rows(
        store,
        "SELECT DISTINCT ?s ?r ?w WHERE { ?flow ag:item ?w ; ag:supplier ?s ; ag:recipient ?r } ORDER BY ?w ?s ?r",
    )?;
    // Exchanges and weapons follow the flows the filters kept.
    let kept: BTreeSet<(String, String, String)> =
        flows.iter().map(|f| (f["s"].clone(), f["r"].clone(), f["cat"].clone())).collect();
    let exchanges: Vec<BTreeMap<String, String>> = exchanges
        .into_iter()
        .filter(|x| {
            kept.contains(&(x["as"].clone(), x["ar"].clone(), x["ac"].clone()))
                && kept.contains(&(x["ar"].clone(), x["as"].clone(), x["bc"].clone()))
        })
        .collect();
    let pairs_kept: BTreeSet<(String, String)> = kept.iter().map(|(s, r, _)| (s.clone(), r.clone())).collect();
    let items: Vec<BTreeMap<String, String>> =
        items.into_iter().filter(|i| pairs_kept.contains(&(i["s"].clone(), i["r"].clone()))).collect();
    let mut wanted: BTreeSet<String> = BTreeSet::new();
    for f in &flows {
        wanted.insert(f["s"].clone());
        wanted.insert(f["r"].clone());
    }
    for i in &items {
        wanted.insert(i["w"].clone());
    }
    let described = rows(
        store,
        "SELECT ?e (MIN(?l) AS ?label) (MIN(?k) AS ?class) WHERE {
           { SELECT DISTINCT ?e ?l ?k WHERE { ?e rdfs:label ?l . OPTIONAL { ?e a ?k . FILTER(STRSTARTS(STR(?k), STR(ag:))) } } } }
         GROUP BY ?e",
    )?;
    let describe: BTreeMap<&str, (&str, &str)> = described
        .iter()
        .map(|d| (d["e"].as_str(), (d["label"].as_str(), d.get("class").map_or("", |c| c.as_str()))))
        .collect();

    let mut graph: DiGraph<Node, Edge> = DiGraph::new();
    let mut index: BTreeMap<String, NodeIndex> = BTreeMap::new();
    for iri in &wanted {
        let (label, class) = describe.get(iri.as_str()).copied().unwrap_or((iri.as_str(), ""));
        let class = class.rsplit('#').next().unwrap_or("").to_string();
        index.insert(iri.clone(), graph.add_node(Node { iri: iri.clone(), label: label.to_string(), class }));
    }
    // One edge per (supplier, recipient): its categories, attestation counts, strongest modality.
    let mut pairs: BTreeMap<(String, String), (Vec<String>, i64)> = BTreeMap::new();
    for f in &flows {
        let e = pairs.entry((f["s"].clone(), f["r"].clone())).or_insert((Vec::new(), -1));
        let docs = f["docs"].parse::<usize>().unwrap_or(0);
        e.0.push(format!("{} ({docs} source{})", f["cat"].replace('-', " "), if docs == 1 { "" } else { "s" }));
        e.1 = e.1.max(f["best"].parse().unwrap_or(0));
    }
    for ((s, r), (cats, best)) in &pairs {
        let (style, color) = match best {
            4 => ("solid", "black"),
            2 | 3 => ("dashed", "black"),
            1 => ("dotted", "black"),
            _ => ("solid", "red"),
        };
        graph.add_edge(index[s], index[r], Edge { label: cats.join("\\n"), style, color, extra: "" });
    }
    // Exchanges between two actors, as "what one side gives ⇄ what the other gives".
    let mut pairs_x: BTreeMap<(String, String), (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    for x in &exchanges {
        // One entry per pair of actors, oriented by name: .0 flows first → second, .1 back.
        let (a, b) = (x["as"].clone(), x["ar"].clone());
        let (ac, bc) = (x["ac"].replace('-', " "), x["bc"].replace('-', " "));
        if a <= b {
            let e = pairs_x.entry((a, b)).or_default();
            e.0.insert(ac);
            e.1.insert(bc);
        } else {
            let e = pairs_x.entry((b, a)).or_default();
            e.0.insert(bc);
            e.1.insert(ac);
        }
    }
    for ((s, r), (gives, returns)) in &pairs_x {
        if let (Some(&a), Some(&b)) = (index.get(s), index.get(r)) {
            let list = |set: &BTreeSet<String>| set.iter().cloned().collect::<Vec<_>>().join(", ");
            let label = format!("exchange:\\n{}\\n⇄ {}", list(gives), list(returns));
            graph.add_edge(a, b, Edge { label, style: "bold", color: "purple", extra: ", dir=both, constraint=false" });
        }
    }
    for i in &items {
        if let (Some(&s), Some(&w)) = (index.get(&i["s"]), index.get(&i["w"])) {
            if graph.find_edge(s, w).is_none() {
                graph.add_edge(
                    s,
                    w,
                    Edge { label: String::new(), style: "dashed", color: "gray40", extra: ", arrowhead=none" },
                );
            }
        }
    }
    if let Some(focus) = &opts.focus {
        graph = neighbourhood(&graph, focus.as_str(), opts.depth);
    }
    Ok(graph)
}

/// The part of the graph within `depth` steps (either direction) of `focus`.
fn neighbourhood(graph: &DiGraph<Node, Edge>, focus: &str, depth: usize) -> DiGraph<Node, Edge> {
    let mut keep: BTreeMap<NodeIndex, usize> = BTreeMap::new();
    if let Some(start) = graph.node_indices().find(|&i| graph[i].iri == focus) {
        let mut queue = VecDeque::from([(start, 0)]);
        keep.insert(start, 0);
        while let Some((n, d)) = queue.pop_front() {
            if d == depth {
                continue;
            }
            for m in graph.neighbors_undirected(n) {
                if let std::collections::btree_map::Entry::Vacant(slot) = keep.entry(m) {
                    slot.insert(d + 1);
                    queue.push_back((m, d + 1));
                }
            }
        }
    }
    graph.filter_map(|i, n| keep.contains_key(&i).then(|| n.clone()), |_, e| Some(e.clone()))
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace("\\\\n", "\\n")
}

fn node_style(class: &str) -> (&'static str, &'static str) {
    match class {
        "State" => ("box", "lightblue"),
        "Person" => ("ellipse", "lightyellow"),
        "ArmedGroup" => ("octagon", "salmon"),
        "WeaponSystem" => ("component", "lightgrey"),
        "City" | "Place" | "Region" | "RailStation" | "Port" | "BorderCrossing" => ("house", "palegreen"),
        _ => ("hexagon", "wheat"),
    }
}

/// Renders the graph as DOT, with a legend.
pub fn render(graph: &DiGraph<Node, Edge>) -> String {
    let edge_attr = |_: &DiGraph<Node, Edge>, e: petgraph::graph::EdgeReference<'_, Edge>| {
        let w = e.weight();
        format!(
            "label=\"{}\", style={}, color={}, fontcolor={}{}",
            escape(&w.label),
            w.style,
            w.color,
            w.color,
            w.extra
        )
    };
    let node_attr = |_: &DiGraph<Node, Edge>, (_, n): (NodeIndex, &Node)| {
        let (shape, fill) = node_style(&n.class);
        format!(
            "label=\"{}\", shape={shape}, style=filled, fillcolor={fill}, tooltip=\"{}\"",
            escape(&n.label),
            escape(&n.iri)
        )
    };
    let body = format!(
        "{:?}",
        Dot::with_attr_getters(graph, &[Config::EdgeNoLabel, Config::NodeNoLabel], &edge_attr, &node_attr)
    );
    let mut out = String::new();
    let mut lines = body.lines();
    if let Some(first) = lines.next() {
        let _ = writeln!(out, "{first}");
        let _ =
            writeln!(out, "    rankdir=LR; node [fontname=\"Helvetica\"]; edge [fontname=\"Helvetica\", fontsize=10];");
    }
    let rest: Vec<&str> = lines.collect();
    for l in &rest[..rest.len().saturating_sub(1)] {
        let _ = writeln!(out, "{l}");
    }
    out.push_str(LEGEND);
    out.push_str("}\n");
    out
}

const LEGEND: &str = r#"    subgraph cluster_legend {
        label="legend"; fontname="Helvetica"; style=rounded; color=gray;
        l_state [label="state", shape=box, style=filled, fillcolor=lightblue];
        l_org [label="organisation", shape=hexagon, style=filled, fillcolor=wheat];
        l_group [label="armed group", shape=octagon, style=filled, fillcolor=salmon];
        l_person [label="person", shape=ellipse, style=filled, fillcolor=lightyellow];
        l_weapon [label="weapon system", shape=component, style=filled, fillcolor=lightgrey];
        l_place [label="place", shape=house, style=filled, fillcolor=palegreen];
        l_a [label="", shape=point]; l_b [label="", shape=point]; l_c [label="", shape=point];
        l_d [label="", shape=point]; l_e [label="", shape=point]; l_f [label="", shape=point];
        l_g [label="", shape=point]; l_h [label="", shape=point];
        l_a -> l_b [label="asserted", style=solid];
        l_c -> l_d [label="reported / likely", style=dashed];
        l_e -> l_f [label="speculative", style=dotted];
        l_g -> l_h [label="denied", color=red, fontcolor=red];
    }
"#;

/// Renders DOT to SVG or PNG with graphviz's `dot`; says how to get it when it is missing.
pub fn render_with_graphviz(dot: &str, format: &str) -> Result<Vec<u8>, String> {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let child = Command::new("dot")
        .arg(format!("-T{format}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err("graphviz's `dot` is not installed: install graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz), or use --format dot".into())
        }
        Err(e) => return Err(format!("cannot run graphviz's `dot`: {e}")),
    };
    let mut stdin = child.stdin.take().ok_or("no stdin for dot")?;
    let input = dot.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().map_err(|e| format!("graphviz failed: {e}"))?;
    writer
        .join()
        .map_err(|_| "graphviz input thread failed".to_string())?
        .map_err(|e| format!("graphviz input: {e}"))?;
    if !out.status.success() {
        return Err(format!("graphviz failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(out.stdout)
}

//! The RDF vocabulary armsgraph writes: namespaces, the item-category and modality schemes,
//! and the entity kinds with their classes. `ontology/armsgraph.ttl` defines the same terms;
//! a test keeps the two in step.

use std::fmt;
use std::str::FromStr;

pub const AG: &str = "https://w3id.org/armsgraph/ontology#";
pub const AGC: &str = "https://w3id.org/armsgraph/category/";
pub const AGM: &str = "https://w3id.org/armsgraph/modality/";
pub const AGR: &str = "https://w3id.org/armsgraph/resource/";
pub const WD: &str = "http://www.wikidata.org/entity/";
pub const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
pub const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
pub const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
pub const OWL: &str = "http://www.w3.org/2002/07/owl#";
pub const XSD: &str = "http://www.w3.org/2001/XMLSchema#";
pub const PROV: &str = "http://www.w3.org/ns/prov#";
pub const NIF: &str = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#";
pub const SCHEMA: &str = "http://schema.org/";
pub const SEM: &str = "http://semanticweb.cs.vu.nl/2009/11/sem/";
pub const GAF: &str = "http://groundedannotationframework.org/gaf#";

/// The named graph that holds the ontology in a store.
pub const ONTOLOGY_GRAPH: &str = "https://w3id.org/armsgraph/ontology";
/// The named graph that holds the full gazetteer (every label of every entity) in a store.
pub const GAZETTEER_GRAPH: &str = "https://w3id.org/armsgraph/gazetteer";
/// The named graph of the summary: per flow and per source, the counts the ranking queries read
/// (derived from the document graphs; see `summary.rs`).
pub const SUMMARY_GRAPH: &str = "https://w3id.org/armsgraph/summary";
/// The named graph of the flows and sources whose summary awaits recomputation.
pub const PENDING_GRAPH: &str = "https://w3id.org/armsgraph/summary/pending";

/// Prefixes used when writing Turtle, TriG and tables, in this order.
pub const PREFIXES: &[(&str, &str)] = &[
    ("ag", AG),
    ("agc", AGC),
    ("agm", AGM),
    ("agr", AGR),
    ("agf", "https://w3id.org/armsgraph/resource/flow/"),
    ("agd", "https://w3id.org/armsgraph/resource/doc/"),
    ("aga", "https://w3id.org/armsgraph/resource/att/"),
    ("agx", "https://w3id.org/armsgraph/resource/exchange/"),
    ("agn", "https://w3id.org/armsgraph/resource/found/"),
    ("wd", WD),
    ("rdf", RDF),
    ("rdfs", RDFS),
    ("skos", SKOS),
    ("owl", OWL),
    ("xsd", XSD),
    ("prov", PROV),
    ("nif", NIF),
    ("schema", SCHEMA),
];

/// Properties and classes of `ag:` that the code writes (checked against the ontology file).
pub const AG_TERMS: &[&str] = &[
    "Actor",
    "State",
    "Person",
    "Organization",
    "ArmedGroup",
    "NewsOutlet",
    "ThinkTank",
    "GovernmentAgency",
    "Company",
    "InternationalOrganization",
    "Place",
    "City",
    "Region",
    "RailStation",
    "Port",
    "BorderCrossing",
    "WeaponSystem",
    "Transfer",
    "Attestation",
    "Exchange",
    "Modality",
    "ItemCategory",
    "ItemCategories",
    "Modalities",
    "supplier",
    "recipient",
    "category",
    "item",
    "via",
    "inExchangeFor",
    "attestedBy",
    "modality",
    "accordingTo",
    "quantity",
    "quantityText",
    "date",
    "evidence",
    "rule",
    "attestationCount",
    "documentCount",
    "flowCount",
    "strongestModality",
    "firstDate",
    "itemTally",
    "modalityTally",
    "citedSource",
    "pendingSummary",
    "exchangeFlow",
    "text",
    "languageConfidence",
    "metonymOf",
    "role",
    "rank",
];

macro_rules! notation_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $notation:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The `skos:notation` of the concept (also the last segment of its IRI).
            pub fn notation(self) -> &'static str {
                match self { $($name::$variant => $notation),* }
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($notation => Ok($name::$variant),)*
                    _ => Err(format!(
                        "unknown {} {s:?}; expected one of: {}",
                        stringify!($name).to_lowercase(),
                        [$($notation),*].join(", ")
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.notation())
            }
        }
    };
}

notation_enum!(
    /// An item category of the contract's `ag:ItemCategories` scheme.
    Category {
        WeaponsUnspecified = "weapons-unspecified",
        AmmunitionUnspecified = "ammunition-unspecified",
        ArtilleryAmmunition = "artillery-ammunition",
        Rockets = "rockets",
        BallisticMissiles = "ballistic-missiles",
        CruiseMissiles = "cruise-missiles",
        Drones = "drones",
        Aircraft = "aircraft",
        ArtillerySystems = "artillery-systems",
        ArmouredVehicles = "armoured-vehicles",
        AirDefence = "air-defence",
        SmallArms = "small-arms",
        Troops = "troops",
        MilitaryTechnology = "military-technology",
        SpaceTechnology = "space-technology",
        NuclearTechnology = "nuclear-technology",
        FuelEnergy = "fuel-energy",
        Food = "food",
        Money = "money",
        IndustrialEquipment = "industrial-equipment",
        HumanitarianAid = "humanitarian-aid",
        RawMaterials = "raw-materials",
    }
);

impl Category {
    /// The concept this one is `skos:broader` than, if any.
    pub fn broader(self) -> Option<Category> {
        use Category::*;
        match self {
            AmmunitionUnspecified => Some(WeaponsUnspecified),
            ArtilleryAmmunition | Rockets => Some(AmmunitionUnspecified),
            BallisticMissiles | CruiseMissiles | Drones | Aircraft | ArtillerySystems | ArmouredVehicles
            | AirDefence | SmallArms => Some(WeaponsUnspecified),
            _ => None,
        }
    }

    /// True when `self` is `other` or one of its ancestors.
    pub fn covers(self, other: Category) -> bool {
        let mut c = Some(other);
        while let Some(x) = c {
            if x == self {
                return true;
            }
            c = x.broader();
        }
        false
    }

    /// English label: the notation with spaces.
    pub fn label(self) -> String {
        self.notation().replace('-', " ")
    }

    pub fn iri(self) -> String {
        [AGC, self.notation()].concat()
    }
}

notation_enum!(
    /// How certainly a document states a flow (`ag:Modalities`).
    Modality {
        Asserted = "asserted",
        Reported = "reported",
        Likely = "likely",
        Speculative = "speculative",
        Denied = "denied",
    }
);

impl Modality {
    /// `ag:rank`: asserted 4 … denied 0.
    pub fn rank(self) -> u8 {
        match self {
            Modality::Asserted => 4,
            Modality::Reported => 3,
            Modality::Likely => 2,
            Modality::Speculative => 1,
            Modality::Denied => 0,
        }
    }

    pub fn iri(self) -> String {
        [AGM, self.notation()].concat()
    }
}

notation_enum!(
    /// What sort of thing a gazetteer entity is; each kind is one `ag:` class.
    Kind {
        State = "state",
        Person = "person",
        Organization = "organization",
        ArmedGroup = "armed-group",
        NewsOutlet = "news-outlet",
        ThinkTank = "think-tank",
        GovernmentAgency = "government-agency",
        Company = "company",
        InternationalOrganization = "international-organization",
        Place = "place",
        City = "city",
        Region = "region",
        RailStation = "rail-station",
        Port = "port",
        BorderCrossing = "border-crossing",
        WeaponSystem = "weapon-system",
    }
);

impl Kind {
    /// The local name of the `ag:` class.
    pub fn class(self) -> &'static str {
        use Kind::*;
        match self {
            State => "State",
            Person => "Person",
            Organization => "Organization",
            ArmedGroup => "ArmedGroup",
            NewsOutlet => "NewsOutlet",
            ThinkTank => "ThinkTank",
            GovernmentAgency => "GovernmentAgency",
            Company => "Company",
            InternationalOrganization => "InternationalOrganization",
            Place => "Place",
            City => "City",
            Region => "Region",
            RailStation => "RailStation",
            Port => "Port",
            BorderCrossing => "BorderCrossing",
            WeaponSystem => "WeaponSystem",
        }
    }

    pub fn is_actor(self) -> bool {
        !self.is_place() && self != Kind::WeaponSystem
    }

    pub fn is_place(self) -> bool {
        use Kind::*;
        matches!(self, Place | City | Region | RailStation | Port | BorderCrossing)
    }

    /// Kinds that can supply or receive: states and the groups that act like them.
    pub fn can_trade(self) -> bool {
        use Kind::*;
        matches!(self, State | ArmedGroup | Company | Organization)
    }
}

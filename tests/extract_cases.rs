//! Claim extraction, case by case, in Arabic, English and Russian: sentences written
//! for these tests (`tests/fixtures/claims/*.toml`), positives and traps. Every
//! mismatch of every case is listed before the test fails.

use claimwire::extract::Extractor;
use claimwire::model::Locus;
use claimwire::text::fold;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    language: String,
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    text: String,
    date: Option<String>,
    claims: Vec<Expected>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Expected {
    kind: String,
    who: Option<String>,
    value: Option<i64>,
    #[serde(default)]
    vague: bool,
    qualifier: Option<String>,
    source: Option<String>,
    location: Option<String>,
    /// The place as the text writes it ("Харькове").
    written: Option<String>,
    country: Option<String>,
    /// What gave the place: "clause" or "lead".
    from: Option<String>,
    /// The source's key ("health-ministry:LY").
    key: Option<String>,
    date: Option<String>,
}

fn check_file(name: &str, extractor: &Extractor, failures: &mut Vec<String>) -> usize {
    let path = format!(
        "{}/tests/fixtures/claims/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let file: CaseFile = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for (i, case) in file.case.iter().enumerate() {
        let date = case.date.as_deref().map(|d| d.parse().unwrap());
        let found = extractor.extract(&case.text, Some(&file.language), date);
        assert_eq!(
            found.language.as_deref(),
            Some(file.language.as_str()),
            "{name} case {}: language of {}",
            i + 1,
            case.text
        );
        let mut used = vec![false; found.claims.len()];
        let here = format!("{name} case {} «{}»", i + 1, case.text);
        for e in &case.claims {
            let hit = found.claims.iter().enumerate().find(|(j, c)| {
                !used[*j]
                    && c.kind.as_str() == e.kind
                    && (if e.vague {
                        c.value.is_none()
                    } else {
                        c.value == e.value
                    })
            });
            let Some((j, c)) = hit else {
                failures.push(format!(
                    "{here}: missed {} {:?}{}",
                    e.kind,
                    e.value,
                    if e.vague { " (vague)" } else { "" }
                ));
                continue;
            };
            used[j] = true;
            let mut wrong = Vec::new();
            if let Some(w) = &e.who {
                if c.who.as_str() != w {
                    wrong.push(format!("who {} not {w}", c.who));
                }
            }
            if let Some(q) = &e.qualifier {
                if c.qualifier.as_str() != q {
                    wrong.push(format!("qualifier {} not {q}", c.qualifier));
                }
            }
            if let Some(s) = &e.source {
                let ok = match (&c.source, s.is_empty()) {
                    (None, true) => true,
                    (Some(_), true) | (None, false) => false,
                    (Some(got), false) => fold(got).contains(&fold(s)),
                };
                if !ok {
                    wrong.push(format!("source {:?} not {s:?}", c.source));
                }
            }
            // The place by the gazetteer's name; `location = ""`: the figure's own
            // clause gives none (the report's lead still may).
            match e.location.as_deref() {
                Some("") if c.location_from == Some(Locus::Clause) => {
                    wrong.push(format!("place {:?} from its clause, not none", c.place));
                }
                Some(l) if !l.is_empty() && c.place.as_deref() != Some(l) => {
                    wrong.push(format!("place {:?} not {l}", c.place));
                }
                _ => {}
            }
            if let Some(w) = &e.written {
                if c.location.as_deref() != Some(w.as_str()) {
                    wrong.push(format!("location {:?} not as written {w:?}", c.location));
                }
            }
            if let Some(k) = &e.key {
                if c.source_key.as_deref() != Some(k.as_str()) {
                    wrong.push(format!("source key {:?} not {k}", c.source_key));
                }
            }
            if let Some(f) = &e.from {
                if c.location_from.map(|l| l.as_str()) != Some(f.as_str()) {
                    wrong.push(format!("place from {:?} not {f}", c.location_from));
                }
            }
            if let Some(cc) = &e.country {
                if c.country.as_deref() != Some(cc.as_str()) {
                    wrong.push(format!("country {:?} not {cc}", c.country));
                }
            }
            if let Some(d) = &e.date {
                if c.claimed_on.map(|x| x.to_string()).as_deref() != Some(d.as_str()) {
                    wrong.push(format!("date {:?} not {d}", c.claimed_on));
                }
            }
            if !wrong.is_empty() {
                failures.push(format!(
                    "{here}: {} {:?}: {}",
                    e.kind,
                    e.value,
                    wrong.join(", ")
                ));
            }
        }
        for (j, c) in found.claims.iter().enumerate() {
            if !used[j] {
                failures.push(format!(
                    "{here}: false alarm {} {} {:?} ({})",
                    c.kind, c.who, c.value, c.evidence
                ));
            }
        }
    }
    file.case.len()
}

#[test]
fn claims_in_three_languages_case_by_case() {
    let extractor = Extractor::new().unwrap();
    let mut failures = Vec::new();
    let mut counts = Vec::new();
    for name in ["ar.toml", "en.toml", "ru.toml"] {
        counts.push((name, check_file(name, &extractor, &mut failures)));
    }
    let total: usize = counts.iter().map(|c| c.1).sum();
    assert!(
        failures.is_empty(),
        "{} failure(s) in {total} cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(total >= 150, "only {total} cases: {counts:?}");
}

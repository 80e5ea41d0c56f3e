//! One story, many outlets: republished copies of a report (other byline, headline,
//! boilerplate, paragraph order, one sentence changed, other digits) join their
//! report's story; independent reports on the same event and day stay apart.
//! Pairing precision and recall over every labelled pair are printed and must be at
//! least 0.95.

use claimwire::dedupe::minhash;
use claimwire::dedupe::stories::{self, DEFAULT_THRESHOLD};
use serde::Deserialize;

#[derive(Deserialize)]
struct Reports {
    report: Vec<Report>,
}

#[derive(Deserialize, Clone)]
struct Report {
    group: String,
    language: String,
    paragraphs: Vec<String>,
}

fn join(p: &[String]) -> String {
    p.join("\n")
}

/// Republished copies of `r`, as other outlets make them.
fn copies(r: &Report) -> Vec<(&'static str, String)> {
    let (byline, headline, footer, changed) = match r.language.as_str() {
        "ar" => (
            "(رويترز) - ",
            "عاجل: تطورات الأوضاع في كازاخستان",
            "اقرأ أيضا: هل يمكن أن تكون كازاخستان هدف روسيا القادم؟ تابعونا على تويتر لآخر الأخبار.",
            "وفي تطور لاحق، أعلنت السلطات تمديد حظر التجول في المدينة حتى إشعار آخر.",
        ),
        "ru" => (
            "АЛМАТЫ, 8 января — РИА Новости. ",
            "Главное о событиях в Казахстане к этому часу",
            "Читайте также: что происходит в Казахстане. Подписывайтесь на наш канал в Telegram.",
            "Позднее власти продлили комендантский час в городе до особого распоряжения.",
        ),
        _ => (
            "ALMATY (AFP) - ",
            "LIVE: Kazakhstan unrest, latest updates",
            "Read more: What is behind the unrest in Kazakhstan? Follow us on Twitter for the latest updates.",
            "In a later development, officials extended the curfew in the city until further notice.",
        ),
    };
    let p = &r.paragraphs;
    let mut with_byline = p.clone();
    with_byline[0] = format!("{byline}{}", p[0]);
    let mut reordered = p.clone();
    reordered.swap(0, 1);
    reordered.swap(2, 3);
    let mut one_changed = p.clone();
    one_changed[2] = changed.to_string();
    let mut everything = reordered.clone();
    everything.insert(0, headline.to_string());
    everything[1] = format!("{byline}{}", everything[1]);
    everything.push(footer.to_string());
    let digits: String = join(p)
        .chars()
        .map(|c| match c.to_digit(10) {
            Some(d) if r.language == "ar" => char::from_u32('٠' as u32 + d).unwrap(),
            _ => c,
        })
        .collect();
    vec![
        ("byline", join(&with_byline)),
        ("headline", format!("{headline}\n{}", join(p))),
        ("boilerplate", format!("{}\n{footer}", join(p))),
        ("reordered", join(&reordered)),
        ("one sentence changed", join(&one_changed)),
        ("all of the above", join(&everything)),
        ("digits and spacing", digits.replace(", ", " , ")),
    ]
}

struct Pair {
    same: bool,
    label: String,
    a: minhash::Signature,
    b: minhash::Signature,
}

fn pairs() -> Vec<Pair> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/stories/reports.toml"
    ))
    .unwrap();
    let reports: Reports = toml::from_str(&text).unwrap();
    let mut out = Vec::new();
    for (i, r) in reports.report.iter().enumerate() {
        let base = minhash::of_text(&join(&r.paragraphs));
        for (how, copy) in copies(r) {
            out.push(Pair {
                same: true,
                label: format!("report {i} vs its copy ({how})"),
                a: base.clone(),
                b: minhash::of_text(&copy),
            });
        }
        for (j, other) in reports.report.iter().enumerate().skip(i + 1) {
            let other_sig = minhash::of_text(&join(&other.paragraphs));
            out.push(Pair {
                same: false,
                label: format!("report {i} vs report {j}"),
                a: base.clone(),
                b: other_sig,
            });
            if other.group == r.group {
                // A copy of a different report on the same event and day.
                for (how, copy) in copies(other) {
                    out.push(Pair {
                        same: false,
                        label: format!("report {i} vs a copy of report {j} ({how})"),
                        a: base.clone(),
                        b: minhash::of_text(&copy),
                    });
                }
            }
        }
    }
    out
}

fn precision_recall(pairs: &[Pair], threshold: f64) -> (f64, f64, Vec<String>) {
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    let mut wrong = Vec::new();
    for p in pairs {
        let said = stories::same_story(&p.a, &p.b, threshold);
        match (said, p.same) {
            (true, true) => tp += 1,
            (true, false) => {
                fp += 1;
                wrong.push(format!(
                    "joined: {} (similarity {:.2})",
                    p.label,
                    minhash::similarity(&p.a, &p.b)
                ));
            }
            (false, true) => {
                fn_ += 1;
                wrong.push(format!(
                    "missed: {} (similarity {:.2})",
                    p.label,
                    minhash::similarity(&p.a, &p.b)
                ));
            }
            (false, false) => {}
        }
    }
    let precision = if tp + fp > 0 {
        tp as f64 / (tp + fp) as f64
    } else {
        1.0
    };
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    (precision, recall, wrong)
}

#[test]
fn republished_copies_join_and_independent_reports_stay_apart() {
    let pairs = pairs();
    let positives = pairs.iter().filter(|p| p.same).count();
    assert!(pairs.len() >= 40, "{}", pairs.len());
    eprintln!(
        "{} labelled pairs ({positives} same story, {} different)",
        pairs.len(),
        pairs.len() - positives
    );
    for t in [0.3, 0.4, 0.5, 0.6, 0.7, 0.8] {
        let (p, r, _) = precision_recall(&pairs, t);
        eprintln!("threshold {t:.1}: precision {p:.3} recall {r:.3}");
    }
    let max_negative = pairs
        .iter()
        .filter(|p| !p.same)
        .map(|p| minhash::similarity(&p.a, &p.b))
        .fold(0.0, f64::max);
    let min_positive = pairs
        .iter()
        .filter(|p| p.same)
        .map(|p| minhash::similarity(&p.a, &p.b))
        .fold(1.0, f64::min);
    eprintln!(
        "similarity: different reports at most {max_negative:.2}, copies at least {min_positive:.2}"
    );
    let (p, r, wrong) = precision_recall(&pairs, DEFAULT_THRESHOLD);
    eprintln!("default {DEFAULT_THRESHOLD}: precision {p:.3} recall {r:.3}");
    assert!(
        p >= 0.95 && r >= 0.95,
        "precision {p:.3} recall {r:.3}:\n{}",
        wrong.join("\n")
    );
}

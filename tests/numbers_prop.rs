//! Property tests for number reading: any integer written in any digit script with
//! any separator style, and number words generated in Arabic (both genders, both
//! cases), English and Russian (nominative and genitive), parse back to its value.

use claimwire::extract::numbers::parse;
use proptest::prelude::*;

fn group(n: u64, sep: &str) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

fn script(s: &str, zero: char) -> String {
    s.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from_u32(zero as u32 + d).unwrap(),
            None => c,
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn digits_in_every_script_and_separator_style(n in 1u64..100_000_000, sep in prop::sample::select(vec!["", ",", " ", "\u{a0}", ".", "٬"]), zero in prop::sample::select(vec!['0', '٠', '۰'])) {
        let text = script(&group(n, sep), zero);
        prop_assert_eq!(parse(&text), Some(n as f64), "{}", text);
    }

    #[test]
    fn english_number_words(n in 1u64..1_000_000) {
        let text = english(n);
        prop_assert_eq!(parse(&text), Some(n as f64), "{}", text);
    }

    #[test]
    fn arabic_number_words(n in 1u64..100_000, feminine: bool, oblique: bool, mia_spelling: bool) {
        let text = arabic(n, feminine, oblique, mia_spelling);
        prop_assert_eq!(parse(&text), Some(n as f64), "{}", text);
    }

    #[test]
    fn russian_number_words(n in 1u64..1_000_000, genitive: bool) {
        let text = russian(n, genitive);
        prop_assert_eq!(parse(&text), Some(n as f64), "{}", text);
    }
}

#[test]
fn decimals_with_multipliers() {
    for (text, v) in [
        ("1.3 ألف", 1300.0),
        ("١٫٣ ألف", 1300.0),
        ("1.5 million", 1.5e6),
        ("5,8 тыс.", 5800.0),
        ("4,5 тысяч", 4500.0),
        ("2.5 thousand", 2500.0),
        ("4 آلاف", 4000.0),
        ("20 ألفا", 20000.0),
    ] {
        assert_eq!(parse(text), Some(v), "{text}");
    }
}

fn english(n: u64) -> String {
    const ONES: [&str; 20] = [
        "",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 10] = [
        "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    fn below_thousand(n: u64) -> String {
        let mut parts = Vec::new();
        if n >= 100 {
            parts.push(format!("{} hundred", ONES[(n / 100) as usize]));
        }
        let r = n % 100;
        if r > 0 {
            if n >= 100 {
                parts.push("and".into());
            }
            parts.push(if r < 20 {
                ONES[r as usize].into()
            } else if r % 10 == 0 {
                TENS[(r / 10) as usize].into()
            } else {
                format!("{}-{}", TENS[(r / 10) as usize], ONES[(r % 10) as usize])
            });
        }
        parts.join(" ")
    }
    let mut parts = Vec::new();
    if n >= 1000 {
        parts.push(format!("{} thousand", below_thousand(n / 1000)));
    }
    if n % 1000 > 0 {
        parts.push(below_thousand(n % 1000));
    }
    parts.join(" ")
}

fn arabic(n: u64, feminine: bool, oblique: bool, mia: bool) -> String {
    let masc = [
        "",
        "واحد",
        "اثنان",
        "ثلاثة",
        "أربعة",
        "خمسة",
        "ستة",
        "سبعة",
        "ثمانية",
        "تسعة",
    ];
    let fem = [
        "",
        "واحدة",
        "اثنتان",
        "ثلاث",
        "أربع",
        "خمس",
        "ست",
        "سبع",
        "ثماني",
        "تسع",
    ];
    let tens_nom = [
        "",
        "عشرة",
        "عشرون",
        "ثلاثون",
        "أربعون",
        "خمسون",
        "ستون",
        "سبعون",
        "ثمانون",
        "تسعون",
    ];
    let tens_obl = [
        "",
        "عشرة",
        "عشرين",
        "ثلاثين",
        "أربعين",
        "خمسين",
        "ستين",
        "سبعين",
        "ثمانين",
        "تسعين",
    ];
    let hundred = if mia { "مئة" } else { "مائة" };
    // Below one hundred, in the gender of the counted noun.
    let below_hundred = |n: u64, fem_noun: bool| -> String {
        let units = if fem_noun { &fem } else { &masc };
        let u = (n % 10) as usize;
        match n {
            0 => String::new(),
            1..=9 => {
                if n == 2 && oblique {
                    (if fem_noun {
                        "اثنتين"
                    } else {
                        "اثنين"
                    })
                    .to_string()
                } else {
                    units[u].to_string()
                }
            }
            10 => (if fem_noun { "عشر" } else { "عشرة" }).to_string(),
            11 => (if fem_noun {
                "إحدى عشرة"
            } else {
                "أحد عشر"
            })
            .to_string(),
            12 => match (fem_noun, oblique) {
                (false, false) => "اثنا عشر",
                (false, true) => "اثني عشر",
                (true, false) => "اثنتا عشرة",
                (true, true) => "اثنتي عشرة",
            }
            .to_string(),
            13..=19 => format!("{} {}", units[u], if fem_noun { "عشرة" } else { "عشر" }),
            _ => {
                let tens = if oblique { &tens_obl } else { &tens_nom };
                let t = tens[(n / 10) as usize];
                if u == 0 {
                    t.to_string()
                } else {
                    format!("{} و{}", units[u], t)
                }
            }
        }
    };
    let below_thousand = |n: u64, fem_noun: bool| -> String {
        let h = n / 100;
        let head = match h {
            0 => String::new(),
            1 => hundred.to_string(),
            2 => (if oblique {
                if mia { "مئتين" } else { "مائتين" }
            } else if mia {
                "مئتان"
            } else {
                "مائتان"
            })
            .to_string(),
            _ => format!("{}{}", fem[h as usize], hundred),
        };
        let rest = below_hundred(n % 100, fem_noun);
        match (head.is_empty(), rest.is_empty()) {
            (true, _) => rest,
            (false, true) => head,
            (false, false) => format!("{head} و{rest}"),
        }
    };
    let thousands = n / 1000;
    let head = match thousands {
        0 => String::new(),
        1 => "ألف".to_string(),
        2 => (if oblique { "ألفين" } else { "ألفان" }).to_string(),
        3..=10 => format!("{} آلاف", below_hundred(thousands, false)),
        _ => format!("{} ألف", below_thousand(thousands, false)),
    };
    let rest = below_thousand(n % 1000, feminine);
    match (head.is_empty(), rest.is_empty()) {
        (true, _) => rest,
        (false, true) => head,
        (false, false) => format!("{head} و{rest}"),
    }
}

fn russian(n: u64, genitive: bool) -> String {
    let ones_nom = [
        "",
        "один",
        "два",
        "три",
        "четыре",
        "пять",
        "шесть",
        "семь",
        "восемь",
        "девять",
    ];
    let ones_gen = [
        "",
        "одного",
        "двух",
        "трёх",
        "четырёх",
        "пяти",
        "шести",
        "семи",
        "восьми",
        "девяти",
    ];
    let teens_nom = [
        "десять",
        "одиннадцать",
        "двенадцать",
        "тринадцать",
        "четырнадцать",
        "пятнадцать",
        "шестнадцать",
        "семнадцать",
        "восемнадцать",
        "девятнадцать",
    ];
    let teens_gen = [
        "десяти",
        "одиннадцати",
        "двенадцати",
        "тринадцати",
        "четырнадцати",
        "пятнадцати",
        "шестнадцати",
        "семнадцати",
        "восемнадцати",
        "девятнадцати",
    ];
    let tens_nom = [
        "",
        "",
        "двадцать",
        "тридцать",
        "сорок",
        "пятьдесят",
        "шестьдесят",
        "семьдесят",
        "восемьдесят",
        "девяносто",
    ];
    let tens_gen = [
        "",
        "",
        "двадцати",
        "тридцати",
        "сорока",
        "пятидесяти",
        "шестидесяти",
        "семидесяти",
        "восьмидесяти",
        "девяноста",
    ];
    let hund_nom = [
        "",
        "сто",
        "двести",
        "триста",
        "четыреста",
        "пятьсот",
        "шестьсот",
        "семьсот",
        "восемьсот",
        "девятьсот",
    ];
    let hund_gen = [
        "",
        "ста",
        "двухсот",
        "трёхсот",
        "четырёхсот",
        "пятисот",
        "шестисот",
        "семисот",
        "восьмисот",
        "девятисот",
    ];
    let below_thousand = |n: u64, feminine_thousands: bool| -> Vec<String> {
        let (ones, teens, tens, hund) = if genitive {
            (&ones_gen, &teens_gen, &tens_gen, &hund_gen)
        } else {
            (&ones_nom, &teens_nom, &tens_nom, &hund_nom)
        };
        let mut w = Vec::new();
        if n / 100 > 0 {
            w.push(hund[(n / 100) as usize].to_string());
        }
        let r = n % 100;
        if (10..20).contains(&r) {
            w.push(teens[(r - 10) as usize].to_string());
        } else {
            if r / 10 > 0 {
                w.push(tens[(r / 10) as usize].to_string());
            }
            let u = (r % 10) as usize;
            if u > 0 {
                let word = match (u, feminine_thousands, genitive) {
                    (1, true, false) => "одна",
                    (2, true, false) => "две",
                    (1, true, true) => "одной",
                    _ => ones[u],
                };
                w.push(word.to_string());
            }
        }
        w
    };
    let mut words = Vec::new();
    let th = n / 1000;
    if th > 0 {
        words.extend(below_thousand(th, true));
        let last2 = th % 100;
        let last = th % 10;
        let form = if genitive {
            if last == 1 && last2 != 11 {
                "тысячи"
            } else {
                "тысяч"
            }
        } else if (11..15).contains(&last2) {
            "тысяч"
        } else {
            match last {
                1 => "тысяча",
                2..=4 => "тысячи",
                _ => "тысяч",
            }
        };
        words.push(form.to_string());
    }
    words.extend(below_thousand(n % 1000, false));
    words.join(" ")
}

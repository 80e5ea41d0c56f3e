//! Numbers as the press writes them: digits of any script (already folded to ASCII)
//! with separators and multipliers, number words in Arabic, English and Russian,
//! and vague amounts. Written by hand: no crate composes Arabic or Russian number
//! words.

use super::tokens::{Token, TokenKind};

/// A number found in a sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    /// First and one-past-last token.
    pub first: usize,
    pub end: usize,
    /// `None` for a vague amount ("dozens").
    pub value: Option<f64>,
}

/// What one number word means.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Word {
    /// Adds to the group: units, teens, tens, and compounds such as "خمسمائة".
    Add(f64),
    /// Multiplies the group: hundred.
    Hundred,
    /// Closes the group: thousand, million.
    Scale(f64),
    /// A whole count of thousands by itself: the dual "ألفان" (2000).
    Total(f64),
    /// "and" between number words.
    Joiner,
}

/// Arabic, English and Russian number words, folded (see `text::fold`).
fn word(w: &str) -> Option<Word> {
    arabic_word(w)
        .or_else(|| english_word(w))
        .or_else(|| russian_word(w))
        .or_else(|| arabic_hundreds(w))
}

/// Arabic number words, folded, in both genders and cases.
fn arabic_word(w: &str) -> Option<Word> {
    use Word::*;
    Some(match w {
        // Arabic units in both genders and cases.
        "واحد" | "واحده" => Add(1.0),
        "اثنان" | "اثنين" | "اثنتان" | "اثنتين" | "اثنا" | "اثني" | "اثنتا" | "اثنتي" => {
            Add(2.0)
        }
        "ثلاثه" | "ثلاث" => Add(3.0),
        "اربعه" | "اربع" => Add(4.0),
        "خمسه" | "خمس" => Add(5.0),
        "سته" | "ست" => Add(6.0),
        "سبعه" | "سبع" => Add(7.0),
        "ثمانيه" | "ثماني" | "ثمان" => Add(8.0),
        "تسعه" | "تسع" => Add(9.0),
        "عشره" | "عشر" => Add(10.0),
        // Only before "عشر": "أحد عشر", "إحدى عشرة" (11); alone "أحد" is "one of" or Sunday.
        "احد" | "احدي" => Add(1.0),
        "عشرون" | "عشرين" => Add(20.0),
        "ثلاثون" | "ثلاثين" => Add(30.0),
        "اربعون" | "اربعين" => Add(40.0),
        "خمسون" | "خمسين" => Add(50.0),
        "ستون" | "ستين" => Add(60.0),
        "سبعون" | "سبعين" => Add(70.0),
        "ثمانون" | "ثمانين" => Add(80.0),
        "تسعون" | "تسعين" => Add(90.0),
        "مئه" | "مائه" => Hundred,
        "مئتان" | "مئتين" | "مائتان" | "مائتين" | "مئتا" | "مائتا" | "مئتي" | "مائتي" => {
            Add(200.0)
        }
        "الف" | "الفا" | "الاف" => Scale(1e3),
        "الفان" | "الفين" | "الفي" => Total(2000.0),
        "مليونان" | "مليونين" => Total(2e6),
        "مليون" | "مليونا" | "ملايين" => Scale(1e6),
        _ => return None,
    })
}

/// English number words.
fn english_word(w: &str) -> Option<Word> {
    use Word::*;
    Some(match w {
        "one" => Add(1.0),
        "two" => Add(2.0),
        "three" => Add(3.0),
        "four" => Add(4.0),
        "five" => Add(5.0),
        "six" => Add(6.0),
        "seven" => Add(7.0),
        "eight" => Add(8.0),
        "nine" => Add(9.0),
        "ten" => Add(10.0),
        "eleven" => Add(11.0),
        "twelve" => Add(12.0),
        "thirteen" => Add(13.0),
        "fourteen" => Add(14.0),
        "fifteen" => Add(15.0),
        "sixteen" => Add(16.0),
        "seventeen" => Add(17.0),
        "eighteen" => Add(18.0),
        "nineteen" => Add(19.0),
        "twenty" => Add(20.0),
        "thirty" => Add(30.0),
        "forty" => Add(40.0),
        "fifty" => Add(50.0),
        "sixty" => Add(60.0),
        "seventy" => Add(70.0),
        "eighty" => Add(80.0),
        "ninety" => Add(90.0),
        "hundred" => Hundred,
        "thousand" => Scale(1e3),
        "million" => Scale(1e6),
        "and" => Joiner,
        _ => return None,
    })
}

/// Russian number words, nominative and oblique cases.
fn russian_word(w: &str) -> Option<Word> {
    use Word::*;
    Some(match w {
        "один" | "одна" | "одного" | "одной" | "одному" | "одним" => {
            Add(1.0)
        }
        "два" | "две" | "двух" | "двум" | "двумя" | "двое" | "двоих" => {
            Add(2.0)
        }
        "три" | "трех" | "трем" | "тремя" | "трое" | "троих" => Add(3.0),
        "четыре" | "четырех" | "четырем" | "четырьмя" | "четверо" | "четверых" => {
            Add(4.0)
        }
        "пять" | "пяти" | "пятью" | "пятеро" | "пятерых" => Add(5.0),
        "шесть" | "шести" | "шестью" | "шестеро" | "шестерых" => {
            Add(6.0)
        }
        "семь" | "семи" | "семью" | "семеро" | "семерых" => Add(7.0),
        "восемь" | "восьми" | "восемью" | "восьмью" => Add(8.0),
        "девять" | "девяти" | "девятью" => Add(9.0),
        "десять" | "десяти" | "десятью" => Add(10.0),
        "одиннадцать" | "одиннадцати" => Add(11.0),
        "двенадцать" | "двенадцати" => Add(12.0),
        "тринадцать" | "тринадцати" => Add(13.0),
        "четырнадцать" | "четырнадцати" => Add(14.0),
        "пятнадцать" | "пятнадцати" => Add(15.0),
        "шестнадцать" | "шестнадцати" => Add(16.0),
        "семнадцать" | "семнадцати" => Add(17.0),
        "восемнадцать" | "восемнадцати" => Add(18.0),
        "девятнадцать" | "девятнадцати" => Add(19.0),
        "двадцать" | "двадцати" => Add(20.0),
        "тридцать" | "тридцати" => Add(30.0),
        "сорок" | "сорока" => Add(40.0),
        "пятьдесят" | "пятидесяти" => Add(50.0),
        "шестьдесят" | "шестидесяти" => Add(60.0),
        "семьдесят" | "семидесяти" => Add(70.0),
        "восемьдесят" | "восьмидесяти" => Add(80.0),
        "девяносто" | "девяноста" => Add(90.0),
        "сто" | "ста" => Add(100.0),
        "двести" | "двухсот" => Add(200.0),
        "триста" | "трехсот" => Add(300.0),
        "четыреста" | "четырехсот" => Add(400.0),
        "пятьсот" | "пятисот" => Add(500.0),
        "шестьсот" | "шестисот" => Add(600.0),
        "семьсот" | "семисот" => Add(700.0),
        "восемьсот" | "восьмисот" => Add(800.0),
        "девятьсот" | "девятисот" => Add(900.0),
        "тысяча" | "тысячи" | "тысяч" | "тысячу" | "тысячей" | "тыс" => {
            Scale(1e3)
        }
        "миллион" | "миллиона" | "миллионов" | "млн" => Scale(1e6),
        _ => return None,
    })
}

/// "ثلاثمائة", "خمسمئة", "تسعمائة": a unit written together with "hundred".
fn arabic_hundreds(w: &str) -> Option<Word> {
    let stem = w.strip_suffix("مائه").or_else(|| w.strip_suffix("مئه"))?;
    match word(stem) {
        Some(Word::Add(u)) if (3.0..=9.0).contains(&u) => Some(Word::Add(u * 100.0)),
        _ => None,
    }
}

/// Multiplier words that may follow digits ("4 آلاف", "1.5 million", "5,8 тыс.").
fn multiplier(w: &str) -> Option<f64> {
    match word(w) {
        Some(Word::Scale(s)) => Some(s),
        Some(Word::Hundred) => Some(100.0),
        _ => None,
    }
}

/// Arabic clitics a number word may carry: "وعشرين" is "and twenty".
fn strip_conjunction(w: &str) -> Option<&str> {
    w.strip_prefix('و').filter(|rest| rest.chars().count() >= 2)
}

/// Value of a digit token: "1,300" "1 300" "1.300" are thousands; "1.3" "5,8" are
/// decimals.
pub fn parse_digits(s: &str, lang: &str) -> Option<f64> {
    let groups: Vec<&str> = s.split([',', '.', ' ']).collect();
    if groups.len() == 1 {
        return s.parse().ok();
    }
    let seps: Vec<char> = s.chars().filter(|c| matches!(c, ',' | '.' | ' ')).collect();
    let all_same = seps.iter().all(|c| *c == seps[0]);
    let thousands_shape = groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3);
    if all_same && thousands_shape && !(seps.len() == 1 && seps[0] == '.' && lang == "en") {
        return groups.concat().parse().ok();
    }
    if seps.len() == 1 && matches!(seps[0], ',' | '.') {
        return s.replace(',', ".").parse().ok();
    }
    None
}

/// Finds every number in `tokens`. Vague amounts come from the lexicon.
pub fn mentions(
    tokens: &[Token],
    lang: &str,
    is_vague: impl Fn(usize) -> Option<usize>,
) -> Vec<Mention> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        if t.kind == TokenKind::Digits {
            let Some(mut value) = parse_digits(&t.text, lang) else {
                i += 1;
                continue;
            };
            // A decimal point in English before a multiplier: "1.5 million".
            if lang == "en" && t.text.contains('.') && !t.text.contains(',') {
                value = t.text.parse().unwrap_or(value);
            }
            let mut end = i + 1;
            // "5,8 тыс." and "1.3 ألف": a multiplier makes "x.y" a decimal.
            if let Some(m) = tokens.get(end).and_then(|n| multiplier(&n.text)) {
                if t.text.contains([',', '.']) && !t.text.contains(' ') {
                    if let Ok(dec) = t.text.replace(',', ".").parse::<f64>() {
                        if t.text
                            .split([',', '.'])
                            .nth(1)
                            .is_some_and(|g| g.len() != 3)
                        {
                            value = dec;
                        }
                    }
                }
                value *= m;
                end += 1;
                // "5,8 тыс. человек": the abbreviation's point belongs to it.
                if tokens.get(end).is_some_and(|p| p.text == ".")
                    && tokens[end - 1].text.chars().count() <= 4
                {
                    end += 1;
                }
            }
            let (value, end) = and_remainder(tokens, value, end, lang);
            out.push(Mention {
                first: i,
                end,
                value: Some(value),
            });
            i = end;
            continue;
        }
        if let Some(len) = is_vague(i) {
            out.push(Mention {
                first: i,
                end: i + len,
                value: None,
            });
            i += len;
            continue;
        }
        if let Some((value, end)) = words_at(tokens, i) {
            let (value, end) = and_remainder(tokens, value, end, lang);
            out.push(Mention {
                first: i,
                end,
                value: Some(value),
            });
            i = end;
            continue;
        }
        i += 1;
    }
    // Hundreds of digits, or "hundred" said a thousand times, overflow to
    // infinity: no report counts that, so it is not a figure.
    out.retain(|m| m.value.is_none_or(f64::is_finite));
    out
}

/// "7 آلاف و412", "23 ألفا و480", "ألفين و300", "مليون و700 ألف": in Arabic a round
/// number of thousands or millions goes on after "و" with the rest in digits.
/// Returns the whole value and where it ends.
fn and_remainder(tokens: &[Token], value: f64, end: usize, lang: &str) -> (f64, usize) {
    let unit = [1e9, 1e6, 1e3]
        .into_iter()
        .find(|u| value >= *u && value % u == 0.0);
    let (Some(unit), true) = (unit, lang == "ar" || lang.is_empty()) else {
        return (value, end);
    };
    let digits = end + 1;
    let joined = tokens.get(end).is_some_and(|t| t.text == "و")
        && tokens
            .get(digits)
            .is_some_and(|t| t.kind == TokenKind::Digits && !t.glued);
    if !joined {
        return (value, end);
    }
    let Some(mut rest) = parse_digits(&tokens[digits].text, lang) else {
        return (value, end);
    };
    let mut rest_end = digits + 1;
    if let Some(m) = tokens.get(rest_end).and_then(|t| multiplier(&t.text)) {
        rest *= m;
        rest_end += 1;
    }
    if rest > 0.0 && rest < unit {
        (value + rest, rest_end)
    } else {
        (value, end)
    }
}

/// Composes number words starting at token `i`: "three thousand five hundred",
/// "ثلاثة آلاف وخمسمائة", "двадцать пять".
fn words_at(tokens: &[Token], i: usize) -> Option<(f64, usize)> {
    let mut total = 0.0;
    let mut group = 0.0;
    let mut end = i;
    let mut seen = false;
    let mut j = i;
    while j < tokens.len() && tokens[j].kind == TokenKind::Word {
        let raw = tokens[j].text.as_str();
        let mut parts: Vec<&str> = raw.split('-').collect();
        if parts.len() > 1 && !parts.iter().all(|p| word(p).is_some()) {
            break;
        }
        if parts.len() == 1 {
            parts = vec![raw];
        }
        if matches!(raw, "احد" | "احدي")
            && !tokens
                .get(j + 1)
                .is_some_and(|t| matches!(t.text.as_str(), "عشر" | "عشره"))
        {
            break;
        }
        let mut step = None;
        for p in &parts {
            let w = word(p).or_else(|| {
                if seen {
                    strip_conjunction(p).and_then(word)
                } else {
                    None
                }
            });
            match w {
                Some(w) => step = Some(w),
                None => {
                    step = None;
                    break;
                }
            }
            match step.unwrap() {
                Word::Joiner => {}
                Word::Add(v) => group += v,
                Word::Hundred => group = group.max(1.0) * 100.0,
                Word::Scale(s) => {
                    total += group.max(1.0) * s;
                    group = 0.0;
                }
                Word::Total(t) => {
                    total += group + t;
                    group = 0.0;
                }
            }
        }
        match step {
            None => break,
            Some(Word::Joiner) if !seen => break,
            Some(Word::Joiner) => {}
            Some(_) => {
                seen = true;
                end = j + 1;
            }
        }
        j += 1;
    }
    if !seen {
        return None;
    }
    // "أحد عشر" and friends: a trailing joiner is not part of the number.
    let value = total + group;
    (value > 0.0).then_some((value, end))
}

/// The value of `text` when it is exactly one number, in digits of any script
/// with any separators, or in words ("خمسة وعشرون", "twenty-five", "двадцать пять").
pub fn parse(text: &str) -> Option<f64> {
    let tokens = super::tokens::tokenize(&crate::text::fold(text), 0);
    let m = mentions(&tokens, "", |_| None);
    match m.as_slice() {
        [one] if one.first == 0 && one.end == tokens.len() => one.value,
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_thousands_go_on_after_and_in_digits() {
        for (text, value) in [
            ("7 آلاف و412", 7412.0),
            ("23 ألفا و480", 23480.0),
            ("ألفين و300", 2300.0),
            ("مليون و700 ألف", 1_700_000.0),
            ("12 ألفا و506", 12506.0),
        ] {
            assert_eq!(parse(text), Some(value), "{text}");
        }
        // A second figure, not a remainder: "1000 و2000" are two.
        assert_eq!(parse("3 آلاف و4000"), None);
    }

    #[test]
    fn a_number_too_long_for_any_count_is_not_a_figure() {
        let digits = format!("{}.131055", "38".repeat(250));
        assert_eq!(parse(&digits), None);
        assert_eq!(parse(&"hundred ".repeat(400)), None);
        assert_eq!(parse(&format!("{} million", "9".repeat(306))), None);
    }

    #[test]
    fn digits_with_separators_and_multipliers() {
        assert_eq!(parse_digits("1,300", "en"), Some(1300.0));
        assert_eq!(parse_digits("1 300", "ru"), Some(1300.0));
        assert_eq!(parse_digits("1.300", "ru"), Some(1300.0));
        assert_eq!(parse_digits("1.3", "ar"), Some(1.3));
        assert_eq!(parse_digits("12,345,678", "en"), Some(12345678.0));
        for (text, value) in [
            ("4 آلاف", 4000.0),
            ("1.3 ألف", 1300.0),
            ("١٫٣ ألف", 1300.0),
            ("20 ألفا", 20000.0),
            ("1.5 million", 1.5e6),
            ("5,8 тыс.", 5800.0),
            ("4,5 тысяч", 4500.0),
            ("١٬٣٠٠", 1300.0),
        ] {
            let tokens = super::super::tokens::tokenize(&crate::text::fold(text), 0);
            let m = mentions(&tokens, "xx", |_| None);
            assert_eq!(m[0].value, Some(value), "{text}");
        }
    }

    #[test]
    fn number_words_in_three_languages() {
        for (text, value) in [
            ("ثلاثة", 3.0),
            ("ثلاثين", 30.0),
            ("خمسة وعشرين", 25.0),
            ("ثلاثة آلاف وخمسمائة", 3500.0),
            ("ثلاثة آلاف وخمسمئة", 3500.0),
            ("ألف", 1000.0),
            ("ثمانية", 8.0),
            ("أحد عشر", 11.0),
            ("إحدى عشرة", 11.0),
            ("اثنا عشر", 12.0),
            ("ثلاث مئة", 300.0),
            ("مئتي", 200.0),
            ("twenty-five", 25.0),
            ("three thousand five hundred", 3500.0),
            ("one hundred and twenty", 120.0),
            ("двадцать пять", 25.0),
            ("трёх", 3.0),
            ("двое", 2.0),
        ] {
            assert_eq!(parse(text), Some(value), "{text}");
        }
        assert_eq!(parse("and"), None);
        assert_eq!(parse("first"), None);
    }
}

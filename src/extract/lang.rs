//! Language of an article: detection, with the feed's hint where detection is unsure.

/// ISO 639-1 code of `text`'s language, or the hint when detection cannot tell.
pub fn detect(text: &str, hint: Option<&str>) -> Option<String> {
    // Scripts tell ar and ru apart at once; 600 characters are plenty for the rest.
    let sample: String = text.chars().take(600).collect();
    // A short Russian text reads as Bulgarian, Serbian or Macedonian as often as
    // not; among Cyrillic texts only Ukrainian is told from Russian.
    let detected = match whatlang::detect_script(&sample) {
        Some(whatlang::Script::Cyrillic) => CYRILLIC.detect(&sample),
        _ => whatlang::detect(&sample),
    };
    match detected {
        Some(info) if info.is_reliable() => Some(code(info.lang()).to_string()),
        // A sentence or a headline is too short to tell Dutch from English: with no
        // hint, the best of the languages read is the likeliest.
        Some(_) if hint.is_none() => READ
            .detect(&sample)
            .map(|info| code(info.lang()).to_string()),
        _ => hint.map(str::to_string),
    }
}

/// The Cyrillic languages told apart; built once, not per article.
static CYRILLIC: std::sync::LazyLock<whatlang::Detector> = std::sync::LazyLock::new(|| {
    whatlang::Detector::with_allowlist(vec![whatlang::Lang::Rus, whatlang::Lang::Ukr])
});

/// The languages the extractor reads.
static READ: std::sync::LazyLock<whatlang::Detector> = std::sync::LazyLock::new(|| {
    use whatlang::Lang::*;
    whatlang::Detector::with_allowlist(vec![Ara, Eng, Rus, Ukr])
});

fn code(lang: whatlang::Lang) -> &'static str {
    use whatlang::Lang::*;
    match lang {
        Ara => "ar",
        Eng => "en",
        Rus => "ru",
        Ukr => "uk",
        Fra => "fr",
        Deu => "de",
        Spa => "es",
        Por => "pt",
        Ita => "it",
        Tur => "tr",
        Pes => "fa",
        Urd => "ur",
        Cmn => "zh",
        Jpn => "ja",
        Kor => "ko",
        other => other.code(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn detects_the_three_languages() {
        assert_eq!(
            super::detect(
                "قالت وزارة الداخلية إن ثمانية من أفراد الشرطة قتلوا في ألماتي",
                None
            )
            .as_deref(),
            Some("ar")
        );
        assert_eq!(
            super::detect(
                "The interior ministry said eight police officers were killed in Almaty.",
                None
            )
            .as_deref(),
            Some("en")
        );
        assert_eq!(
            super::detect("МВД сообщило, что в Алматы погибли восемь силовиков.", None).as_deref(),
            Some("ru")
        );
        assert_eq!(super::detect("", Some("ar")).as_deref(), Some("ar"));
    }

    #[test]
    fn a_short_russian_sentence_is_russian() {
        for text in [
            "Трое полицейских погибли в перестрелке с боевиками, сообщили в НАК.",
            "Трое полицейских погибли в Дагестане.",
            "Боевики похитили около 40 учеников.",
        ] {
            assert_eq!(super::detect(text, None).as_deref(), Some("ru"), "{text}");
        }
        assert_eq!(
            super::detect(
                "Троє поліцейських загинули в перестрілці, повідомили в поліції.",
                None
            )
            .as_deref(),
            Some("uk")
        );
    }

    #[test]
    fn a_short_english_sentence_is_english() {
        for text in [
            "A fire killed 31 workers.",
            "Seven people were missing.",
            "Fire killed 31 workers.",
        ] {
            assert_eq!(super::detect(text, None).as_deref(), Some("en"), "{text}");
        }
    }
}

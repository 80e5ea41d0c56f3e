//! Who states a figure: the cues of a sentence (speech verbs, "according to",
//! citing, relays, a headline's colon), the source phrase each names, and which
//! of several sources speaks for which figure.

use super::*;

/// At most this many words on the short side of a headline's colon name a source.
const HEADLINE_SOURCE_WORDS: usize = 5;

/// Words that open a relative clause between a source and its verb.
const RELATIVES: &[&str] = &[
    "which",
    "who",
    "whose",
    "который",
    "которая",
    "которое",
    "которые",
    "которой",
    "которого",
];

/// How long a title in commas after a name may be.
const APPOSITION_WORDS: usize = 10;

/// How long a relative clause between a source and its verb may be.
const RELATIVE_CLAUSE_WORDS: usize = 16;

/// Prepositions between a head and the institution it speaks for.
const SOURCE_LINKS: &[&str] = &["in", "at", "from", "في", "в", "во", "из"];

/// Adverbs that may stand between a source and its speech verb.
const ADVERBS: &[&str] = &[
    "also",
    "earlier",
    "later",
    "previously",
    "again",
    "separately",
    "however",
    "meanwhile",
    "though",
    "однако",
    "впрочем",
    "также",
    "ранее",
    "позже",
    "тоже",
    "вновь",
    "еще",
    "ايضا",
    "كذلك",
    "قد",
];

/// For each token, the aside it stands in: "(per the agency)", "-بحسب الهيئة-",
/// "— по данным МЧС —". A dash left open by the sentence's end opens none.
pub(super) fn asides(tokens: &[Token]) -> Vec<Option<usize>> {
    let mut out = vec![None; tokens.len()];
    let (mut open, mut count) = (None::<(usize, bool)>, 0);
    for (i, t) in tokens.iter().enumerate() {
        let dash = t.kind == TokenKind::Punct && matches!(t.text.as_str(), "-" | "–" | "—");
        match (t.text.as_str(), open) {
            ("(", None) => open = Some((i, false)),
            (")", Some((_, false))) => open = None,
            (_, None) if dash => open = Some((i, true)),
            (_, Some((_, true))) if dash => open = None,
            _ => {}
        }
        if let Some((from, _)) = open {
            if from == i {
                count += 1;
            }
            out[i] = Some(count);
        }
    }
    if let Some((from, _)) = open {
        out[from..].iter_mut().for_each(|a| *a = None);
    }
    out
}

/// An attribution cue: its kind, its token, and the tokens of the phrase it names.
pub(super) type CueSpan = (Cat, usize, (usize, usize));

/// A source named in a sentence that names several, with what it speaks for.
pub(super) struct Cue {
    /// The token of its verb or "according to".
    at: usize,
    source: String,
    /// It leads into reported speech ("قالت الوكالة إن"): it speaks for what follows.
    forward: bool,
    /// The aside in dashes or brackets it stands in: it speaks for that alone.
    aside: Option<usize>,
}

impl Cue {
    /// The source of the figure at token `at`: the nearest cue that can speak for
    /// it, or failing that the nearest.
    pub(super) fn nearest(cues: &[Cue], at: usize, aside: Option<usize>) -> Option<&str> {
        let speaks_for =
            |c: &&Cue| !(c.forward && c.at > at) && (c.aside.is_none() || c.aside == aside);
        let by_distance = |c: &&Cue| c.at.abs_diff(at);
        cues.iter()
            .filter(speaks_for)
            .min_by_key(by_distance)
            .or_else(|| cues.iter().min_by_key(by_distance))
            .map(|c| c.source.as_str())
    }
}

pub(super) enum Attribution {
    Named(String),
    /// A speech verb with no subject written ("وأضاف", "he added"): the speaker
    /// of the sentences before.
    Implicit,
}

impl Sentence<'_> {
    pub(super) fn starts_with_according(&self) -> bool {
        self.matches
            .iter()
            .any(|m| m.start == 0 && m.cat == Cat::According)
    }

    /// "Об этом сообщили в МВД", "This was reported by the agency", "أفادت بذلك
    /// الوزارة": the sentence opens by naming who said what the one before said.
    pub(super) fn names_who_said_it(&self) -> bool {
        let cue = |c: &Cat| matches!(c, Cat::Speech | Cat::Relay | Cat::According | Cat::Citing);
        let verb_first = self.lex.language == "ar";
        self.matches
            .iter()
            .filter(|m| m.cat == Cat::ThisRef && m.start <= 2)
            .any(|r| {
                // "Об этом сообщили", "this was reported"; verb first in Arabic:
                // "أفادت بذلك".
                self.matches.iter().any(|m| {
                    cue(&m.cat)
                        && ((m.start >= r.end && m.start <= r.end + 2)
                            || (verb_first && m.end == r.start))
                })
            })
    }

    /// "وإن نحو 400 نقلوا ...": a sentence opening with "and that" goes on with the
    /// reported speech of the one before.
    pub(super) fn continues_speech(&self) -> bool {
        self.tokens
            .first()
            .is_some_and(|t| matches!(t.text.as_str(), "وان" | "وانه" | "وانها" | "وبان"))
    }

    /// Whether token `i` may be part of a source phrase.
    pub(super) fn in_source(&self, i: usize) -> bool {
        let t = &self.tokens[i];
        // "قناة خبر 24 أن": digits after a word, closing the phrase, are a name.
        let name_digits = t.kind == TokenKind::Digits
            && i > 0
            && self.tokens[i - 1].kind == TokenKind::Word
            // "up from 14 reported": after a word of the lexicon it is a figure.
            && self.covering(i - 1, |c| !matches!(c, Cat::Place(_))).is_none()
            && self.tokens.get(i + 1).is_none_or(|n| {
                n.kind == TokenKind::Punct
                    || self
                        .at(i + 1, |c| {
                            matches!(c, Cat::SourceEnd | Cat::Speech | Cat::Relay)
                        })
                        .is_some()
            });
        // "U.N.", "U.S.": the points of initials.
        let initial = |j: usize| {
            self.tokens
                .get(j)
                .is_some_and(|n| n.capital && n.text.chars().count() == 1)
        };
        let initial_point = t.text == "."
            && i > 0
            && initial(i - 1)
            && (initial(i + 1) || (i >= 2 && self.tokens[i - 2].text == "."));
        initial_point
            || (t.kind == TokenKind::Word
                || (t.kind == TokenKind::Digits && t.glued)
                || name_digits)
                && self
                    .covering(i, |c| {
                        matches!(
                            c,
                            Cat::SourceEnd
                                | Cat::Kind(_)
                                | Cat::Speech
                                | Cat::According
                                | Cat::Citing
                                | Cat::Relay
                                | Cat::QualBefore(_)
                                | Cat::Vague
                                | Cat::ThisRef
                                | Cat::Venue
                                | Cat::Including
                        )
                    })
                    .is_none()
    }

    pub(super) fn phrase_after(&self, from: usize) -> Option<(usize, usize)> {
        let mut i = from;
        // "Об этом заявили в четверг в МВД", "أفادت بذلك الوزارة": what was said
        // and when stand between the verb and its subject.
        while i < self.tokens.len() {
            if let Some(m) = self.at(i, |c| matches!(c, Cat::ThisRef | Cat::Venue)) {
                i = m.end;
            } else if self.is_day(i) {
                i += 1;
            } else {
                break;
            }
        }
        // "بحسب ما أعلنت الوزارة", "as announced by": skip to the verb's subject.
        if self.is_word(i, &["ما"]) {
            if let Some(m) = self.at(i + 1, |c| matches!(c, Cat::Speech | Cat::Relay)) {
                i = m.end;
            }
        }
        // "сообщили в МВД": the preposition is not part of the source.
        if self.at(i, |c| *c == Cat::SourceSkip).is_some()
            && i + 1 < self.tokens.len()
            && self.in_source(i + 1)
        {
            i += 1;
        }
        let start = i;
        // "أعلنت الوزارة دخول 210": the word right before a count is what was
        // counted, not who counted.
        let before_count = |i: usize| {
            self.tokens
                .get(i + 1)
                .is_some_and(|n| n.kind == TokenKind::Digits && !self.in_source(i + 1))
        };
        while i < self.tokens.len()
            && i - start < SOURCE_WORDS
            && self.in_source(i)
            && !(i > start && before_count(i))
        {
            i += 1;
        }
        // "مسؤول في وزارة الخارجية", "источник в экстренных службах": a head and
        // the institution it speaks for.
        if i > start && self.links_head(i) {
            let from = i + 1;
            i = from;
            while i < self.tokens.len() && i - from < SOURCE_WORDS && self.in_source(i) {
                i += 1;
            }
            if i == from {
                i = from - 1;
            }
        }
        (i > start).then_some((start, i))
    }

    /// Whether token `link` is "in", "at", "في", "в" right after a head that speaks
    /// for an institution ("officials", "مسؤول", "источник") and before a word.
    pub(super) fn links_head(&self, link: usize) -> bool {
        link > 0
            && self.is_word(link, SOURCE_LINKS)
            && self.covering(link - 1, |c| *c == Cat::SourceHead).is_some()
            && link + 1 < self.tokens.len()
            && self.in_source(link + 1)
    }

    pub(super) fn phrase_before(&self, to: usize) -> Option<(usize, usize)> {
        // "the ministry earlier reported", "МВД также сообщило", "Authorities on
        // Thursday confirmed": an adverb or a day between the subject and its verb.
        let mut to = to;
        loop {
            if to > 0 && (self.is_word(to - 1, ADVERBS) || self.is_day(to - 1)) {
                to -= 1;
            } else if to >= 3
                && self.is_word(to - 1, &[","])
                && self.is_word(to - 2, ADVERBS)
                && self.is_word(to - 3, &[","])
            {
                // "Activists, however, put the number of dead at 40".
                to -= 3;
            } else if let Some(m) = (to > 0)
                .then(|| self.covering(to - 1, |c| *c == Cat::Venue))
                .flatten()
                .filter(|m| m.end == to)
            {
                to = m.start;
            } else {
                break;
            }
        }
        // "The head of the region, Pavlo Kyrylenko, says": the name in apposition.
        if let Some(name) = self.apposition_before(to) {
            return Some(name);
        }
        // "The ministry, which oversees hospitals in the region, said".
        if let Some(clause) = self.relative_clause_before(to) {
            return self.phrase_before(clause);
        }
        let mut i = to;
        while i > 0 && to - i < SOURCE_WORDS && self.in_source(i - 1) {
            i -= 1;
        }
        // "Officials in Harrow county said", "Источник в МЧС сообщил".
        if i < to && i >= 2 && self.links_head(i - 1) {
            i -= 1;
            while i > 0 && to - i < 2 * SOURCE_WORDS && self.in_source(i - 1) {
                i -= 1;
            }
        }
        (i < to).then_some((i, to))
    }

    /// Whether token `i` is part of a day named between a subject and its verb:
    /// "on Thursday", "late Monday", "в понедельник".
    pub(super) fn is_day(&self, i: usize) -> bool {
        let day = |j: usize| self.covering(j, |c| matches!(c, Cat::When(_))).is_some();
        day(i)
            || (self.is_word(i, &["on", "late", "early", "в", "во"]) && day(i + 1))
            || (i > 0
                && self.is_word(
                    i,
                    &[
                        "night",
                        "morning",
                        "evening",
                        "afternoon",
                        "вечером",
                        "утром",
                    ],
                )
                && day(i - 1))
    }

    /// `, which ... ,` (`, who ... ,`, `, который ... ,`) ending at `to`: where the
    /// clause opens, so that its subject can be read before it.
    pub(super) fn relative_clause_before(&self, to: usize) -> Option<usize> {
        if to < 3 || !self.is_word(to - 1, &[","]) {
            return None;
        }
        (to.saturating_sub(RELATIVE_CLAUSE_WORDS)..to - 2)
            .rev()
            .take_while(|&j| !self.is_word(j, &[","]) || self.opens_clause(j + 1))
            .find(|&j| self.is_word(j, &[","]) && self.opens_clause(j + 1))
            .filter(|&j| j > 0)
    }

    /// "which", "который", or an English participle ("speaking on condition of
    /// anonymity"): the word opens a clause between a source and its verb.
    fn opens_clause(&self, i: usize) -> bool {
        self.is_word(i, RELATIVES)
            || (self.lex.language == "en"
                && self
                    .tokens
                    .get(i)
                    .is_some_and(|t| t.kind == TokenKind::Word && t.text.ends_with("ing")))
    }

    /// `HEAD , NAME ,` ending at `to`: the NAME (one to four capitalised words).
    pub(super) fn apposition_before(&self, to: usize) -> Option<(usize, usize)> {
        if to < 4 || !self.is_word(to - 1, &[","]) {
            return None;
        }
        let end = to - 1;
        let mut i = end;
        while i > 0 && end - i < 4 && self.tokens[i - 1].capital && self.in_source(i - 1) {
            i -= 1;
        }
        let head_before = i > 1 && self.is_word(i - 1, &[","]) && self.in_source(i - 2);
        if i < end && head_before {
            return Some((i, end));
        }
        // "Mahad Warsame, director of the ambulance service, said": the name
        // before the title in commas.
        let opening = (to.saturating_sub(APPOSITION_WORDS)..end)
            .rev()
            .find(|&j| self.is_word(j, &[","]))?;
        let mut n = opening;
        while n > 0 && opening - n < 4 && self.tokens[n - 1].capital && self.in_source(n - 1) {
            n -= 1;
        }
        let title =
            (opening + 1..end).all(|k| self.in_source(k) || self.is_word(k, &["of", "the"]));
        (n < opening && title).then_some((n, opening))
    }

    /// The source a phrase names: as written, or for a back-reference ("الوزارة"
    /// after "وزارة الداخلية") the earlier, fuller name.
    pub(super) fn resolve(
        &self,
        range: (usize, usize),
        folded: &Folded,
        text: &str,
        earlier: &[String],
    ) -> Attribution {
        let (s, e) = folded.source_range(self.tokens[range.0].start, self.tokens[range.1 - 1].end);
        let phrase = text[s..e].trim().to_string();
        let is_backref = self
            .matches
            .iter()
            .any(|m| m.cat == Cat::BackRef && m.start == range.0 && m.end == range.1);
        if !is_backref {
            return Attribution::Named(phrase);
        }
        let head = fold(&phrase);
        let found = earlier.iter().rev().find(|s| {
            let key = fold(s);
            head.split(' ')
                .map(|h| h.strip_prefix("ال").unwrap_or(h))
                .any(|h| h.chars().count() > 2 && key.contains(h))
        });
        // "ведомство", "he": no spelling in common, so the latest source.
        match found.or(earlier.last()) {
            Some(s) => Attribution::Named(s.clone()),
            None if head.chars().count() <= 3 => Attribution::Implicit,
            None => Attribution::Named(phrase),
        }
    }

    /// Every attribution cue of the sentence with the phrase it names, strongest
    /// kind first: the origin a relayed report cites ("نقلت رويترز عن الوزارة"), a
    /// speaker's own verb ("the ministry said"), an "according to", and last the
    /// outlet that relays it ("reported"). Each comes with the cue's token.
    pub(super) fn cues(&self) -> &(Vec<CueSpan>, bool) {
        self.cues.get_or_init(|| self.find_cues())
    }

    fn find_cues(&self) -> (Vec<CueSpan>, bool) {
        let verb_first = self.lex.language == "ar";
        let mut out = Vec::new();
        let mut spoke = false;
        // "ما لا يقل عن ألف": a word of a qualifier ("عن") cues no source.
        let in_qualifier = |m: &Match| {
            self.matches.iter().any(|q| {
                matches!(q.cat, Cat::QualBefore(_) | Cat::QualAfter(_))
                    && q.start <= m.start
                    && m.end <= q.end
            })
        };
        // Words of a cue's lexicon that cue nothing here.
        let no_cue = |m: &Match| {
            in_qualifier(m)
                || (matches!(m.cat, Cat::Speech | Cat::Relay) && self.is_masdar(m.start))
                || (m.cat == Cat::Relay && self.carries(m.end))
        };
        for cat in [Cat::Citing, Cat::Speech, Cat::According, Cat::Relay] {
            for m in self.matches.iter().filter(|m| m.cat == cat && !no_cue(m)) {
                let range = match cat {
                    Cat::Citing | Cat::According => self.phrase_after(m.end),
                    _ => {
                        let (first, second) = if verb_first {
                            (self.phrase_after(m.end), self.phrase_before(m.start))
                        } else {
                            (self.phrase_before(m.start), self.phrase_after(m.end))
                        };
                        first.or(second)
                    }
                };
                match range {
                    Some(r) => out.push((cat.clone(), m.start, r)),
                    None if cat == Cat::Speech => spoke = true,
                    None => {}
                }
            }
        }
        // A bare "عن" cites only right after a relay and its subject ("نقلت رويترز
        // عن", "وفقا لبيان صادر عن"): "، فضل عدم الكشف عن اسمه،" cites no one.
        let phrase_ends: Vec<usize> = out
            .iter()
            .filter(|c| c.0 != Cat::Citing)
            .map(|c| c.2.1)
            .collect();
        out.retain(|(cat, at, _)| {
            !(*cat == Cat::Citing && self.is_word(*at, &["عن"])) || phrase_ends.contains(at)
        });
        if let Some(colon) = self.headline_source() {
            out.push((Cat::According, colon.0, colon.1));
        }
        (out, spoke)
    }

    /// "Минздрав Непала: число погибших выросло до 143", "الدفاع المدني: 9 قتلى",
    /// "210 arrested in unrest: minister": a headline's source, on the short side
    /// of its colon, with the colon's token.
    pub(super) fn headline_source(&self) -> Option<(usize, (usize, usize))> {
        let colon = self.tokens.iter().position(|t| t.text == ":")?;
        let end = self.tokens.len() - usize::from(self.tokens.last()?.text == ".");
        let names = |a: usize, b: usize| {
            b > a
                && b - a <= HEADLINE_SOURCE_WORDS
                && (a..b).all(|i| {
                    self.in_source(i)
                        && self
                            .covering(i, |_| true)
                            .is_none_or(|_| self.is_source_word(i))
                })
                && !(a..b).any(|i| self.lex.is_headline_label(&self.tokens[i].text))
        };
        let figure_in =
            |a: usize, b: usize| (a..b).any(|i| self.tokens[i].kind == TokenKind::Digits);
        if names(0, colon) && figure_in(colon + 1, end) {
            Some((colon, (0, colon)))
        } else if names(colon + 1, end) && figure_in(0, colon) {
            Some((colon, (colon + 1, end)))
        } else {
            None
        }
    }

    /// Who a sentence that opens with a name is about: "Tomas Reyna, the mayor of
    /// San Olmo, visited ...", "Губернатор области Алексей Смирнов посетил ...";
    /// up to the last capitalised word or institution ("The health ministry
    /// issued ...") of its opening phrase, as a range of the original text (read
    /// only when a "he said" follows). Arabic sentences open with their verb, so
    /// they have none here.
    pub(super) fn subject(&self, folded: &Folded) -> Option<(usize, usize)> {
        if self.lex.language == "ar" || !self.tokens.first()?.capital {
            return None;
        }
        let names = |i: usize| {
            self.tokens[i].capital || self.covering(i, |c| *c == Cat::Institution).is_some()
        };
        let end = (0..self.tokens.len().min(SOURCE_WORDS))
            .take_while(|&i| self.in_source(i))
            .filter(|&i| names(i))
            .last()
            .filter(|&end| end > 0 || !self.is_word(0, &["the", "a", "an", "this", "its"]))?;
        let pronoun = self
            .matches
            .iter()
            .any(|m| m.cat == Cat::BackRef && m.start == 0 && m.end == end + 1);
        (!pronoun).then(|| folded.source_range(self.tokens[0].start, self.tokens[end].end))
    }

    /// "فرقه نقلت 47 جريحا", "نقلت إلى المستشفى": "نقل" followed by a count or
    /// "to" carries people, not a report ("reported 25 deaths" is one).
    fn carries(&self, after: usize) -> bool {
        self.lex.language == "ar"
            && (self
                .tokens
                .get(after)
                .is_some_and(|t| t.kind == TokenKind::Digits)
                || self.is_word(after, &["الى"]))
    }

    /// "الكشف", "والإعلان": an Arabic verb of speech with the article is its noun,
    /// which says nothing of who spoke ("عدم الكشف عن اسمه").
    pub(super) fn is_masdar(&self, i: usize) -> bool {
        self.lex.language == "ar"
            && ["ال", "وال", "بال", "فال", "كال", "لل", "ولل", "وبال"]
                .iter()
                .any(|p| self.tokens[i].text.starts_with(p))
    }

    /// Whether the lexicon's matches at token `i` may still be part of a source's
    /// name ("الوزارة", "Непала", "المدني", "региона"): no event and no day.
    pub(super) fn is_source_word(&self, i: usize) -> bool {
        self.covering_all(i)
            .all(|m| !matches!(m.cat, Cat::Kind(_) | Cat::When(_) | Cat::Time | Cat::Month))
    }

    /// The sentence's source: the strongest cue's (the last one, for "according
    /// to" and citing, which name the origin), or `Implicit` for a speech verb with
    /// no subject ("وأضاف", "he added").
    pub(super) fn attribution(
        &self,
        folded: &Folded,
        text: &str,
        earlier: &[String],
    ) -> Option<Attribution> {
        let (cues, spoke) = self.cues();
        let spoke = *spoke;
        let best = cues.first().map(|c| c.0.clone()).and_then(|kind| {
            let same: Vec<_> = cues.iter().filter(|c| c.0 == kind).collect();
            match kind {
                Cat::Citing | Cat::According => same.last().copied(),
                _ => same.first().copied(),
            }
        });
        match best {
            Some((_, _, range)) => Some(self.resolve(*range, folded, text, earlier)),
            None => spoke.then_some(Attribution::Implicit),
        }
    }

    /// When a sentence names several sources ("..., according to the health
    /// ministry, and 9,900 were detained, police said"), each with the token of its
    /// cue, so that each figure can take the nearest; empty when it names one.
    pub(super) fn several_sources(
        &self,
        folded: &Folded,
        text: &str,
        earlier: &[String],
    ) -> Vec<Cue> {
        let (cues, _) = self.cues();
        // "TASS reported, citing the ministry", "وفقا لبيان صادر عن الحرس": a relay
        // or a phrase chained to what it cites is not a source of its own.
        // "according to figures released by the department": a phrase that runs
        // into another "according to" is not a source of its own either.
        let citing = |at: usize| {
            cues.iter()
                .any(|c| matches!(c.0, Cat::Citing | Cat::According) && c.1 >= at && c.1 <= at + 1)
        };
        let has_citing = cues.iter().any(|c| c.0 == Cat::Citing);
        let named: Vec<Cue> = cues
            .iter()
            .filter(|(cat, _, range)| {
                !(*cat == Cat::Relay && has_citing || *cat != Cat::Citing && citing(range.1))
            })
            .filter_map(
                |(_, at, range)| match self.resolve(*range, folded, text, earlier) {
                    Attribution::Named(source) => Some(Cue {
                        at: *at,
                        source,
                        forward: self.introduces_speech(range.1),
                        aside: self.asides[*at],
                    }),
                    Attribution::Implicit => None,
                },
            )
            .collect();
        let mut distinct: Vec<&String> = named.iter().map(|n| &n.source).collect();
        distinct.sort();
        distinct.dedup();
        if distinct.len() < 2 {
            return Vec::new();
        }
        named
    }

    /// "قالت الوكالة إن ...", "the ministry said that ...", "сообщили, что": a
    /// source whose phrase, ending before `end`, leads into what it said, and so
    /// speaks only for the figures after it.
    pub(super) fn introduces_speech(&self, end: usize) -> bool {
        (end..(end + 3).min(self.tokens.len())).any(|i| {
            self.is_word(
                i,
                &["ان", "انه", "انها", "انهم", "بان", "that", "что", "чем"],
            )
        })
    }
}

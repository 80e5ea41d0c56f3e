//! Claim assembly: numbers in a sentence joined to the event word, the people
//! counted, the qualifier, the place and the source that states them.

use super::lexicon::{Cat, Lexicon, Match, SourceKeys};
use super::numbers::{self, Mention};
use super::tokens::{self, Token, TokenKind};
use crate::model::{Claim, Kind, Qualifier, Span, Who};
use crate::text::{Folded, char_offset, fold};

/// How far (in tokens) an event word may stand from its number.
const KIND_WINDOW: usize = 6;
/// The same for a number with no noun of its own ("748 were injured").
const BARE_WINDOW: usize = 2;
/// Longest source phrase, in tokens.
const SOURCE_WORDS: usize = 7;
/// How far a total's noun may stand from the verb that gives its new value:
/// "the death toll in the port city alone has risen to 5,496".
const TOLL_WINDOW: usize = 20;
/// How far a total's noun may stand before its event word: "the number of
/// victims among demonstrators who died", "عدد الحجاج المصريين الذين لقوا حتفهم".
const TOLL_NOUN_TO_EVENT: usize = 6;
/// Conjunctions that open the next clause when they lead an event word.
const AND: &[&str] = &["and", "while", "и", "а"];

/// A sentence being read.
struct Sentence<'a> {
    tokens: Vec<Token>,
    /// For each token, the aside in brackets or dashes it stands in, by number.
    asides: Vec<Option<usize>>,
    matches: Vec<Match>,
    /// For each token, the matches covering it, in scan order.
    covers: Vec<Vec<usize>>,
    lex: &'a Lexicon,
}

impl Sentence<'_> {
    fn at(&self, i: usize, pred: impl Fn(&Cat) -> bool) -> Option<&Match> {
        self.covering_all(i).find(|m| m.start == i && pred(&m.cat))
    }

    fn covering(&self, i: usize, pred: impl Fn(&Cat) -> bool) -> Option<&Match> {
        self.covering_all(i).find(|m| pred(&m.cat))
    }

    fn covering_all(&self, i: usize) -> impl Iterator<Item = &Match> {
        self.covers
            .get(i)
            .into_iter()
            .flatten()
            .map(|&j| &self.matches[j])
    }

    /// Tokens between `a` and `b` that count: function words ("were", "in",
    /// "تم") and qualifiers ("killed at least 30") do not.
    fn gap(&self, a: usize, b: usize) -> usize {
        (a..b)
            .filter(|&i| {
                self.covering(i, |c| matches!(c, Cat::Skip | Cat::QualBefore(_)))
                    .is_none()
            })
            .count()
    }

    /// Whether a place begins at token `i` ("in Kano", "في ورزازات", "بإقليم
    /// شيشاوة", "в Перми"): a place of the gazetteer, or one introduced as a
    /// place is (a capitalised name after "in"; in Arabic any word after "في", or
    /// a word with the prefix "ب" that the lexicon does not know).
    fn names_a_place(&self, i: usize) -> bool {
        let place = |j: usize| self.covering(j, |c| matches!(c, Cat::Place(_))).is_some();
        let known = |j: usize| self.covering(j, |_| true).is_some();
        let word = |j: usize| self.tokens.get(j).filter(|t| t.kind == TokenKind::Word);
        let arabic = self.lex.language == "ar";
        if place(i) {
            return true;
        }
        if self.is_word(i, &["in", "at", "في", "وفي", "в", "во"]) {
            // "in the Basra province"
            let name = i + 1 + usize::from(self.is_word(i + 1, &["the"]));
            return word(name)
                .is_some_and(|t| (t.capital || arabic) && !known(name) || place(name));
        }
        arabic
            && word(i)
                .is_some_and(|t| t.text.starts_with('ب') && t.text.chars().count() > 3 && !known(i))
    }

    /// Whether `o` counts things that are not people, perhaps past one adjective:
    /// "two northern provinces", "500 уголовных дел".
    fn counts_things(&self, o: &Mention) -> bool {
        let not_counted = |i: usize| self.covering(i, |c| *c == Cat::NotCounted).is_some();
        let plain_word = |i: usize| {
            self.tokens
                .get(i)
                .is_some_and(|t| t.kind == TokenKind::Word)
                && self.covering(i, |_| true).is_none()
        };
        not_counted(o.end) || (plain_word(o.end) && not_counted(o.end + 1))
    }

    /// The event of a running total whose new value `m` is: "the death toll in the
    /// port city alone has risen to 5,496", "ارتفعت حصيلة الجرحى إلى 2059", "число
    /// пострадавших ... возросло до 51". The figure is led in by a verb of change or
    /// "to" (perhaps with a qualifier); before that, within [`TOLL_WINDOW`] and past
    /// no other figure, an event word beside a total's noun ("toll", "number of").
    fn toll(&self, m: &Mention, before: &[Mention]) -> Option<(Kind, usize, usize)> {
        let lead = self
            .led_in(m)
            .or_else(|| self.verb_before_total(m.first).then_some(m.first))?;
        // "in the two northern provinces" stands between, but counts no one.
        let figure_between = |from: usize| {
            before
                .iter()
                .any(|o| o.first >= from && !self.counts_things(o))
        };
        self.matches
            .iter()
            .filter_map(|k| match k.cat {
                Cat::Kind(kind) if k.end <= lead && !figure_between(k.end) => Some((kind, k)),
                _ => None,
            })
            .filter(|(_, k)| self.gap(k.end, lead) <= TOLL_WINDOW)
            .filter(|(_, k)| {
                self.matches.iter().any(|t| {
                    t.cat == Cat::Toll
                        && ((t.start >= k.start && t.start < k.end.max(k.start + 1) + 1)
                            || (t.end <= k.start
                                && self.gap(t.end, k.start) <= TOLL_NOUN_TO_EVENT
                                && !before.iter().any(|o| o.first >= t.end && o.first < k.start)))
                })
            })
            .max_by_key(|(_, k)| k.end)
            .map(|(kind, k)| (kind, k.start, k.end))
    }

    /// Where the words that lead figure `m` in as a new value begin: a verb of
    /// change or "to", perhaps with a qualifier ("risen to more than 40").
    fn led_in(&self, m: &Mention) -> Option<usize> {
        let lead_cat = |c: &Cat| {
            matches!(
                c,
                Cat::Reaches | Cat::Exceeds | Cat::TollTo | Cat::QualBefore(_) | Cat::Skip
            )
        };
        let mut lead = m.first;
        let mut led = false;
        while lead > 0 && m.first - lead < 4 {
            let Some(x) = self.covering(lead - 1, lead_cat) else {
                break;
            };
            led |= matches!(x.cat, Cat::Reaches | Cat::Exceeds | Cat::TollTo);
            lead = x.start.min(lead - 1);
        }
        led.then_some(lead)
    }

    /// "بلغ عدد الوفيات بين الحجاج هذا العام 1081", "تجاوز عدد القتلى الـ200":
    /// the verb of change before the total's noun, the value after them.
    fn verb_before_total(&self, figure: usize) -> bool {
        self.matches
            .iter()
            .filter(|v| matches!(v.cat, Cat::Reaches | Cat::Exceeds) && v.end < figure)
            .any(|v| {
                self.matches.iter().any(|t| {
                    t.cat == Cat::Toll
                        && t.start >= v.end
                        && t.start <= v.end + 1
                        && self.gap(t.end, figure) <= TOLL_WINDOW
                })
            })
    }

    fn is_word(&self, i: usize, words: &[&str]) -> bool {
        self.tokens
            .get(i)
            .is_some_and(|t| words.contains(&t.text.as_str()))
    }
}

/// Words that introduce a place: "in", "في", "в".
const PLACE_PREPOSITIONS: &[&str] = &[
    "in",
    "at",
    "near",
    "across",
    "throughout",
    "city",
    "town",
    "في",
    "قرب",
    "داخل",
    "وفي",
    "مدينة",
    "مدينه",
    "بمدينه",
    "مدينه",
    "в",
    "во",
    "под",
    "около",
    "город",
    "городе",
    "города",
];

/// Adverbs that may stand between a source and its speech verb.
/// At most this many words on the short side of a headline's colon name a source.
const HEADLINE_SOURCE_WORDS: usize = 5;

/// What stands before a headline's colon and is no source.
const NOT_HEADLINE_SOURCES: &[&str] = &[
    "update",
    "updated",
    "breaking",
    "live",
    "video",
    "photos",
    "watch",
    "exclusive",
    "analysis",
    "opinion",
    "explainer",
    "عاجل",
    "فيديو",
    "بالصور",
    "شاهد",
    "تحديث",
    "срочно",
    "видео",
    "фото",
    "онлайн",
    "обновлено",
    "молния",
];

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

/// How long a relative clause between a source and its verb may be.
const RELATIVE_CLAUSE_WORDS: usize = 16;

/// Prepositions between a head and the institution it speaks for.
const SOURCE_LINKS: &[&str] = &["in", "at", "from", "في", "в", "во", "из"];

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

/// Words that open another clause, which a figure's place does not reach into.
const CLAUSE_BREAKS: &[&str] = &[
    "that",
    "which",
    "who",
    "since",
    "after",
    "before",
    "when",
    "while",
    "where",
    "التي",
    "الذي",
    "الذين",
    "اللذين",
    "منذ",
    "بعد",
    "قبل",
    "حيث",
    "عندما",
    "который",
    "которые",
    "которая",
    "которых",
    "после",
    "когда",
    "где",
];

/// Joiners between a number and what it counts: "7 من أفراد الشرطة", "8 of the".
/// Folded, as tokens are: "أصل" is "اصل".
const OF: &[&str] = &["من", "اصل", "بين", "of", "the", "из", "среди"];

/// Finds the claims of a whole article text in the language of `lex`; `published`
/// anchors days named in the text.
pub fn claims(
    text: &str,
    lex: &Lexicon,
    keys: &SourceKeys,
    published: Option<chrono::NaiveDate>,
) -> Vec<Claim> {
    let folded = Folded::new(text);
    let mut doc = Document {
        text,
        folded: &folded,
        lex,
        keys,
        published,
        out: Vec::new(),
        sources: Vec::new(),
        previous_source: None,
        previous_subject: None,
        last_found: None,
        last_sentence_claims: 0..0,
        quotation: Quotation::default(),
    };
    for (s, e) in tokens::sentences(&folded.text) {
        doc.read_sentence(s, e);
    }
    merge(doc.out)
}

/// An article being read, sentence by sentence: the claims found so far and what
/// attribution carries from one sentence to the next.
struct Document<'a> {
    text: &'a str,
    folded: &'a Folded,
    lex: &'a Lexicon,
    keys: &'a SourceKeys,
    published: Option<chrono::NaiveDate>,
    out: Vec<Claim>,
    /// Every source named so far, for back-references ("the ministry").
    sources: Vec<String>,
    /// The speaker of the sentence before, for "he added", "وأضاف".
    previous_source: Option<String>,
    /// Who the sentence before was about ("Tomas Reyna, the mayor, visited ..."),
    /// for a "he said" that follows it with no source named yet.
    previous_subject: Option<String>,
    /// The last whole figure of the sentence before, for one that opens with its
    /// parts.
    last_found: Option<Found>,
    last_sentence_claims: std::ops::Range<usize>,
    quotation: Quotation,
}

impl Document<'_> {
    /// Reads the sentence at folded offsets `s..e`.
    fn read_sentence(&mut self, s: usize, e: usize) {
        let (text, folded) = (self.text, self.folded);
        let sentence = Sentence::new(&folded.text[s..e], s, self.lex, |at| {
            let (o, _) = folded.source_range(at, at + 1);
            text[o..].chars().next().is_some_and(char::is_uppercase)
        });
        let (src_start, src_end) = folded.source_range(s, e);
        let original = text[src_start..src_end].trim();
        let mentions = sentence.mentions();
        let own_source = sentence.attribution(folded, text, &self.sources);
        if mentions.is_empty() {
            self.trailing_attribution(&sentence, own_source.as_ref());
        }
        // The parts of the figure before are what its source said.
        let parts_of = (sentence.opens_with_including() && self.last_found.is_some())
            .then(|| self.out.last().and_then(|c| c.source.clone()))
            .flatten();
        let source = self.speaker(&sentence, own_source.as_ref()).or(parts_of);
        self.previous_subject = sentence.subject(folded, text);
        let first_new = self.out.len();
        self.sentence_claims(
            &sentence,
            &mentions,
            original,
            source.as_deref(),
            own_source.is_some(),
        );
        share_clause_place(&mut self.out[first_new..]);
        self.last_sentence_claims = first_new..self.out.len();
        let named = match &own_source {
            Some(Attribution::Named(_)) => source.as_deref(),
            _ => None,
        };
        self.quotation.sentence(
            original,
            named,
            first_new..self.out.len(),
            &mut self.out,
            self.keys,
        );
    }

    /// The sentence's speaker: the source it names, or for a speech verb with no
    /// subject ("he added", "وأضاف") and a sentence going on with reported speech
    /// ("وإن ..."), the speaker before. Remembered for the sentences after.
    fn speaker(&mut self, sentence: &Sentence<'_>, own: Option<&Attribution>) -> Option<String> {
        let continues = sentence.continues_speech();
        let source = match (own, continues) {
            (Some(Attribution::Named(s)), _) => Some(s.clone()),
            (Some(Attribution::Implicit), _) => self
                .previous_source
                .clone()
                .or_else(|| self.previous_subject.clone()),
            (None, true) => self.previous_source.clone(),
            (None, false) => None,
        };
        if let Some(s) = &source {
            if !self.sources.contains(s) {
                self.sources.push(s.clone());
            }
            self.previous_source = Some(s.clone());
        } else if !continues {
            self.previous_source = None;
        }
        source
    }

    /// "... 2500 troops arrived. According to the Daily Mail." and "... Об этом
    /// сообщили в МВД.": an attribution standing alone names the source of the
    /// sentence before it.
    fn trailing_attribution(&mut self, sentence: &Sentence<'_>, own: Option<&Attribution>) {
        let Some(Attribution::Named(s)) = own else {
            return;
        };
        if !sentence.starts_with_according() && !sentence.names_who_said_it() {
            return;
        }
        for c in &mut self.out[self.last_sentence_claims.clone()] {
            if c.source.is_none() {
                c.source = Some(s.clone());
                c.source_key = Some(self.keys.key(s));
            }
        }
    }

    /// The claims of one sentence's figures; with several sources in it, each
    /// figure takes the nearest.
    fn sentence_claims(
        &mut self,
        sentence: &Sentence<'_>,
        mentions: &[Mention],
        original: &str,
        source: Option<&str>,
        attributed: bool,
    ) {
        let (text, folded, keys) = (self.text, self.folded, self.keys);
        let claimed_on = sentence
            .when()
            .and_then(|w| self.published.map(|p| w.resolve(p)));
        // Computed once per sentence, not per figure.
        let several = if attributed {
            sentence.several_sources(folded, text, &self.sources)
        } else {
            Vec::new()
        };
        // "ويشمل العدد 658 مصريا", "В их числе пятеро детей": a sentence that opens
        // with a part of the figure before goes on with its event.
        let mut previous = self
            .last_found
            .take()
            .filter(|_| sentence.opens_with_including())
            .map(|f| Found {
                first: 0,
                last: 0,
                ..f
            });
        for (n, m) in mentions.iter().enumerate() {
            let Some(found) =
                sentence.claim(m, &mentions[..n], &mentions[n + 1..], previous.as_ref())
            else {
                continue;
            };
            let (a, b) = folded.source_range(
                sentence.tokens[found.first].start,
                sentence.tokens[found.last].end,
            );
            let own = Cue::nearest(&several, m.first, sentence.asides[m.first]).or(source);
            self.out.push(Claim {
                kind: found.kind,
                who: found.who,
                value: m.value,
                qualifier: found.qualifier,
                source: own.map(str::to_string),
                source_key: own.map(|s| keys.key(s)),
                location: found.location.clone(),
                claimed_on,
                sentence: original.to_string(),
                evidence: text[a..b].to_string(),
                spans: vec![Span {
                    start: char_offset(text, a),
                    end: char_offset(text, b),
                }],
            });
            if !found.part {
                self.last_found = Some(found.clone());
                previous = Some(found);
            }
        }
    }
}

/// For each token, the aside it stands in: "(per the agency)", "-بحسب الهيئة-",
/// "— по данным МЧС —". A dash left open by the sentence's end opens none.
fn asides(tokens: &[Token]) -> Vec<Option<usize>> {
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
type CueSpan = (Cat, usize, (usize, usize));

/// A source named in a sentence that names several, with what it speaks for.
struct Cue {
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
    fn nearest(cues: &[Cue], at: usize, aside: Option<usize>) -> Option<&str> {
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

/// "مقتل خمسة مدنيين وإصابة 30 آخرين في شيمكنت": figures of one sentence joined
/// into one clause share the place named at its end.
fn share_clause_place(claims: &mut [Claim]) {
    for i in (0..claims.len().saturating_sub(1)).rev() {
        let (a, b) = (&claims[i], &claims[i + 1]);
        // Next to each other, not overlapping: "including 103 in Almaty" is a part
        // of the figure before it, whose place it does not give.
        let joined = b.spans[0].start >= a.spans[0].end && b.spans[0].start - a.spans[0].end <= 2;
        if a.location.is_none() && joined && b.location.is_some() {
            claims[i].location = claims[i + 1].location.clone();
        }
    }
}

/// A quotation that runs over several sentences: the claims stated inside it
/// wait for the speaker named where it closes («...», — сказал глава региона;
/// "...," the governor said; «...» قال المتحدث).
#[derive(Debug, Default)]
struct Quotation {
    /// Quotation marks open at the end of the sentences read so far.
    depth: usize,
    /// Claims made inside the open quotation with no source of their own.
    pending: Vec<usize>,
}

impl Quotation {
    /// Reads one sentence (`text`, as written), whose claims are `claims` of `out`
    /// and whose own named source is `named`.
    fn sentence(
        &mut self,
        text: &str,
        named: Option<&str>,
        claims: std::ops::Range<usize>,
        out: &mut [Claim],
        keys: &SourceKeys,
    ) {
        let inside_at_start = self.depth > 0;
        for c in text.chars() {
            match c {
                '«' | '“' | '„' => self.depth += 1,
                '»' | '”' => self.depth = self.depth.saturating_sub(1),
                '"' if self.depth > 0 => self.depth -= 1,
                '"' => self.depth += 1,
                _ => {}
            }
        }
        let inside_at_end = self.depth > 0;
        if !inside_at_start && !inside_at_end {
            self.pending.clear();
            return;
        }
        if named.is_none() {
            self.pending
                .extend(claims.filter(|&i| out[i].source.is_none()));
        }
        if inside_at_start && !inside_at_end {
            if let Some(speaker) = named {
                for &i in &self.pending {
                    out[i].source = Some(speaker.to_string());
                    out[i].source_key = Some(keys.key(speaker));
                }
            }
            self.pending.clear();
        }
        // A quotation that never closes (a stray mark) ends with the paragraph
        // run: a long one is not carried over the whole article.
        if self.pending.len() > 32 {
            self.pending.clear();
            self.depth = 0;
        }
    }
}

/// A figure stated twice in one article is one claim with two spans; the first
/// statement's attributes win, later ones fill what it lacks.
fn merge(claims: Vec<Claim>) -> Vec<Claim> {
    let mut out: Vec<Claim> = Vec::new();
    for c in claims {
        match out
            .iter_mut()
            .find(|o| o.kind == c.kind && o.who == c.who && o.value == c.value && c.value.is_some())
        {
            Some(o) => {
                o.spans.extend(c.spans);
                if o.source.is_none() {
                    o.source = c.source;
                    o.source_key = c.source_key;
                }
                if o.location.is_none() {
                    o.location = c.location;
                }
            }
            None => out.push(c),
        }
    }
    out
}

enum Attribution {
    Named(String),
    /// A speech verb with no subject written ("وأضاف", "he added"): the speaker
    /// of the sentences before.
    Implicit,
}

/// The people a number's own noun names.
struct People {
    who: Option<Who>,
    /// The token after the number and its noun.
    end: usize,
    /// The noun is an event word with the people after it ("15 погибших
    /// военнослужащих").
    before_event: bool,
}

/// The event word a number's claim takes, and how far it stands.
struct Event {
    distance: usize,
    kind: Kind,
    start: usize,
    end: usize,
}

/// What the nearest event word of a number says.
enum Nearest {
    None,
    Event(Event),
    /// An event that undoes the count ("released").
    Released,
}

#[derive(Debug, Clone)]
struct Found {
    /// A part of the figure after it ("19 of the 225 dead"), which that figure
    /// must not take its people from.
    part: bool,
    kind: Kind,
    who: Who,
    qualifier: Qualifier,
    location: Option<String>,
    first: usize,
    last: usize,
}

const QUOTES: &[&str] = &["\"", "'", "`", "(", ")", "[", "]", "«", "»", "-", "–", "—"];

impl<'a> Sentence<'a> {
    /// `capital` says whether the original text has a capital at a folded offset.
    fn new(text: &str, base: usize, lex: &'a Lexicon, capital: impl Fn(usize) -> bool) -> Self {
        let mut toks = tokens::tokenize(text, base);
        for t in toks.iter_mut().filter(|t| t.kind == TokenKind::Word) {
            t.capital = capital(t.start);
        }
        for i in 1..toks.len() {
            let (prev, next) = (
                toks[i - 1].text.as_str(),
                toks.get(i + 1).map(|t| t.text.as_str()),
            );
            // "(13)", "[25]": a reference mark, not a count.
            let bracketed = matches!(prev, "(" | "[") && matches!(next, Some(")" | "]"));
            // "Christopher Battin, 32," : an age after a name.
            let age = prev == ","
                && i >= 2
                && toks[i - 2].capital
                && toks[i - 2].kind == TokenKind::Word
                && next.is_none_or(|n| matches!(n, "," | "." | ")" | ";"));
            if toks[i].kind == TokenKind::Digits && (bracketed || age) {
                toks[i].glued = true;
            }
        }
        // A number inside quotes right after a word is part of a name: “خبر 24”.
        for i in 2..toks.len() {
            if toks[i].kind == TokenKind::Digits
                && toks[i - 1].kind == TokenKind::Word
                && toks.get(i + 1).is_some_and(|t| t.text == "\"")
                && (toks[i - 2].text == "\"" || (i >= 3 && toks[i - 3].text == "\""))
            {
                toks[i].glued = true;
            }
        }
        let asides = asides(&toks);
        let (toks, asides): (Vec<Token>, Vec<Option<usize>>) = toks
            .into_iter()
            .zip(asides)
            .filter(|(t, _)| !(t.kind == TokenKind::Punct && QUOTES.contains(&t.text.as_str())))
            .unzip();
        let matches = lex.scan(&toks);
        let mut covers = vec![Vec::new(); toks.len()];
        for (j, m) in matches.iter().enumerate() {
            for c in covers.iter_mut().take(m.end).skip(m.start) {
                c.push(j);
            }
        }
        Sentence {
            tokens: toks,
            asides,
            matches,
            covers,
            lex,
        }
    }

    fn mentions(&self) -> Vec<Mention> {
        let mut found = numbers::mentions(&self.tokens, &self.lex.language, |i| {
            self.at(i, |c| matches!(c, Cat::Vague | Cat::VagueWeak))
                .map(|m| m.end - m.start)
        });
        for m in &self.matches {
            if m.cat == Cat::Dual && !found.iter().any(|f| f.first <= m.start && m.start < f.end) {
                found.push(Mention {
                    first: m.start,
                    end: m.end,
                    value: Some(2.0),
                });
            }
        }
        found.sort_by_key(|m| m.first);
        found
    }

    fn opens_with_including(&self) -> bool {
        self.matches
            .iter()
            .any(|m| m.start <= 1 && m.cat == Cat::Including)
    }

    fn starts_with_according(&self) -> bool {
        self.matches
            .iter()
            .any(|m| m.start == 0 && m.cat == Cat::According)
    }

    /// "Об этом сообщили в МВД", "This was reported by the agency", "أفادت بذلك
    /// الوزارة": the sentence opens by naming who said what the one before said.
    fn names_who_said_it(&self) -> bool {
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
    fn continues_speech(&self) -> bool {
        self.tokens
            .first()
            .is_some_and(|t| matches!(t.text.as_str(), "وان" | "وانه" | "وانها" | "وبان"))
    }

    /// Whether token `i` may be part of a source phrase.
    fn in_source(&self, i: usize) -> bool {
        let t = &self.tokens[i];
        // "قناة خبر 24 أن": digits after a word, closing the phrase, are a name.
        let name_digits = t.kind == TokenKind::Digits
            && i > 0
            && self.tokens[i - 1].kind == TokenKind::Word
            && self.tokens.get(i + 1).is_none_or(|n| {
                n.kind == TokenKind::Punct
                    || self
                        .at(i + 1, |c| {
                            matches!(c, Cat::SourceEnd | Cat::Speech | Cat::Relay)
                        })
                        .is_some()
            });
        (t.kind == TokenKind::Word || (t.kind == TokenKind::Digits && t.glued) || name_digits)
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
                    )
                })
                .is_none()
    }

    fn phrase_after(&self, from: usize) -> Option<(usize, usize)> {
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
    fn links_head(&self, link: usize) -> bool {
        link > 0
            && self.is_word(link, SOURCE_LINKS)
            && self.covering(link - 1, |c| *c == Cat::SourceHead).is_some()
            && link + 1 < self.tokens.len()
            && self.in_source(link + 1)
    }

    fn phrase_before(&self, to: usize) -> Option<(usize, usize)> {
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
    fn is_day(&self, i: usize) -> bool {
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
    fn relative_clause_before(&self, to: usize) -> Option<usize> {
        if to < 3 || !self.is_word(to - 1, &[","]) {
            return None;
        }
        (to.saturating_sub(RELATIVE_CLAUSE_WORDS)..to - 2)
            .rev()
            .take_while(|&j| !self.is_word(j, &[","]) || self.is_word(j + 1, RELATIVES))
            .find(|&j| self.is_word(j, &[","]) && self.is_word(j + 1, RELATIVES))
            .filter(|&j| j > 0)
    }

    /// `HEAD , NAME ,` ending at `to`: the NAME (one to four capitalised words).
    fn apposition_before(&self, to: usize) -> Option<(usize, usize)> {
        if to < 4 || !self.is_word(to - 1, &[","]) {
            return None;
        }
        let end = to - 1;
        let mut i = end;
        while i > 0 && end - i < 4 && self.tokens[i - 1].capital && self.in_source(i - 1) {
            i -= 1;
        }
        let head_before = i > 1 && self.is_word(i - 1, &[","]) && self.in_source(i - 2);
        (i < end && head_before).then_some((i, end))
    }

    /// The source a phrase names: as written, or for a back-reference ("الوزارة"
    /// after "وزارة الداخلية") the earlier, fuller name.
    fn resolve(
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
    fn cues(&self) -> (Vec<CueSpan>, bool) {
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
        // A bare "عن" cites only right after a relay and its subject ("نقلت رويترز
        // عن", "وفقا لبيان صادر عن"): "، فضل عدم الكشف عن اسمه،" cites no one.
        let cites = |m: &Match| {
            !(m.cat == Cat::Citing && m.end == m.start + 1 && self.is_word(m.start, &["عن"]))
                || self.matches.iter().any(|q| {
                    matches!(q.cat, Cat::Relay | Cat::Speech | Cat::According)
                        && q.end <= m.start
                        && !self.is_masdar(q.start)
                        && self
                            .phrase_after(q.end)
                            .is_some_and(|(_, end)| end == m.start)
                })
        };
        for cat in [Cat::Citing, Cat::Speech, Cat::According, Cat::Relay] {
            for m in self.matches.iter().filter(|m| {
                m.cat == cat
                    && !in_qualifier(m)
                    && cites(m)
                    && !(matches!(cat, Cat::Speech | Cat::Relay) && self.is_masdar(m.start))
            }) {
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
        if let Some(colon) = self.headline_source() {
            out.push((Cat::According, colon.0, colon.1));
        }
        (out, spoke)
    }

    /// "Минздрав Непала: число погибших выросло до 143", "الدفاع المدني: 9 قتلى",
    /// "210 arrested in unrest: minister": a headline's source, on the short side
    /// of its colon, with the colon's token.
    fn headline_source(&self) -> Option<(usize, (usize, usize))> {
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
                && !(a..b).any(|i| self.is_word(i, NOT_HEADLINE_SOURCES))
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
    /// issued ...") of its opening phrase. Arabic sentences
    /// open with their verb, so they have none here.
    fn subject(&self, folded: &Folded, text: &str) -> Option<String> {
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
        match self.resolve((0, end + 1), folded, text, &[]) {
            Attribution::Named(s) => Some(s),
            Attribution::Implicit => None,
        }
    }

    /// "الكشف", "والإعلان": an Arabic verb of speech with the article is its noun,
    /// which says nothing of who spoke ("عدم الكشف عن اسمه").
    fn is_masdar(&self, i: usize) -> bool {
        self.lex.language == "ar"
            && ["ال", "وال", "بال", "فال", "كال", "لل", "ولل", "وبال"]
                .iter()
                .any(|p| self.tokens[i].text.starts_with(p))
    }

    /// Whether the lexicon's matches at token `i` may still be part of a source's
    /// name ("الوزارة", "Непала", "المدني", "региона"): no event and no day.
    fn is_source_word(&self, i: usize) -> bool {
        self.covering_all(i)
            .all(|m| !matches!(m.cat, Cat::Kind(_) | Cat::When(_) | Cat::Time | Cat::Month))
    }

    /// The sentence's source: the strongest cue's (the last one, for "according
    /// to" and citing, which name the origin), or `Implicit` for a speech verb with
    /// no subject ("وأضاف", "he added").
    fn attribution(&self, folded: &Folded, text: &str, earlier: &[String]) -> Option<Attribution> {
        let (cues, spoke) = self.cues();
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
    fn several_sources(&self, folded: &Folded, text: &str, earlier: &[String]) -> Vec<Cue> {
        let (cues, _) = self.cues();
        // "TASS reported, citing the ministry", "وفقا لبيان صادر عن الحرس": a relay
        // or a phrase chained to what it cites is not a source of its own.
        let citing = |at: usize| {
            cues.iter()
                .any(|c| c.0 == Cat::Citing && c.1 >= at && c.1 <= at + 1)
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
    fn introduces_speech(&self, end: usize) -> bool {
        (end..(end + 3).min(self.tokens.len())).any(|i| {
            self.is_word(
                i,
                &["ان", "انه", "انها", "انهم", "بان", "that", "что", "чем"],
            )
        })
    }

    /// The day the sentence names, if any.
    fn when(&self) -> Option<super::lexicon::When> {
        self.matches.iter().find_map(|m| match m.cat {
            Cat::When(w) => Some(w),
            _ => None,
        })
    }

    /// The claim number `m` makes, if it makes one: the named rules below, in
    /// order: reject what is not a count, find what is counted, its people, its
    /// event, whether the event holds for it, who, the qualifier and the place.
    fn claim(
        &self,
        m: &Mention,
        before: &[Mention],
        after: &[Mention],
        previous: Option<&Found>,
    ) -> Option<Found> {
        if self.not_a_count(m) {
            return None;
        }
        let noun = self.counted_noun(m.end);
        if self.counts_things_at(m.end, noun) {
            return None;
        }
        // "19 of the 225 dead were police officers", "19 из 225 погибших": a part of
        // the figure after it, with that figure's event; who the part are may
        // follow the whole.
        if noun > m.end {
            if let Some((whole, rest)) = after.split_first().filter(|(w, _)| w.first == noun) {
                return self.partitive(m, whole, before, rest, previous);
            }
        }
        let people = self.people(m, noun);
        let toll = m.value.and_then(|_| self.toll(m, before));
        // A year after a total with no verb of change before it is a year:
        // "ارتفاع عدد الوفيات في الحج 2024".
        let led = toll.is_some() && self.led_in(m).is_some();
        if self.is_year(m, &people, led) {
            return None;
        }
        let nearest = match self.nearest_event(m, before, after, people.end) {
            Nearest::Released => return None,
            Nearest::Event(e) => Some(e),
            Nearest::None => None,
        };
        let nearest = toll
            .map(|(kind, start, end)| Event {
                distance: 0,
                kind,
                start,
                end,
            })
            .or(nearest);
        // A listed figure or a subset ("including 103 in Almaty") takes its event
        // from the figure before, however far that one's event word stands.
        // An event word too far for a bare number ("120 وفاة بإقليم الحوز، و45
        // بإقليم تارودانت") gives way to the list the number is an item of.
        let subset = self.after_including(m) && previous.is_some();
        let list_item = || self.listed_event(m, people.end, previous);
        let (event, listed) = match nearest {
            Some(e) if e.distance > BARE_WINDOW => list_item().map_or((e, subset), |l| (l, true)),
            Some(e) => (e, subset),
            None => (list_item()?, true),
        };
        if !self.event_holds(m, &event, people.who, listed) {
            return None;
        }
        let who = self.who_for(event.kind, people.who, previous)?;
        let (qualifier, first, last) = self.qualifier(m, before, people.end, &event);
        Some(Found {
            part: false,
            kind: event.kind,
            who,
            qualifier,
            location: self.place(m, before, after, people.end),
            first,
            last,
        })
    }

    /// Numbers that count no one: parts of names, fractions, money, percentages,
    /// durations, ages, dates and times.
    fn not_a_count(&self, m: &Mention) -> bool {
        if self.tokens[m.first].glued || m.value.is_some_and(|v| v.fract() != 0.0 || v <= 0.0) {
            return true;
        }
        let next = m.end;
        let is = |i: usize, pred: &dyn Fn(&Cat) -> bool| self.covering(i, pred).is_some();
        let unit = |c: &Cat| matches!(c, Cat::Money | Cat::Time | Cat::Month);
        let clock = |a: usize, b: usize| {
            self.tokens.get(a).is_some_and(|t| t.text == ":")
                && self
                    .tokens
                    .get(b)
                    .is_some_and(|t| t.kind == TokenKind::Digits)
        };
        // "هذا العام 1081", "в этом году 50": "this year" names no year.
        let this_year = m.first >= 2 && self.is_word(m.first - 2, &["هذا", "this", "этом", "этот"]);
        let dated = is(next, &unit)
            || (m.first > 0
                && !this_year
                && is(m.first - 1, &|c| {
                    matches!(c, Cat::Month | Cat::Money | Cat::NotBefore)
                }))
            || (m.first >= 2
                && self.tokens[m.first - 1].text == "."
                && is(m.first - 2, &|c| *c == Cat::Month))
            || clock(next, next + 1)
            || (m.first >= 2 && clock(m.first - 1, m.first - 2))
            || self.tokens.get(next).is_some_and(|t| t.text == "%")
            || (m.first > 0 && self.tokens[m.first - 1].text == "$");
        // "Red Dead Redemption 2", "Windows 11": a number right after a capitalised
        // word inside a sentence ends a name.
        let named = m.first > 1 && {
            let prev = &self.tokens[m.first - 1];
            prev.capital
                && prev.kind == TokenKind::Word
                && self.covering(m.first - 1, |c| *c != Cat::Skip).is_none()
        };
        dated || named
    }

    /// What is counted: the token after the number, perhaps after "of" ("8 of the").
    fn counted_noun(&self, next: usize) -> usize {
        let mut noun = next;
        for _ in 0..2 {
            if self.is_word(noun, OF) {
                noun += 1;
            }
        }
        noun
    }

    /// Whether the number counts things, not people ("12 vehicles", "500 уголовных
    /// дел", past one adjective).
    fn counts_things_at(&self, next: usize, noun: usize) -> bool {
        let not_counted = |i: usize| self.covering(i, |c| *c == Cat::NotCounted).is_some();
        let plain_word = |i: usize| {
            self.tokens
                .get(i)
                .is_some_and(|t| t.kind == TokenKind::Word)
                && self.covering(i, |_| true).is_none()
        };
        not_counted(noun) || not_counted(next) || (plain_word(noun) && not_counted(noun + 1))
    }

    /// Who the number counts, as its own noun says: right after it, past one
    /// adjective ("26 armed criminals"), or after an event word ("15 погибших
    /// военнослужащих").
    fn people(&self, m: &Mention, noun: usize) -> People {
        let is_who = |c: &Cat| matches!(c, Cat::Who(_));
        let adjective = self
            .tokens
            .get(noun)
            .is_some_and(|t| t.kind == TokenKind::Word)
            && self
                .covering(noun, |c| !matches!(c, Cat::Skip | Cat::SourceEnd))
                .is_none();
        let after_kind = self.at(noun, |c| matches!(c, Cat::Kind(_))).map(|k| k.end);
        let found = self
            .at(noun, is_who)
            .or_else(|| self.covering(m.first, is_who))
            .or_else(|| after_kind.and_then(|e| self.at(e, is_who)))
            .or_else(|| adjective.then(|| self.at(noun + 1, is_who)).flatten());
        People {
            who: found.and_then(|w| match w.cat {
                Cat::Who(w) => Some(w),
                _ => None,
            }),
            end: found.map_or(m.end, |w| w.end.max(m.end)),
            before_event: after_kind.is_some(),
        }
    }

    /// A year, unless written as a count ("2,012"), counting the event word after
    /// it ("2012 وفاة"), its people, or the new value of a total ("rose to 2059").
    fn is_year(&self, m: &Mention, people: &People, total: bool) -> bool {
        let t = &self.tokens[m.first];
        m.value.is_some_and(|v| (1900.0..=2100.0).contains(&v))
            && m.end == m.first + 1
            && t.kind == TokenKind::Digits
            && t.text.chars().all(char::is_numeric)
            && people.who.is_none()
            && !people.before_event
            && !total
    }

    /// The event word nearest the number in the sentence, not past another figure
    /// (but for those of an "including" aside), within [`KIND_WINDOW`].
    fn nearest_event(
        &self,
        m: &Mention,
        before: &[Mention],
        after: &[Mention],
        noun_end: usize,
    ) -> Nearest {
        let nearest = self
            .matches
            .iter()
            .filter_map(|k| {
                // `None` marks an event that undoes the count ("released").
                let kind = match k.cat {
                    Cat::Kind(kind) => Some(kind),
                    Cat::Released => None,
                    _ => return None,
                };
                let dist = if k.end <= m.first {
                    let blocked = before.iter().any(|o| o.first >= k.end);
                    self.gap(k.end, m.first) + if blocked { KIND_WINDOW } else { 0 }
                } else if k.start >= noun_end {
                    let joined = self.joined_subject(noun_end, after, k.start);
                    let blocked = after
                        .iter()
                        .any(|o| o.first < k.start && !self.after_including(o) && !joined);
                    // "مقتل خمسة مدنيين وإصابة 30", "killing 30 and injuring 40": a
                    // conjunction on the event word opens the next clause.
                    let conj = usize::from(
                        (self.tokens[k.start].text.starts_with('و') && self.lex.language == "ar")
                            || (k.start > noun_end && self.is_word(k.start - 1, AND)),
                    );
                    self.gap(noun_end, k.start) + conj + if blocked { KIND_WINDOW } else { 0 }
                } else if k.start >= m.first && k.start < noun_end {
                    0
                } else {
                    return None;
                };
                (dist <= KIND_WINDOW).then_some((dist, k.start > m.first, kind, k.start, k.end))
            })
            // A release outweighs the count it undoes at equal distance; the longer
            // of two event words at one place wins ("إصابة خطيرة" over "إصابة").
            .min_by_key(|(d, after, kind, s, e)| {
                (*d, kind.is_some(), !*after, std::cmp::Reverse(e - s))
            });
        // "Four of the injured are in critical condition", "10 of the wounded died":
        // when the event word is what the number counts ("of the injured"), a later
        // one in its clause says what happened to them. Right after the number
        // ("four injured are in critical condition", "четверо раненых находятся в
        // тяжелом состоянии") only a state of the injured does: "12 died in
        // hospital" are dead, "150 شهيدا وجريحا" both.
        let counted_noun = self.counted_noun(m.end);
        let state_of_injured = |c: Kind, k: Kind| {
            c == Kind::Injured && matches!(k, Kind::Critical | Kind::Hospitalized)
        };
        let nearest = nearest.map(|best| match best {
            (0, _, Some(counted), start, end) if start == counted_noun && start >= m.end => self
                .later_event(end, counted, after)
                .filter(|(_, kind, ..)| start > m.end || state_of_injured(counted, *kind))
                .map_or(best, |(d, kind, s, e)| (d, true, Some(kind), s, e)),
            other => other,
        });
        match nearest {
            None => Nearest::None,
            Some((_, _, None, ..)) => Nearest::Released,
            Some((distance, _, Some(kind), start, end)) => Nearest::Event(Event {
                distance,
                kind,
                start,
                end,
            }),
        }
    }

    /// Another event word after the one at `from` (a count's noun), within
    /// [`KIND_WINDOW`] and past no other figure or clause break.
    fn later_event(
        &self,
        from: usize,
        counted: Kind,
        after: &[Mention],
    ) -> Option<(usize, Kind, usize, usize)> {
        self.matches
            .iter()
            .filter_map(|k| match k.cat {
                Cat::Kind(kind) if kind != counted && k.start >= from => Some((kind, k)),
                _ => None,
            })
            .filter(|(_, k)| !after.iter().any(|o| o.first < k.start))
            .filter(|(_, k)| {
                !(from..k.start).any(|i| self.is_word(i, CLAUSE_BREAKS) || self.is_word(i, AND))
            })
            .map(|(kind, k)| (self.gap(from, k.start), kind, k.start, k.end))
            .filter(|(d, ..)| *d <= KIND_WINDOW)
            .min_by_key(|(d, ..)| *d)
    }

    /// Whether the figure stands right after "including", "بينهم", "из них".
    /// "Twelve miners and three rescuers were killed", "46 шахтеров и пять
    /// горноспасателей погибли", "12 عاملا و3 منقذين لقوا حتفهم": the next figure
    /// is joined by "and" right after this one's noun (ending at `noun_end`), and
    /// the event at `event` follows it with no other figure between: both the
    /// figures are its subject.
    fn joined_subject(&self, noun_end: usize, after: &[Mention], event: usize) -> bool {
        let Some(o) = after.first() else {
            return false;
        };
        let arabic_and = self.lex.language == "ar"
            && o.first == noun_end
            && self.tokens[o.first].text.starts_with('و');
        let and = o.first == noun_end + 1 && self.is_word(noun_end, &["and", "и", "و"]);
        (arabic_and || and) && after.get(1).is_none_or(|p| p.first > event)
    }

    fn after_including(&self, m: &Mention) -> bool {
        m.first > 0
            && self
                .covering(m.first - 1, |c| *c == Cat::Including)
                .is_some()
    }

    /// "164 died, 103 in Almaty and 21 in Kyzylorda", "five civilians and two
    /// officers died", "including 12 in intensive care": one event word for a list
    /// of figures; each item takes the event of the figure before it.
    fn listed_event(&self, m: &Mention, noun: usize, previous: Option<&Found>) -> Option<Event> {
        let prev = previous?;
        // "14 حاجا ماليزيا، و165 إندونيسيا": the item before may end in a noun the
        // lexicon does not know.
        let unknown = |i: usize| {
            self.tokens[i].kind == TokenKind::Word && self.covering(i, |_| true).is_none()
        };
        let joined = prev.last < m.first
            && (prev.last + 1..m.first).all(|i| {
                self.is_word(i, &["و", "and", "и", ",", "،", "as", "well"])
                    || (i == prev.last + 1 && unknown(i))
            });
        (self.names_a_place(noun) || self.after_including(m) || joined).then_some(Event {
            distance: 0,
            kind: prev.kind,
            start: m.first,
            end: m.first + 1,
        })
    }

    /// Whether the event found holds for this number: a weak amount ("several",
    /// "one") needs its noun, a bare number ("following 9") an event word close by,
    /// and a deployment a force ("2,500 troops"; "sent 12 letters" is none).
    fn event_holds(&self, m: &Mention, event: &Event, who: Option<Who>, listed: bool) -> bool {
        let weak =
            self.covering(m.first, |c| *c == Cat::VagueWeak).is_some() || m.value == Some(1.0);
        // "один ранен", "one died": a weak amount is a count when its event follows
        // it at once; "killing them in one" is not.
        let event_follows = event.distance == 0 && event.start >= m.end;
        // "وفاة واحدة", "شخص واحد": Arabic "one" follows the noun it counts.
        let after_its_noun = m.value == Some(1.0)
            && m.first > 0
            && self
                .covering(m.first - 1, |c| matches!(c, Cat::Kind(_) | Cat::Who(_)))
                .is_some();
        // "three in Basra and one in Al Muthanna": the last item of a list per place.
        let listed_one = listed
            && m.value == Some(1.0)
            && m.first > 0
            && self.is_word(m.first - 1, AND)
            && self.names_a_place(m.end);
        if who.is_none()
            && ((weak && !event_follows && !after_its_noun && !listed_one)
                || (event.distance > BARE_WINDOW && !listed))
        {
            return false;
        }
        event.kind != Kind::Deployed
            || matches!(who, Some(Who::Troops | Who::Security))
            || self.matches.iter().any(|x| x.cat == Cat::Who(Who::Troops))
    }

    /// Who is counted: the number's own noun, else the figure's before it, else
    /// people. A force deployed is troops (protesters or civilians are not
    /// deployed); troops counted otherwise are security forces.
    fn who_for(&self, kind: Kind, who: Option<Who>, previous: Option<&Found>) -> Option<Who> {
        let who = who.or(previous.map(|p| p.who)).unwrap_or(Who::People);
        match (kind, who) {
            (Kind::Deployed, Who::Protesters | Who::Civilians) => None,
            (Kind::Deployed, _) => Some(Who::Troops),
            (_, Who::Troops) => Some(Who::Security),
            (_, w) => Some(w),
        }
    }

    /// The qualifier and the span of the claim: a qualifier right before the number
    /// ("at least 8", "نحو 400"; after a verb of growth "до" is "to"), after it ("8
    /// at least", "12 or more"), or a verb that puts it above a bar ("exceeded 200").
    fn qualifier(
        &self,
        m: &Mention,
        before: &[Mention],
        noun_end: usize,
        event: &Event,
    ) -> (Qualifier, usize, usize) {
        let first = m.first.min(event.start);
        let last = (noun_end.max(event.end)).saturating_sub(1);
        if m.value.is_none() {
            return (Qualifier::Vague, first, last);
        }
        let leading = self
            .matches
            .iter()
            .filter(|q| {
                q.end == m.first
                    || (m.first > 0 && q.end == m.first - 1 && self.is_word(m.first - 1, OF))
            })
            .filter(|q| {
                q.start == 0 || self.covering(q.start - 1, |c| *c == Cat::Reaches).is_none()
            })
            .find_map(|q| match q.cat {
                Cat::QualBefore(x) => Some((x, q.start)),
                _ => None,
            });
        if let Some((q, start)) = leading {
            return (q, first.min(start), last);
        }
        // "58 حاجا أردنيا على الأقل": an adjective may follow the noun.
        let adjective = noun_end > m.end
            && self.tokens.get(noun_end).is_some_and(|t| {
                t.kind == TokenKind::Word && self.covering(noun_end, |_| true).is_none()
            });
        let trailing = self.matches.iter().find_map(|q| match q.cat {
            Cat::QualAfter(x)
                if q.start == m.end
                    || q.start == noun_end
                    || (adjective && q.start == noun_end + 1) =>
            {
                Some((x, q.end))
            }
            _ => None,
        });
        if let Some((q, end)) = trailing {
            return (q, first, last.max(end - 1));
        }
        // "تجاوز عدد المعتقلين 12 ألفا", "the toll exceeded 200", and with the
        // total between: "تجاوز عدد القتلى في المدن الساحلية الـ350".
        let exceeds = self.matches.iter().find(|q| {
            let total_between = || {
                self.at(q.end, |c| *c == Cat::Toll).is_some()
                    && self.gap(q.end, m.first) <= TOLL_WINDOW
            };
            q.cat == Cat::Exceeds
                && q.end <= m.first
                && (m.first - q.end <= 3 || total_between())
                && !before.iter().any(|o| o.first >= q.end)
        });
        match exceeds {
            Some(q) => (Qualifier::MoreThan, first.min(q.start), last),
            None => (Qualifier::Exact, first, last),
        }
    }

    /// Where: a place introduced as one ("in Almaty", "بألماتي", "в Алматы"), in
    /// the figure's own clause; a city named elsewhere in the sentence ("riots that
    /// Almaty saw") is not the figure's place.
    fn place(
        &self,
        m: &Mention,
        before: &[Mention],
        after: &[Mention],
        noun_end: usize,
    ) -> Option<String> {
        self.matches
            .iter()
            .filter_map(|p| {
                let Cat::Place(name) = &p.cat else {
                    return None;
                };
                let token = &self.tokens[p.start].text;
                let introduced = (p.start > 0 && self.is_word(p.start - 1, PLACE_PREPOSITIONS))
                    || ["ب", "وب", "فب"].iter().any(|c| {
                        token.starts_with(c) && !self.lex.forms(token).iter().all(|f| f == token)
                    });
                let (gap, between, range) = if p.start >= noun_end {
                    (
                        self.gap(noun_end, p.start),
                        after.iter().any(|o| o.first < p.start),
                        noun_end..p.start,
                    )
                } else if p.end <= m.first {
                    (
                        self.gap(p.end, m.first),
                        before.iter().any(|o| o.first >= p.end),
                        p.end..m.first,
                    )
                } else {
                    (0, false, 0..0)
                };
                // "detained since riots that began in Zhanaozen": another clause.
                let between = between || range.into_iter().any(|i| self.is_word(i, CLAUSE_BREAKS));
                (introduced && !between && gap <= KIND_WINDOW).then(|| (gap, name.clone()))
            })
            .min_by_key(|(d, _)| *d)
            .map(|(_, n)| n)
    }

    /// The claim of `part` in "part of (the) whole ...": the whole's event, place
    /// and people, unless a who-noun right after the whole names the part's own
    /// ("... were police officers", "... من أفراد الشرطة", "... были полицейскими").
    fn partitive(
        &self,
        part: &Mention,
        whole: &Mention,
        before: &[Mention],
        after: &[Mention],
        previous: Option<&Found>,
    ) -> Option<Found> {
        let mut with_part = before.to_vec();
        with_part.push(part.clone());
        let found = self.claim(whole, &with_part, after, previous)?;
        let own = self
            .matches
            .iter()
            .filter(|x| {
                matches!(x.cat, Cat::Who(_)) && x.start > found.last && x.start - found.last <= 4
            })
            .filter(|x| !after.iter().any(|o| o.first < x.start))
            .min_by_key(|x| x.start);
        let who = match own.map(|x| &x.cat) {
            Some(Cat::Who(Who::Troops)) if found.kind != Kind::Deployed => Who::Security,
            Some(Cat::Who(w)) => *w,
            _ => found.who,
        };
        // Weak amounts ("several of the 225") count only with a noun of their own.
        let weak = self
            .covering(part.first, |c| *c == Cat::VagueWeak)
            .is_some()
            || part.value == Some(1.0);
        if weak && own.is_none() {
            return None;
        }
        // "at least 19 of the 225".
        let before_part = self.matches.iter().find_map(|q| match q.cat {
            Cat::QualBefore(x) if q.end == part.first && part.value.is_some() => Some((x, q.start)),
            _ => None,
        });
        let qualifier = match (part.value, before_part) {
            (None, _) => Qualifier::Vague,
            (Some(_), Some((q, _))) => q,
            (Some(_), None) => Qualifier::Exact,
        };
        Some(Found {
            part: true,
            kind: found.kind,
            who,
            qualifier,
            location: found.location,
            first: before_part.map_or(part.first, |(_, start)| start),
            last: own.map_or(found.last, |x| x.end - 1).max(found.last),
        })
    }
}

//! An article read sentence by sentence: what carries from one sentence to the
//! next (the speaker, a quotation, the figure whose parts follow), and the
//! claims of the whole text merged.

use super::attribution::Cue;
use super::*;
use crate::extract::gazetteer::{Gazetteer, PlaceKind};
use crate::model::Locus;

/// An article being read, sentence by sentence: the claims found so far and what
/// attribution carries from one sentence to the next.
pub(super) struct Document<'a> {
    text: &'a str,
    folded: &'a Folded,
    lex: &'a Lexicon,
    keys: Keyer<'a>,
    published: Option<chrono::NaiveDate>,
    out: Vec<Claim>,
    /// Every source named so far, for back-references ("the ministry").
    sources: Vec<String>,
    /// The speaker of the sentence before, for "he added", "وأضاف".
    previous_source: Option<String>,
    /// Who the sentence before was about ("Tomas Reyna, the mayor, visited ..."),
    /// for a "he said" that follows it with no source named yet.
    previous_subject: Option<(usize, usize)>,
    /// The last whole figure of the sentence before, for one that opens with its
    /// parts.
    last_found: Option<Found>,
    last_sentence_claims: std::ops::Range<usize>,
    quotation: Quotation,
    /// The pipeline's countries, then those the text has named so far: where an
    /// ambiguous place name is taken to be.
    countries: Vec<String>,
    /// The countries of the event the pipeline follows.
    pipeline_countries: Vec<String>,
    /// Sentences read so far.
    read: usize,
    /// Every place named so far, with the number of the sentence naming it.
    named: Vec<(usize, Located)>,
}

/// How many sentences make the lead (the headline, then the first sentences),
/// where a report names the place it is about.
const LEAD_SENTENCES: usize = 3;

/// A place as the text writes it, with the gazetteer's name, country and kind.
#[derive(Debug, Clone)]
struct Located {
    written: String,
    /// For a place the gazetteer lacks, its name folded, to know it again.
    site: Option<String>,
    name: Option<String>,
    country: Option<String>,
    kind: Option<PlaceKind>,
}

impl Located {
    /// Whether two mentions name one place: by the gazetteer's name, or for a
    /// site it lacks ("the Listvyazhnaya mine", "шахте «Листвяжная»") by its name
    /// as written, a Russian ending aside.
    fn same(&self, other: &Located) -> bool {
        match (&self.name, &other.name) {
            (Some(a), Some(b)) => a == b,
            (None, None) => self.site.is_some() && self.site == other.site,
            _ => false,
        }
    }

    /// Makes this the place of `claim`, as `from` gave it.
    fn give(&self, claim: &mut Claim, from: Locus) {
        claim.location = Some(self.written.clone());
        claim.place = self.name.clone();
        claim.country = self.country.clone();
        claim.location_from = Some(from);
    }
}

impl<'a> Document<'a> {
    pub(super) fn new(
        text: &'a str,
        folded: &'a Folded,
        lex: &'a Lexicon,
        keys: &'a SourceKeys,
        published: Option<chrono::NaiveDate>,
        countries: &[String],
    ) -> Self {
        Document {
            countries: countries.to_vec(),
            pipeline_countries: countries.to_vec(),
            read: 0,
            named: Vec::new(),
            text,
            folded,
            lex,
            keys: Keyer {
                keys,
                places: lex.places.as_ref(),
            },
            published,
            out: Vec::new(),
            sources: Vec::new(),
            previous_source: None,
            previous_subject: None,
            last_found: None,
            last_sentence_claims: 0..0,
            quotation: Quotation::default(),
        }
    }

    /// The claims of the sentences read, a figure stated twice merged into one.
    /// A figure whose clause names no place is where the report is about.
    pub(super) fn claims(self) -> Vec<Claim> {
        let about = self.about().cloned();
        // A national institution named with no country is the country's the
        // pipeline follows, else the report's.
        let home = self
            .pipeline_countries
            .first()
            .or(about.as_ref().and_then(|p| p.country.as_ref()))
            .cloned();
        let mut out = merge(self.out);
        if let Some(cc) = &home {
            for c in &mut out {
                if let Some(k) = c
                    .source_key
                    .as_deref()
                    .and_then(|k| self.keys.keys.in_country(k, cc))
                {
                    c.source_key = Some(k);
                }
            }
        }
        if let Some(p) = about {
            for c in out.iter_mut().filter(|c| c.location.is_none()) {
                p.give(c, Locus::Lead);
            }
        }
        out
    }

    /// The place the report is about: the one it names most, a place its lead
    /// names counting twice more; between equals the more precise (a site over a
    /// city over a region over a country), then the first named.
    fn about(&self) -> Option<&Located> {
        // A site (a mine, a mall) is finer than any town.
        let precision = |k: Option<PlaceKind>| match k {
            None => 5,
            Some(PlaceKind::Added) => 4,
            Some(PlaceKind::City) => 3,
            Some(PlaceKind::Region) => 2,
            Some(PlaceKind::Country) => 1,
        };
        let weight = |p: &Located| {
            let same = || self.named.iter().filter(|(_, q)| q.same(p));
            let in_lead = same().any(|(s, _)| *s <= LEAD_SENTENCES);
            same().count() + 2 * usize::from(in_lead)
        };
        self.named
            .iter()
            .enumerate()
            .max_by_key(|(i, (_, p))| (weight(p), precision(p.kind), std::cmp::Reverse(*i)))
            .map(|(_, (_, p))| p)
    }

    /// Reads the sentence at folded offsets `s..e`.
    pub(super) fn read_sentence(&mut self, s: usize, e: usize) {
        let (text, folded) = (self.text, self.folded);
        let sentence = Sentence::new(&folded.text[s..e], s, self.lex, |at| {
            let (o, _) = folded.source_range(at, at + 1);
            text[o..].chars().next().is_some_and(char::is_uppercase)
        });
        let (src_start, src_end) = folded.source_range(s, e);
        let original = text[src_start..src_end].trim();
        self.note_places(&sentence);
        let mentions = sentence.mentions();
        let own_source = sentence.attribution(folded, text, &self.sources);
        if mentions.is_empty() {
            self.trailing_attribution(&sentence, own_source.as_ref());
        }
        // "ويشمل العدد 658 مصريا", "В их числе пятеро детей": a sentence that opens
        // with parts of the figure before goes on with its event, and they are what
        // its source said.
        let whole = self
            .last_found
            .take()
            .filter(|_| sentence.opens_with_parts(&mentions));
        let parts_of = whole
            .as_ref()
            .and_then(|_| self.out.last().and_then(|c| c.source.clone()));
        let source = self.speaker(&sentence, own_source.as_ref()).or(parts_of);
        self.previous_subject = sentence.subject(folded);
        let first_new = self.out.len();
        self.sentence_claims(
            &sentence,
            &mentions,
            original,
            source.as_deref(),
            own_source.is_some(),
            whole,
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
            (Some(Attribution::Implicit), _) => self.previous_source.clone().or_else(|| {
                self.previous_subject
                    .map(|(s, e)| self.text[s..e].trim().to_string())
            }),
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
    /// figure takes the nearest; `whole` is the figure before whose parts it opens
    /// with.
    fn sentence_claims(
        &mut self,
        sentence: &Sentence<'_>,
        mentions: &[Mention],
        original: &str,
        source: Option<&str>,
        attributed: bool,
        whole: Option<Found>,
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
        let mut previous = whole.map(|f| Found {
            first: 0,
            last: 0,
            ..f
        });
        let mut found_whole = false;
        // The figures of a sentence mostly share one source: keyed once.
        let mut last_key: Option<(String, String)> = None;
        let mut key = |s: &str| match &last_key {
            Some((w, k)) if w == s => k.clone(),
            _ => {
                let k = keys.key(s);
                last_key = Some((s.to_string(), k.clone()));
                k
            }
        };
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
            let at = found.location.map(|at| self.locate(sentence, at));
            self.out.push(Claim {
                kind: found.kind,
                who: found.who,
                // A count is whole by the time it is a claim (`not_a_count`).
                value: m.value.map(|v| v.round() as i64),
                qualifier: found.qualifier,
                part: found.part || found.subset,
                source: own.map(str::to_string),
                source_key: own.map(&mut key),
                location: None,
                place: None,
                country: None,
                location_from: None,
                claimed_on,
                sentence: original.to_string(),
                evidence: text[a..b].to_string(),
                spans: vec![Span {
                    start: char_offset(text, a),
                    end: char_offset(text, b),
                }],
            });
            if let (Some(p), Some(claim)) = (&at, self.out.last_mut()) {
                p.give(claim, Locus::Clause);
            }
            if !found.part {
                previous = Some(found);
                found_whole = true;
            }
        }
        if found_whole {
            self.last_found = previous;
        }
    }
}

impl Document<'_> {
    /// Remembers the places a sentence names, and their countries for the place
    /// names after it.
    fn note_places(&mut self, sentence: &Sentence<'_>) {
        self.read += 1;
        let Some(g) = &self.lex.places else { return };
        for m in &sentence.matches {
            let Cat::Place(name) = m.cat else { continue };
            if let Some(c) = g.country(name) {
                if !self.countries.iter().any(|x| x == c) {
                    self.countries.push(c.to_string());
                }
            }
            // In English and Russian any place the gazetteer has, as they are
            // capitalised; in Arabic, with no capitals, a bare word may be a common
            // word that is also some town's name: only those written as places,
            // and countries.
            let counts = self.lex.language != "ar"
                || sentence.introduces_place(m.start, name)
                || g.country(name).is_some();
            if counts {
                let at = PlaceAt {
                    name: Some(name),
                    clitic: usize::from(name.clitic),
                    start: m.start,
                    end: m.end,
                };
                let place = self.locate(sentence, at);
                self.named.push((self.read, place));
            }
        }
        // Sites and places a noun for their kind names: a mine disaster's report
        // is about the mine.
        for at in sentence.places().iter().filter(|p| p.name.is_none()) {
            let mut place = self.locate(sentence, *at);
            place.site = sentence.site_name(at);
            self.named.push((self.read, place));
        }
    }

    /// A place found in `sentence`: as written (without a clitic such as "ب"),
    /// and the gazetteer's name and country for it.
    fn locate(&self, sentence: &Sentence<'_>, at: PlaceAt) -> Located {
        let start = sentence.tokens[at.start].start + at.clitic;
        let (a, b) = self
            .folded
            .source_range(start, sentence.tokens[at.end - 1].end);
        let b = b + quoted_rest(&self.text[a..b], &self.text[b..]);
        let written = self.text[a..b].trim().to_string();
        let p = at
            .name
            .zip(self.lex.places.as_ref())
            .map(|(name, g)| g.resolve(name, &self.countries));
        Located {
            written,
            site: None,
            name: p.map(|p| p.name.clone()),
            country: p.and_then(|p| p.country.clone()),
            kind: p.map(|p| p.kind),
        }
    }
}

/// How many bytes of `rest` close a quotation `written` opens: "ТЦ «Зимняя" goes
/// on to "вишня»", "шахте \" Листвяжная" to " \"". Quotation marks are no tokens,
/// so a quoted name of several words ends where its quote closes.
fn quoted_rest(written: &str, rest: &str) -> usize {
    let open = |o: char, c: char| {
        if o == c {
            written.matches(o).count() % 2 == 1
        } else {
            written.matches(o).count() > written.matches(c).count()
        }
    };
    let close = [('«', '»'), ('“', '”'), ('"', '"')]
        .into_iter()
        .find(|&(o, c)| open(o, c))
        .map(|(_, c)| c);
    close
        .and_then(|c| {
            rest.char_indices()
                .take(40)
                .find(|&(_, x)| x == c || ".!?\n".contains(x))
        })
        .filter(|&(_, x)| close == Some(x))
        .map_or(0, |(i, x)| i + x.len_utf8())
}

/// Gives `to` the place of `from`.
fn copy_place(to: &mut Claim, from: &Claim) {
    to.location = from.location.clone();
    to.place = from.place.clone();
    to.country = from.country.clone();
    to.location_from = from.location_from;
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
            let b = claims[i + 1].clone();
            copy_place(&mut claims[i], &b);
        }
    }
}

/// Keys sources with the country their phrase names (see [`SourceKeys::key_in`]).
#[derive(Clone, Copy)]
struct Keyer<'a> {
    keys: &'a SourceKeys,
    places: Option<&'a Gazetteer>,
}

impl Keyer<'_> {
    fn key(&self, source: &str) -> String {
        self.keys
            .key_in(source, || self.places.and_then(|g| g.country_in(source)))
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
        keys: Keyer<'_>,
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

/// A figure stated twice in one article is one claim with two spans: the first
/// statement's attributes win, later ones fill what it lacks, and say more where
/// the first said less (a headline's "23 dead" is the body's "at least 23
/// soldiers").
fn merge(claims: Vec<Claim>) -> Vec<Claim> {
    let mut out: Vec<Claim> = Vec::new();
    for c in claims {
        match out
            .iter_mut()
            .find(|o| o.kind == c.kind && o.value == c.value && c.value.is_some())
        {
            Some(o) => {
                if o.location.is_none() {
                    copy_place(o, &c);
                }
                o.spans.extend(c.spans);
                if o.qualifier == Qualifier::Exact {
                    o.qualifier = c.qualifier;
                }
                if o.who == Who::People {
                    o.who = c.who;
                }
                if o.source.is_none() {
                    o.source = c.source;
                    o.source_key = c.source_key;
                }
            }
            None => out.push(c),
        }
    }
    out
}

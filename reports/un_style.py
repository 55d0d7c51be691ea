"""How United Nations documents write a date, a session of the General Assembly, a citation of
one of its resolutions and a percentage in each of the six official languages (Arabic, Chinese,
English, French, Russian, Spanish), as the reports print them. Pure functions of a language code
(`ar`, `zh-hans`, `en`, `fr`, `ru`, `es`); an unknown code reads as English."""

import datetime

RTL_LANGUAGES = ("ar",)

_MONTHS = {
    "en": (
        "January February March April May June July August September October November December"
    ).split(),
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split(),
    "es": (
        "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
    ).split(),
    # the genitive: "29 января 2010 года"
    "ru": (
        "января февраля марта апреля мая июня июля августа сентября октября ноября декабря"
    ).split(),
    # United Nations Arabic names each month twice, the Levantine name and the other:
    # "29 كانون الثاني/يناير 2010"
    "ar": [
        "كانون الثاني/يناير",
        "شباط/فبراير",
        "آذار/مارس",
        "نيسان/أبريل",
        "أيار/مايو",
        "حزيران/يونيه",
        "تموز/يوليه",
        "آب/أغسطس",
        "أيلول/سبتمبر",
        "تشرين الأول/أكتوبر",
        "تشرين الثاني/نوفمبر",
        "كانون الأول/ديسمبر",
    ],
}


def base(language: str) -> str:
    """The two-letter code of a report language: zh-hans -> zh."""
    code = (language or "en").lower().split("-")[0]
    return code if code in ("ar", "zh", "en", "fr", "ru", "es") else "en"


def is_rtl(language: str) -> bool:
    return base(language) in RTL_LANGUAGES


def date_label(on: datetime.date, language: str) -> str:
    """29 January 2010 · 2010年1月29日 · 1er février 2010 · 29 de enero de 2010 ·
    29 января 2010 года · 29 كانون الثاني/يناير 2010."""
    code = base(language)
    if code == "zh":
        return f"{on.year}年{on.month}月{on.day}日"
    month = _MONTHS[code][on.month - 1]
    if code == "fr":
        return f"{'1er' if on.day == 1 else on.day} {month} {on.year}"
    if code == "es":
        return f"{on.day} de {month} de {on.year}"
    if code == "ru":
        return f"{on.day} {month} {on.year} года"
    return f"{on.day} {month} {on.year}"


def resolution_citation(symbol: str, language: str) -> str:
    """How the text cites a General Assembly resolution in running text: "General Assembly
    resolution 64/259", "résolution 64/259 de l'Assemblée générale", "resolución 64/259 de la
    Asamblea General", "резолюция 64/259 Генеральной Ассамблеи", "قرار الجمعية العامة 64/259",
    "大会第64/259号决议"."""
    number = symbol.removeprefix("A/RES/")
    return {
        "zh": f"大会第{number}号决议",
        "fr": f"résolution {number} de l’Assemblée générale",
        "es": f"resolución {number} de la Asamblea General",
        "ru": f"резолюция {number} Генеральной Ассамблеи",
        "ar": f"قرار الجمعية العامة {number}",
    }.get(base(language), f"General Assembly resolution {number}")


def per_cent(number_text: str, language: str) -> str:
    """A rate in running text: "45.3 per cent", "45,3 pour cent", "45.3 في المائة", "45.3%"."""
    return {
        "en": f"{number_text} per cent",
        "fr": f"{number_text} pour cent",
        "ar": f"{number_text} في المائة",
    }.get(base(language), f"{number_text}%")


# --- The session of the General Assembly: "Sixty-fourth session" in each language ----------

_EN_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_EN_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_EN_ORDINAL = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}


def _en_word(word: str) -> str:
    if word in _EN_ORDINAL:
        return _EN_ORDINAL[word]
    return word[:-1] + "ieth" if word.endswith("y") else word + "th"


def ordinal_en(n: int) -> str:
    if n < 20:
        return _en_word(_EN_ONES[n])
    if n >= 100:
        return f"{n}th"
    tens, ones = divmod(n, 10)
    if not ones:
        return _en_word(_EN_TENS[tens])
    return f"{_EN_TENS[tens]}-{_en_word(_EN_ONES[ones])}"


_FR_ONES = (
    "zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze "
    "seize dix-sept dix-huit dix-neuf"
).split()
_FR_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def _fr_cardinal(n: int) -> str:
    if n < 20:
        return _FR_ONES[n]
    if n < 60:
        tens, ones = divmod(n, 10)
        if not ones:
            return _FR_TENS[tens]
        return _FR_TENS[tens] + (" et un" if ones == 1 else f"-{_FR_ONES[ones]}")
    if n < 80:
        rest = n - 60
        if not rest:
            return "soixante"
        return "soixante" + (" et " if rest in (1, 11) else "-") + _FR_ONES[rest]
    rest = n - 80
    return "quatre-vingt" + (f"-{_FR_ONES[rest]}" if rest else "")


def ordinal_fr(n: int) -> str:
    """Soixante-quatrième, soixante et onzième, quatre-vingtième, quatre-vingt-unième."""
    if n == 1:
        return "premier"
    if n >= 100:
        return f"{n}e"
    cardinal = _fr_cardinal(n)
    head, sep, last = cardinal.rpartition("-" if "-" in cardinal.split(" ")[-1] else " ")
    if last == "cinq":
        word = "cinquième"
    elif last == "neuf":
        word = "neuvième"
    elif last.endswith("e"):
        word = last[:-1] + "ième"
    else:
        word = last + "ième"
    return f"{head}{sep}{word}"


_ES_ONES = "_ primer segundo tercer cuarto quinto sexto séptimo octavo noveno".split()
_ES_TENS = (
    "_ décimo vigésimo trigésimo cuadragésimo quincuagésimo sexagésimo septuagésimo octogésimo "
    "nonagésimo"
).split()
_ES_TEENS = {11: "undécimo", 12: "duodécimo"}


def ordinal_es(n: int) -> str:
    """Sexagésimo cuarto, octogésimo primer (before "período": apocopated), undécimo."""
    if n >= 100 or n < 1:
        return f"{n}.º"
    if n in _ES_TEENS:
        return _ES_TEENS[n]
    tens, ones = divmod(n, 10)
    if not tens:
        return _ES_ONES[ones]
    if not ones:
        return _ES_TENS[tens]
    if tens == 1:
        return f"decimo{_ES_ONES[ones]}"
    return f"{_ES_TENS[tens]} {_ES_ONES[ones]}"


# feminine (сессия, الدورة)
_RU_ONES = "_ первая вторая третья четвертая пятая шестая седьмая восьмая девятая".split()
_RU_TEENS = (
    "десятая одиннадцатая двенадцатая тринадцатая четырнадцатая пятнадцатая шестнадцатая "
    "семнадцатая восемнадцатая девятнадцатая"
).split()
_RU_TENS = (
    "_ _ двадцать тридцать сорок пятьдесят шестьдесят семьдесят восемьдесят девяносто".split()
)
_RU_TENS_ORDINAL = (
    "_ _ двадцатая тридцатая сороковая пятидесятая шестидесятая семидесятая восьмидесятая "
    "девяностая"
).split()


def ordinal_ru(n: int) -> str:
    """Шестьдесят четвертая, восьмидесятая (feminine: "сессия")."""
    if n >= 100 or n < 1:
        return f"{n}-я"
    if n < 10:
        return _RU_ONES[n]
    if n < 20:
        return _RU_TEENS[n - 10]
    tens, ones = divmod(n, 10)
    if not ones:
        return _RU_TENS_ORDINAL[tens]
    return f"{_RU_TENS[tens]} {_RU_ONES[ones]}"


_AR_ONES = "_ الحادية الثانية الثالثة الرابعة الخامسة السادسة السابعة الثامنة التاسعة".split()
_AR_TENS = "_ _ العشرون الثلاثون الأربعون الخمسون الستون السبعون الثمانون التسعون".split()


def ordinal_ar(n: int) -> str:
    """الرابعة والستون, الثمانون, الحادية والثمانون (feminine: "الدورة")."""
    if n >= 100 or n < 1:
        return str(n)
    if n == 1:
        return "الأولى"
    if n < 10:
        return _AR_ONES[n]
    if n == 10:
        return "العاشرة"
    if n < 20:
        return f"{_AR_ONES[n - 10]} عشرة"
    tens, ones = divmod(n, 10)
    if not ones:
        return _AR_TENS[tens]
    return f"{_AR_ONES[ones]} و{_AR_TENS[tens]}"


_ZH_DIGITS = "零一二三四五六七八九"


def number_zh(n: int) -> str:
    if n < 10:
        return _ZH_DIGITS[n]
    tens, ones = divmod(n, 10)
    if n >= 100:
        return str(n)
    return (_ZH_DIGITS[tens] if tens > 1 else "") + "十" + (_ZH_DIGITS[ones] if ones else "")


def session_label(n: int, language: str) -> str:
    """Sixty-fourth session · 第六十四届会议 · Soixante-quatrième session · Sexagésimo cuarto
    período de sesiones · Шестьдесят четвертая сессия · الدورة الرابعة والستون."""
    code = base(language)
    if code == "zh":
        return f"第{number_zh(n)}届会议"
    if code == "fr":
        return f"{ordinal_fr(n).capitalize()} session"
    if code == "es":
        return f"{ordinal_es(n).capitalize()} período de sesiones"
    if code == "ru":
        return f"{ordinal_ru(n).capitalize()} сессия"
    if code == "ar":
        return f"الدورة {ordinal_ar(n)}"
    return f"{ordinal_en(n).capitalize()} session"


def localized(row, field: str, language: str) -> str:
    """A data row's text in `language` (`<field>_fr`, `<field>_zh`, ...; a dict or an object),
    falling back to the English text where the language has none."""
    get = row.get if isinstance(row, dict) else (lambda name, d=None: getattr(row, name, d))
    return get(f"{field}_{base(language)}") or get(f"{field}_en") or ""
